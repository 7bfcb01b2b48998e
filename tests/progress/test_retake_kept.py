"""A retake is a new round beside a completion that stays earned: the class dashboard, the
completion reports, the enrolment export, the reminders and My learning all keep it."""

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import flows
from app.notifications import inbox
from app.notifications.models import Notification
from app.notifications.reminders import OPEN_STATUSES
from app.orgs.permissions import SYSTEM
from app.progress import mine
from app.progress import service as progress
from app.progress.dashboard import RosterFilter, roster_page
from app.reports import completion
from app.reports.enrolments import EnrolmentFilter, enrolment_table
from app.reports.scope import Period
from tests.factories import make_class
from tests.progress.test_service import course as course
from tests.world import World

TODAY = date(2026, 9, 20)


def test_a_retake_keeps_the_earned_completion_everywhere(session: Session, world: World, course: str) -> None:
    classroom = make_class(session, world.coord_a, world.dept_a, course, code="R1", assign_unit=world.dept_a)
    me = world.actor(session, world.officer_a)
    for lesson in ("bai-mot", "bai-hai"):
        flows.complete_lesson(session, me, course_slug=course, lesson_slug=lesson)
    hr = world.actor(session, world.hr_a)
    before = completion.completion_by_unit(session, hr, period=Period(), today=TODAY).total

    progress.start_retake(session, me, course_slug=course)
    flows.complete_lesson(session, me, course_slug=course, lesson_slug="bai-mot")

    page = roster_page(session, classroom, today=TODAY, flt=RosterFilter())
    [row] = [r for r in page.rows if r.user_id == world.officer_a.id]
    # The new round's progress, beside the completion it does not undo.
    assert (row.status, row.done, row.completed_at is not None) == ("retaking", 1, True)
    assert (page.counts["retaking"], page.counts["completed"]) == (1, 0)
    assert "retaking" not in OPEN_STATUSES
    assert [
        r.user_id
        for r in roster_page(session, classroom, today=TODAY, flt=RosterFilter(status="retaking")).rows
    ] == [world.officer_a.id]

    after = completion.completion_by_unit(session, hr, period=Period(), today=TODAY).total
    assert after == before and after.completed >= 1

    table = enrolment_table(
        session,
        SYSTEM,
        EnrolmentFilter(classroom_id=classroom.id),
        language="vi",
        today=TODAY,
        timezone="Asia/Ho_Chi_Minh",
    )
    mine_row = next(r for r in table.rows(session) if r[0] == world.officer_a.officer_code)
    assert mine_row[8] == "đã hoàn thành, đang học lại"
    assert mine_row[11] is not None and float(str(mine_row[12])) > 0

    [item] = [i for i in mine.my_learning(session, me, today=TODAY) if i.course.slug == course]
    assert (item.progress.done, item.progress.completed_at) == (1, None)


def test_completing_a_course_leaves_a_notice_with_the_certificate(
    session: Session, world: World, course: str
) -> None:
    me = world.actor(session, world.officer_a)
    for lesson in ("bai-mot", "bai-hai"):
        flows.complete_lesson(session, me, course_slug=course, lesson_slug=lesson)
    [notice] = session.scalars(select(Notification).where(Notification.kind == "completed")).all()
    assert notice.user_id == world.officer_a.id and notice.params["course"] == course
    [shown] = [n for n in inbox.notices(session, me, language="vi") if n.kind == "completed"]
    assert shown.certificate_id == notice.params["certificate"]
    assert shown.text.startswith("Bạn đã hoàn thành khoá học “") and notice.params["serial"] in shown.text


def test_my_learning_lists_a_course_begun_on_ones_own_and_offers_no_class_for_it(
    session: Session, world: World, course: str
) -> None:
    me = world.actor(session, world.officer_a)
    flows.complete_lesson(session, me, course_slug=course, lesson_slug="bai-mot")
    [item] = mine.my_learning(session, me, today=TODAY)
    assert (item.classroom, item.course.slug, item.progress.done) == (None, course, 1)
    make_class(session, world.coord_a, world.dept_a, course, code="TU1", self_enrol=True)
    # Begun but not finished: a class for it is still worth joining (it brings a due date).
    assert [o.classroom.code for o in mine.joinable_classes(session, me, today=TODAY)] == ["TU1"]
    flows.complete_lesson(session, me, course_slug=course, lesson_slug="bai-hai")
    assert mine.joinable_classes(session, me, today=TODAY) == []
