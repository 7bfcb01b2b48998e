from datetime import date

import pytest
from sqlalchemy.orm import Session

from app.classrooms import service as classes
from app.classrooms.models import Classroom
from app.progress import dashboard
from app.progress import service as progress
from app.progress.dashboard import RosterFilter, roster_page, roster_rows
from app.progress.exports import roster_csv
from tests.factories import make_class, make_officer
from tests.progress.test_service import course as course
from tests.world import World


def _class(session: Session, world: World, course: str) -> Classroom:
    return make_class(
        session,
        world.coord_a,
        world.dept_a,
        course,
        code="L1",
        due_on=date(2026, 10, 1),
        assign_unit=world.dept_a,
    )


def test_status_progress_and_counts_come_from_the_database(
    session: Session, world: World, course: str
) -> None:
    classroom = _class(session, world, course)
    progress.complete_lesson(
        session, world.actor(session, world.officer_a), course_slug=course, lesson_slug="bai-mot"
    )
    hr = world.actor(session, world.hr_a)
    for lesson in ("bai-mot", "bai-hai"):
        progress.complete_lesson(session, hr, course_slug=course, lesson_slug=lesson)
    during = roster_page(session, classroom, today=date(2026, 9, 15), flt=RosterFilter())
    by_code = {r.officer_code: r for r in during.rows}
    assert (by_code["HVA"].percent, by_code["HVA"].status) == (50, "in_progress")
    assert (by_code["HRA"].status, by_code["HRA"].done, by_code["HRA"].total) == ("completed", 2, 2)
    assert by_code["DPA"].status == "not_started"
    # Five minutes by its file for the first lesson; the second, without minutes, is estimated at one.
    assert (by_code["HVA"].minutes_spent, by_code["HRA"].minutes_spent, by_code["DPA"].minutes_spent) == (
        5,
        6,
        0,
    )
    assert during.counts == {
        "not_started": 1,
        "in_progress": 1,
        "completed": 1,
        "retaking": 0,
        "overdue": 0,
        "withdrawn": 0,
    }
    after = roster_page(session, classroom, today=date(2026, 10, 2), flt=RosterFilter(status="overdue"))
    assert sorted(r.officer_code for r in after.rows) == ["DPA", "HVA"]
    classes.withdraw(
        session,
        world.actor(session, world.coord_a),
        classroom_id=classroom.id,
        user_ids=[world.coord_a.id],
        reason="x",
    )
    withdrawn = roster_page(session, classroom, today=date(2026, 10, 2), flt=RosterFilter(status="withdrawn"))
    assert [(r.officer_code, r.withdrawn_reason) for r in withdrawn.rows] == [("DPA", "x")]


def test_search_sort_and_pages(
    session: Session, world: World, course: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(1, 8):
        make_officer(session, world.room_a, officer_code=f"PX{n:02d}", full_name=f"Phạm Văn Xuân {n}")
    classroom = _class(session, world, course)
    found = roster_page(session, classroom, today=date(2026, 9, 2), flt=RosterFilter(query="pham van xuan"))
    assert found.total_rows == 7
    assert (
        roster_page(session, classroom, today=date(2026, 9, 2), flt=RosterFilter(query="hva")).total_rows == 1
    )
    monkeypatch.setattr(dashboard, "PAGE_SIZE", 3)
    flt = RosterFilter(query="xuân", sort="code", descending=True)
    pages = [roster_page(session, classroom, today=date(2026, 9, 2), flt=flt, page=p) for p in (1, 2, 3, 9)]
    assert [[r.officer_code for r in p.rows] for p in pages[:3]] == [
        ["PX07", "PX06", "PX05"],
        ["PX04", "PX03", "PX02"],
        ["PX01"],
    ]
    assert (pages[3].page, pages[3].pages) == (3, 3)
    assert [r.officer_code for r in roster_rows(session, classroom, today=date(2026, 9, 2), flt=flt)][:2] == [
        "PX07",
        "PX06",
    ]


def test_csv_has_a_bom_vietnamese_headers_and_no_formulas(
    session: Session, world: World, course: str
) -> None:
    officer = make_officer(session, world.room_a, officer_code="CMD", full_name="=HYPERLINK(1)")
    # A code stored before codes were checked: the export must still not turn it into a formula.
    officer.officer_code = "=CMD"
    session.flush()
    classroom = _class(session, world, course)
    rows = roster_rows(session, classroom, today=date(2026, 9, 2), flt=RosterFilter())
    text = "".join(roster_csv(rows, language="vi", timezone="Asia/Ho_Chi_Minh"))
    assert text.startswith("\ufeffMã cán bộ,Họ và tên,")
    assert "'=CMD,'=HYPERLINK(1)" in text
    assert ",chưa bắt đầu\r\n" in text
