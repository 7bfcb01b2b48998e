"""An unpublished course stays readable for officers in the middle of it and for course
managers, and for nobody else."""

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from app.classrooms import service as classes
from app.courses import publishing
from app.courses import service as courses
from app.errors import NotFound
from app.orgs.permissions import ANONYMOUS, Actor
from app.progress import access, mine
from app.progress import service as progress
from tests.factories import write_course
from tests.world import World

SLUG = "khoa-hoc-mau"


@pytest.fixture
def course(session: Session, tmp_path: Path) -> None:
    courses.import_course_dir(session, write_course(tmp_path), max_asset_bytes=1 << 20)


def reads(session: Session, actor: Actor) -> bool:
    try:
        access.course_outline(session, actor, SLUG)
    except NotFound:
        return False
    view = access.lesson_view(session, actor, SLUG, "bai-hai")
    media = access.course_media(session, actor, SLUG, "m1/hinh/so-do.png")
    return view.lesson.slug == "bai-hai" and not media.public


def open_class(session: Session, world: World) -> int:
    coord = world.actor(session, world.coord_a)
    classroom = classes.create_class(
        session,
        coord,
        classes.ClassForm(
            code="L1",
            title="Lớp 1",
            course_slug=SLUG,
            owner_unit_id=world.dept_a.id,
            opens_on=date(2026, 9, 1),
        ),
    )
    classes.assign(
        session, coord, classroom_id=classroom.id, target=classes.Target(user_ids=(world.officer_a.id,))
    )
    return classroom.id


def unpublish(session: Session, world: World) -> None:
    publishing.set_published(session, world.actor(session, world.admin), slug=SLUG, published=False)


@pytest.mark.usefixtures("course")
class TestUnpublishedCourse:
    def test_published_images_may_be_cached_by_anyone(self, session: Session) -> None:
        assert access.course_media(session, ANONYMOUS, SLUG, "m1/hinh/so-do.png").public

    def test_hidden_from_visitors_and_officers_who_never_started(
        self, session: Session, world: World
    ) -> None:
        unpublish(session, world)
        assert not reads(session, ANONYMOUS)
        assert not reads(session, world.actor(session, world.officer_b))
        with pytest.raises(NotFound):
            access.course_media(session, ANONYMOUS, SLUG, "m1/hinh/so-do.png")
        with pytest.raises(NotFound):
            progress.complete_lesson(
                session, world.actor(session, world.officer_b), course_slug=SLUG, lesson_slug="bai-mot"
            )

    def test_an_officer_who_started_keeps_reading_and_finishing(self, session: Session, world: World) -> None:
        me = world.actor(session, world.officer_b)
        progress.complete_lesson(session, me, course_slug=SLUG, lesson_slug="bai-mot")
        unpublish(session, world)
        assert reads(session, me)
        state = progress.complete_lesson(session, me, course_slug=SLUG, lesson_slug="bai-hai")
        assert (state.done, state.total) == (2, 2)
        assert progress.lesson_done(session, me, course_slug=SLUG, lesson_slug="bai-hai")

    def test_an_enrolled_officer_keeps_it_until_withdrawn(self, session: Session, world: World) -> None:
        classroom_id = open_class(session, world)
        unpublish(session, world)
        me = world.actor(session, world.officer_a)
        assert reads(session, me)
        assert [item.course.slug for item in mine.my_learning(session, me, today=date(2026, 9, 2))] == [SLUG]
        classes.withdraw(
            session,
            world.actor(session, world.coord_a),
            classroom_id=classroom_id,
            user_ids=[world.officer_a.id],
            reason="nhầm lớp",
        )
        assert not reads(session, me)

    def test_course_managers_read_drafts(self, session: Session, world: World) -> None:
        unpublish(session, world)
        assert reads(session, world.actor(session, world.coord_b))

    def test_no_new_class_opens_on_it(self, session: Session, world: World) -> None:
        unpublish(session, world)
        with pytest.raises(NotFound):
            open_class(session, world)
