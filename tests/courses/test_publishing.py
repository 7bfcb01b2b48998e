from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.models import AuditEvent
from app.courses import publishing
from app.courses import service as courses
from app.errors import NotFound, PermissionDenied
from tests.factories import write_course
from tests.world import World


@pytest.fixture
def two_courses(session: Session, tmp_path: Path) -> None:
    courses.import_course_dir(session, write_course(tmp_path, title="Sổ tay"), max_asset_bytes=1 << 20)
    courses.import_course_dir(
        session, write_course(tmp_path, slug="ban-nhap", title="Bản nháp", version=3), max_asset_bytes=1 << 20
    )
    draft = courses.find_course(session, "ban-nhap")
    assert draft is not None
    draft.published = False
    session.flush()
    session.expire_all()


@pytest.mark.usefixtures("two_courses")
class TestManagement:
    def test_lists_every_course_with_its_state_in_vietnamese_order(
        self, session: Session, world: World
    ) -> None:
        rows = publishing.managed_courses(session, world.actor(session, world.coord_b))
        assert [
            (
                r.course.slug,
                r.course.version,
                r.course.published,
                r.module_count,
                r.lesson_count,
                r.quiz_count,
            )
            for r in rows
        ] == [("ban-nhap", 3, False, 1, 2, 1), ("khoa-hoc-mau", 1, True, 1, 2, 1)]

    def test_publish_and_unpublish_are_audited_once(self, session: Session, world: World) -> None:
        coord = world.actor(session, world.coord_a)
        publishing.set_published(session, coord, slug="ban-nhap", published=True)
        publishing.set_published(session, coord, slug="ban-nhap", published=True)
        assert [e.course.slug for e in courses.list_courses(session)] == ["ban-nhap", "khoa-hoc-mau"]
        publishing.set_published(session, coord, slug="khoa-hoc-mau", published=False)
        assert [e.course.slug for e in courses.list_courses(session)] == ["ban-nhap"]
        events = session.execute(
            select(AuditEvent.action, AuditEvent.target_id).order_by(AuditEvent.id)
        ).all()
        assert [tuple(e) for e in events if e.action.startswith("course.")] == [
            ("course.publish", "ban-nhap"),
            ("course.unpublish", "khoa-hoc-mau"),
        ]

    def test_publishing_keeps_the_date_the_content_last_changed(self, session: Session, world: World) -> None:
        before = courses.find_course(session, "ban-nhap")
        assert before is not None
        changed_on = before.updated_at
        publishing.set_published(session, world.actor(session, world.admin), slug="ban-nhap", published=True)
        session.expire_all()
        after = courses.find_course(session, "ban-nhap")
        assert after is not None and after.published and after.updated_at == changed_on

    def test_an_unknown_course_is_not_found(self, session: Session, world: World) -> None:
        with pytest.raises(NotFound):
            publishing.set_published(
                session, world.actor(session, world.admin), slug="khong-co", published=True
            )

    def test_hr_and_officers_may_not_manage_courses(self, session: Session, world: World) -> None:
        for user in (world.hr_a, world.officer_a):
            actor = world.actor(session, user)
            with pytest.raises(PermissionDenied):
                publishing.managed_courses(session, actor)
            with pytest.raises(PermissionDenied):
                publishing.set_published(session, actor, slug="khoa-hoc-mau", published=False)
