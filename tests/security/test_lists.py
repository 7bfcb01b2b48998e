"""Lists, searches and report pages shown to unit A's people (by login or API token) name nothing
of unit B, even when the search names it; and a background export runs with its requester's
rights at the time it runs, not those they had when they asked."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.config import get_settings
from app.db import utcnow
from app.jobs.models import Job
from app.jobs.worker import work
from app.orgs.models import RoleGrant
from tests.security.tenants import As, Tenants
from tests.security.test_export_scope import OF_B

PAGES = (
    "/officers",
    "/officers?q=HVB",
    "/officers?q=Hoàng",
    "/classes",
    "/reports",
    "/reports/units",
    "/reports/courses",
    "/reports/classes",
    "/reports/categories",
    "/reports/months",
    "/reports/hours",
    "/reports/hours/shortfalls",
    "/exports/enrolments",
    "/exports",
    "/admin/units",
    "/admin/roles",
    "/admin/tokens",
    "/admin/audit",
)
API = (
    "/api/v1/officers",
    "/api/v1/officers?q=HVB",
    "/api/v1/officers?q=hoang",
    "/api/v1/units",
    "/api/v1/classes",
    "/api/v1/reports/completion/units",
    "/api/v1/reports/completion/courses",
    "/api/v1/reports/completion/classes",
    "/api/v1/reports/completion/categories",
    "/api/v1/reports/completion/months",
    "/api/v1/reports/hours/units",
    "/api/v1/reports/hours/shortfalls",
    "/api/v1/grants",
    "/api/v1/audit-events",
)


@pytest.mark.parametrize("who", ["coordinator", "hr", "admin", "hr_token", "coordinator_token"])
def test_lists_and_searches_of_unit_a_name_nothing_of_unit_b(as_a: As, tenants: Tenants, who: str) -> None:
    find = f"/classes/{tenants.a.classroom.id}/find?q=Hoàng"
    urls = API if who.endswith("_token") else (*PAGES, *API, find)
    leaks = {}
    statuses = set()
    for url in urls:
        response = as_a.send(who, "GET", url)
        statuses.add(response.status_code)
        # A search shows its own words back; the officer found would show their name too.
        searched = url.partition("q=")[2]
        found = [name for name in OF_B if name in response.text and name != searched]
        if found:
            leaks[url] = found
    assert leaks == {}
    # Coordinators list classes and HR does not; both read reports and officers.
    assert statuses <= {200, 403}
    assert as_a.send(who, "GET", "/api/v1/officers?q=HVA").json()[0]["officer_code"] == "HVA"


def test_a_background_export_runs_with_the_rights_its_requester_has_when_it_runs(
    as_a: As, session: Session, tenants: Tenants, unit_of_work: Any
) -> None:
    queued = as_a.send("hr", "POST", "/api/v1/exports", body={"kind": "reports.enrolments", "params": {}})
    assert queued.status_code == 201
    grant = session.scalars(select(RoleGrant).where(RoleGrant.user_id == tenants.a.hr.id)).one()
    grant.revoked_at = utcnow()
    session.commit()
    assert work(unit_of_work, get_settings()) == 1
    job = session.get_one(Job, queued.json()["id"])
    session.refresh(job)
    assert job.status == "failed"
    assert as_a.send("hr", "GET", f"/api/v1/exports/{job.id}/download").status_code == 409


def test_an_admin_of_one_unit_reads_the_audit_of_its_people_and_a_root_admin_reads_all(
    as_a: As, session: Session, tenants: Tenants
) -> None:
    csrf = as_a.login(tenants.admin_a)
    scoped = as_a.client.get("/api/v1/audit-events", headers={"x-csrf-token": csrf}).json()
    as_a.login(tenants.world.admin)
    everything = as_a.client.get("/api/v1/audit-events").json()
    # Labels read "CODE Full Name"; the people of unit A are DPA, HRA, HVA and QTA.
    assert {e["actor_label"].split()[0] for e in scoped} == {"DPA"}
    assert [e for e in everything if e["actor_label"].split()[0] in {"DPA", "HRA", "HVA", "QTA"}] == scoped
    assert {"DPB", "ADMIN"} <= {e["actor_label"].split()[0] for e in everything}


@pytest.mark.parametrize("who", ["coordinator", "hr", "admin", "hr_token"])
def test_report_pages_filtered_to_unit_b_are_not_found(as_a: As, tenants: Tenants, who: str) -> None:
    urls = [u for u in (*PAGES, *API) if "/reports" in u]
    if who.endswith("_token"):
        urls = [u for u in urls if u.startswith("/api/")]
    responses = {url: as_a.send(who, "GET", f"{url}?unit_id={tenants.b.unit.id}") for url in urls}
    # The index takes no filter, and these two take their unit in the path: they ignore the query.
    ignoring = {"/reports", "/reports/units", "/reports/hours"}
    assert {url: r.status_code for url, r in responses.items()} == {
        url: 200 if url in ignoring else 404 for url in urls
    }
    assert [url for url in ignoring & set(urls) if any(n in responses[url].text for n in OF_B)] == []
