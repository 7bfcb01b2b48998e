"""Report files of unit A's people hold nothing of unit B: downloaded now through pages or the API
(login sessions and API tokens), or prepared in the background, with or without a filter naming
unit B or its class. Growing unit B must not change a byte of unit A's files."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import openpyxl
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.classrooms import service as classes
from app.config import get_settings
from app.jobs.models import Job
from app.jobs.worker import work
from app.progress import service as progress
from tests.factories import make_officer
from tests.security.tenants import As, Tenants

REPORTS = (
    "units",
    "courses",
    "classes",
    "categories",
    "months",
    "officers",
    "hours",
    "shortfalls",
    "enrolments",
)
# Everything that names unit B or its people: codes, names, its class and the unit itself.
OF_B = ("HVB", "DPB", "HRB", "Hoàng Thị An", "Trần Văn Phối", "Vũ Thị Nhân", "Lớp B1", "Sở Tư pháp", "BMOI")
# (caller, how it downloads): a person's pages, the same person through the API, an API token.
DOWNLOADERS = (
    ("hr", "/reports/export"),
    ("coordinator", "/api/v1/reports/export"),
    ("hr_token", "/api/v1/reports/export"),
)


def _params(report: str, t: Tenants) -> dict[str, Any]:
    # The list of a unit's officers needs a unit; every other report reads all of the caller's units.
    return {"unit_id": t.a.unit.id} if report == "officers" else {}


def _text(content: bytes, fmt: str) -> str:
    if fmt == "csv":
        return content.decode("utf-8-sig")
    book = openpyxl.load_workbook(io.BytesIO(content))
    return "\n".join(
        ",".join("" if v is None else str(v) for v in row)
        for sheet in book
        for row in sheet.iter_rows(values_only=True)
    )


def _download_all(as_a: As, t: Tenants, fmt: str) -> dict[tuple[str, str], str]:
    files = {}
    for who, base in DOWNLOADERS:
        for report in REPORTS:
            response = as_a.send(who, "GET", f"{base}/{report}.{fmt}?" + _query(_params(report, t)))
            assert response.status_code == 200, (who, report, response.text)
            files[(who, report)] = _text(response.content, fmt)
    for who in ("hr", "hr_token"):
        response = as_a.send(who, "GET", f"/api/v1/reports/enrolments.{fmt}")
        assert response.status_code == 200, (who, response.text)
        files[(who, "api-enrolments")] = _text(response.content, fmt)
    return files


def _query(params: dict[str, Any]) -> str:
    return "&".join(f"{k}={v}" for k, v in params.items())


def _grow_unit_b(session: Session, t: Tenants) -> None:
    """More people in unit B, enrolled in B's class, one of them finishing a lesson."""
    coord = t.world.actor(session, t.b.coordinator)
    newcomers = [
        make_officer(
            session, t.b.unit, officer_code=f"BMOI{n}", full_name=f"Đinh Văn Mới {n}", category="vien_chuc"
        )
        for n in range(3)
    ]
    classes.assign(
        session,
        coord,
        classroom_id=t.b.classroom.id,
        target=classes.Target(user_ids=tuple(u.id for u in newcomers)),
    )
    progress.complete_lesson(
        session, t.world.actor(session, newcomers[0]), course_slug="khoa-hoc-mau", lesson_slug="bai-mot"
    )
    session.commit()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_unit_a_report_files_hold_nothing_of_unit_b_and_do_not_change_when_unit_b_grows(
    as_a: As, session: Session, tenants: Tenants, fmt: str
) -> None:
    before = _download_all(as_a, tenants, fmt)
    for key, text in before.items():
        assert [name for name in OF_B if name in text] == [], key
    assert "HVA" in before[("hr", "enrolments")] and "HVA" in before[("hr_token", "api-enrolments")]
    _grow_unit_b(session, tenants)
    after = _download_all(as_a, tenants, fmt)
    assert after == before


@pytest.mark.parametrize("who", ["hr", "coordinator", "hr_token", "coordinator_token"])
def test_filters_naming_unit_b_or_its_class_are_not_found(as_a: As, tenants: Tenants, who: str) -> None:
    b = tenants.b
    base = "/reports/export" if who in ("hr", "coordinator") else "/api/v1/reports/export"
    got = set()
    for report in REPORTS:
        for fmt in ("csv", "xlsx"):
            got.add(as_a.send(who, "GET", f"{base}/{report}.{fmt}?unit_id={b.unit.id}").status_code)
        got.add(as_a.send(who, "GET", f"{base}/enrolments.csv?classroom_id={b.classroom.id}").status_code)
    for fmt in ("csv", "xlsx"):
        for query in (f"unit_id={b.unit.id}", f"classroom_id={b.classroom.id}"):
            got.add(as_a.send(who, "GET", f"/api/v1/reports/enrolments.{fmt}?{query}").status_code)
    assert got == {404}


def test_background_exports_naming_unit_b_are_refused_and_others_hold_nothing_of_it(
    as_a: As, session: Session, tenants: Tenants, unit_of_work: Any
) -> None:
    b = tenants.b
    jobs_before = session.scalar(select(func.count()).select_from(Job))
    refused = [
        as_a.send("hr", "POST", "/api/v1/exports", body={"kind": "reports.enrolments", "params": params})
        for params in ({"unit_id": b.unit.id}, {"classroom_id": b.classroom.id})
    ] + [
        as_a.send(
            "hr", "POST", "/api/v1/exports", body={"kind": "reports.report", "params": {"report": r, **p}}
        )
        for r in ("units", "enrolments")
        for p in ({"unit_id": b.unit.id}, {"classroom_id": b.classroom.id})
        if not (r == "units" and "classroom_id" in p)
    ]
    page_form = as_a.send(
        "hr", "POST", "/exports/enrolments", form={"action": "background", "unit_id": str(b.unit.id)}
    )
    report_form = as_a.send(
        "hr", "POST", "/reports/export/units", form={"format": "csv", "unit_id": str(b.unit.id)}
    )
    assert [r.status_code for r in refused] == [404, 404, 404, 404, 404]
    assert (page_form.status_code, report_form.status_code) == (404, 404)
    assert session.scalar(select(func.count()).select_from(Job)) == jobs_before
    made = [
        as_a.send("hr", "POST", "/api/v1/exports", body={"kind": kind, "params": params, "format": fmt})
        for kind, params in (("reports.enrolments", {}), ("reports.report", {"report": "courses"}))
        for fmt in ("csv", "xlsx")
    ]
    assert [r.status_code for r in made] == [201, 201, 201, 201]
    assert work(unit_of_work, get_settings()) == 4
    for response in made:
        job_id = response.json()["id"]
        download = as_a.send("hr", "GET", f"/api/v1/exports/{job_id}/download")
        assert download.status_code == 200
        text = _text(download.content, "xlsx" if download.content[:2] == b"PK" else "csv")
        assert [name for name in OF_B if name in text] == []
        # The job is its requester's alone: neither the coordinator of the same unit nor a token reads it.
        assert as_a.send("coordinator", "GET", f"/api/v1/exports/{job_id}/download").status_code == 404
        assert as_a.send("hr_token", "GET", f"/api/v1/exports/{job_id}").status_code == 404
    assert "HVA" in _text(
        as_a.send("hr", "GET", f"/api/v1/exports/{made[0].json()['id']}/download").content, "csv"
    )


def test_a_year_filter_does_not_widen_the_scope(as_a: As, tenants: Tenants) -> None:
    year = date.today().year
    response = as_a.send("hr", "GET", f"/reports/export/shortfalls.csv?year={year}")
    assert response.status_code == 200
    assert [name for name in OF_B if name in response.content.decode("utf-8-sig")] == []
