"""SQL metacharacters in every search box: quotes, LIKE wildcards, backslashes, NUL and
combining marks are searched for as text (200, exact results), on SQLite and PostgreSQL alike."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.accounts import tokens
from app.accounts.auth import start_session
from app.accounts.models import User
from app.classrooms.models import Classroom
from app.courses import service as courses
from app.http.auth import SESSION_COOKIE
from app.text import fold
from tests.factories import make_class, make_officer, write_course
from tests.hostile import HOSTILE, SQL
from tests.world import World

MARKED = {"CB_1": "Trần 100% An", "CBX9": "Phạm Thị O'Brien"}
COURSES = {
    "phan-tram": "Tin học 100% trực tuyến",
    "nhay-don": "Kỹ năng O'Reilly",
    "khoa-hoc-mau": "Khoá học mẫu",
}


@pytest.fixture
def classroom(session: Session, world: World, tmp_path: Path) -> Classroom:
    for slug, title in COURSES.items():
        courses.import_course_dir(
            session, write_course(tmp_path, slug=slug, title=title), max_asset_bytes=1 << 20
        )
    for code, name in MARKED.items():
        make_officer(session, world.dept_a, officer_code=code, full_name=name, email=f"{code.lower()}@x.vn")
    room = make_class(session, world.coord_a, world.dept_a, assign_unit=world.dept_a)
    session.commit()
    return room


def bearer(session: Session, world: World, role: str) -> dict[str, str]:
    _, secret = tokens.create_token(
        session, world.actor(session, world.admin), name=role, role=role, unit_id=world.dept_a.id
    )
    session.commit()
    return {"Authorization": f"Bearer {secret}"}


def cookie(session: Session, user: User) -> dict[str, str]:
    token = start_session(session, user, ip=None, user_agent=None)
    session.commit()
    return {"Cookie": f"{SESSION_COOKIE}={token}"}


def codes_in(html: str) -> set[str]:
    return {code for code in MARKED if re.search(rf"<td>{code}</td>", html)}


Search = Callable[[str], set[str]]


@pytest.fixture
def searches(client: TestClient, session: Session, world: World, classroom: Classroom) -> dict[str, Search]:
    """Each search box, returning the marked officers (or courses) it found."""
    hr_api, coord_api = bearer(session, world, "hr"), bearer(session, world, "coordinator")
    hr_web, coord_web = cookie(session, world.hr_a), cookie(session, world.coord_a)

    def get(url: str, q: str, headers: dict[str, str]) -> object:
        response = client.get(url, params={"q": q}, headers=headers)
        assert response.status_code == 200, (url, q, response.text[:300])
        return response.json() if url.startswith("/api/") else response.text

    def api_officers(q: str) -> set[str]:
        found = get("/api/v1/officers", q, hr_api)
        return {o["officer_code"] for o in found if o["officer_code"] in MARKED}  # type: ignore[attr-defined]

    def api_roster(q: str) -> set[str]:
        found = get(f"/api/v1/classes/{classroom.id}/roster", q, coord_api)
        return {r["officer_code"] for r in found["items"] if r["officer_code"] in MARKED}  # type: ignore[index]

    def api_courses(q: str) -> set[str]:
        return {c["id"] for c in get("/api/v1/courses", q, {})}  # type: ignore[attr-defined]

    def web_courses(q: str) -> set[str]:
        html = str(get("/", q, {}))
        return {slug for slug in COURSES if f'href="/courses/{slug}"' in html}

    return {
        "api officers": api_officers,
        "web officers": lambda q: codes_in(str(get("/officers", q, hr_web))),
        "web class find": lambda q: codes_in(str(get(f"/classes/{classroom.id}/find", q, coord_web))),
        "web class dashboard": lambda q: codes_in(str(get(f"/classes/{classroom.id}", q, coord_web))),
        "api class roster": api_roster,
        "api courses": api_courses,
        "web courses": web_courses,
    }


OFFICER_BOXES = ["api officers", "web officers", "web class find", "web class dashboard", "api class roster"]
COURSE_BOXES = ["api courses", "web courses"]


@pytest.mark.parametrize("box", OFFICER_BOXES)
def test_officer_search_boxes_take_metacharacters_as_text(searches: dict[str, Search], box: str) -> None:
    search = searches[box]
    # A wildcard or quote that reached SQL unescaped would match everyone, or fail.
    for q in SQL:
        expected = search("a") if q == "a\u0301\u0323" else set()
        if q == "\u0000":
            continue
        assert search(q) == expected, (box, q)
    assert search("100%") == {"CB_1"}
    assert search("o'brien") == {"CBX9"}
    assert search("cb_") == {"CB_1"}
    assert search("cbx") == {"CBX9"}
    assert search("Tra\u0302\u0300n") == {"CB_1"}


@pytest.mark.parametrize("box", COURSE_BOXES)
def test_course_search_boxes_take_metacharacters_as_text(searches: dict[str, Search], box: str) -> None:
    search = searches[box]
    for q in SQL:
        if q == "\u0000":
            continue
        expected = search("a") if q == "a\u0301\u0323" else set()
        assert search(q) == expected, (box, q)
    assert search("100%") == {"phan-tram"}
    assert search("o'reilly") == {"nhay-don"}
    assert search("Tru\u031b\u0323c") == {"phan-tram"}


@pytest.mark.parametrize("box", OFFICER_BOXES + COURSE_BOXES)
def test_a_nul_or_control_character_is_ignored_like_a_space(searches: dict[str, Search], box: str) -> None:
    search = searches[box]
    assert search("\u0000") == search("")
    probe = "100%" if box in OFFICER_BOXES else "o'reilly"
    assert search(f"{probe}\u0000") == search(probe) != set()


def test_the_tables_survive_every_search(searches: dict[str, Search], session: Session) -> None:
    for search in searches.values():
        for q in SQL:
            search(q)
    assert (session.scalar(select(func.count()).select_from(User)) or 0) > 2


@HOSTILE
@given(q=st.text(alphabet=st.sampled_from(list("%_\\'\";-=*[]a0 đ\u0301\u0000bcno")), max_size=12))
def test_the_officer_search_finds_exactly_the_officers_every_word_starts(
    searches: dict[str, Search], q: str
) -> None:
    terms = [t for t in fold("".join(ch for ch in q if ch >= " ")).split(" ") if t]

    def matches(code: str, name: str) -> bool:
        words = fold(name).split(" ")
        return all(
            any(w.startswith(t) for w in words)
            or code.lower().startswith(t)
            or f"{code.lower()}@x.vn".startswith(t)
            for t in terms
        )

    expected = {code for code, name in MARKED.items() if matches(code, name)}
    assert searches["api officers"](q) == expected
