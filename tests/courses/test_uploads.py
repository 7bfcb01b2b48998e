from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.audit.models import AuditEvent
from app.courses import service as courses
from app.courses import uploads
from app.courses.models import Course, CourseUpload, Lesson
from app.db import utcnow
from app.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from app.orgs.permissions import Actor
from app.progress import service as progress
from app.progress.models import LessonCompletion
from tests.factories import QUIZ, WITHOUT_LESSON_TWO, course_yaml, course_zip, write_course
from tests.world import World

WITH_LESSON_THREE = course_yaml(2, add_after_two="      - m1/bai-ba.md\n")
LESSON_THREE = "---\nid: bai-ba\ntitle: Bài ba\n---\n\nNội dung bài ba.\n"


def stage_and_import(session: Session, actor: Actor, data: bytes, *, publish: bool = True) -> None:
    preview = uploads.stage_upload(session, actor, filename="k.zip", data=data)
    assert preview.upload_id is not None, preview
    uploads.apply_upload(session, actor, upload_id=preview.upload_id, publish=publish)


class TestPreview:
    def test_a_new_course_is_counted_and_kept_for_its_uploader(
        self, session: Session, world: World, tmp_path: Path
    ) -> None:
        coord = world.actor(session, world.coord_a)
        preview = uploads.stage_upload(
            session, coord, filename="C:\\Users\\me\\khoa-hoc.zip", data=course_zip(tmp_path, "v1")
        )
        assert (preview.status, preview.slug, preview.version, preview.title("vi")) == (
            "new",
            "khoa-hoc-mau",
            1,
            "Khoá học mẫu",
        )
        assert (preview.module_count, preview.lesson_count, preview.quiz_count) == (1, 2, 1)
        assert preview.filename == "khoa-hoc.zip" and preview.importable
        upload = session.get(CourseUpload, preview.upload_id)
        assert upload is not None and (upload.user_id, upload.course_slug) == (
            world.coord_a.id,
            "khoa-hoc-mau",
        )
        assert courses.find_course(session, "khoa-hoc-mau") is None

    def test_every_problem_is_listed_with_file_line_and_field(
        self, session: Session, world: World, tmp_path: Path
    ) -> None:
        broken = (
            course_yaml(1)
            .replace("training_hours: 1.5", "training_hours: -1")
            .replace("m1/bai-hai.md", "m1/khong-co.md")
        )
        data = course_zip(tmp_path, "bad", files={"course.yaml": broken})
        preview = uploads.stage_upload(
            session, world.actor(session, world.coord_a), filename="k.zip", data=data
        )
        assert preview.status == "invalid" and preview.upload_id is None
        found = {(p.file, p.line, p.field) for p in preview.problems}
        assert found == {("course.yaml", 10, "training_hours"), ("course.yaml", 16, "modules[1].lessons[2]")}
        assert session.scalars(select(CourseUpload)).all() == []

    def test_a_broken_zip_is_a_clear_error(self, session: Session, world: World) -> None:
        with pytest.raises(InvalidInput, match="not a zip"):
            uploads.stage_upload(
                session, world.actor(session, world.coord_a), filename="k.zip", data=b"not a zip"
            )

    def test_only_course_managers_may_upload(self, session: Session, world: World, tmp_path: Path) -> None:
        for user in (world.hr_a, world.officer_a):
            with pytest.raises(PermissionDenied):
                uploads.stage_upload(
                    session, world.actor(session, user), filename="k.zip", data=course_zip(tmp_path, "v1")
                )

    def test_same_content_is_unchanged_and_not_kept(
        self, session: Session, world: World, tmp_path: Path
    ) -> None:
        coord = world.actor(session, world.coord_a)
        stage_and_import(session, coord, course_zip(tmp_path, "v1"))
        again = uploads.stage_upload(session, coord, filename="k.zip", data=course_zip(tmp_path, "again"))
        assert (again.status, again.current_version, again.upload_id) == ("unchanged", 1, None)

    def test_a_lower_version_is_refused(self, session: Session, world: World, tmp_path: Path) -> None:
        coord = world.actor(session, world.coord_a)
        stage_and_import(session, coord, course_zip(tmp_path, "v3", version=3))
        older = uploads.stage_upload(
            session, coord, filename="k.zip", data=course_zip(tmp_path, "v2", version=2)
        )
        assert (older.status, older.version, older.current_version, older.importable) == (
            "older",
            2,
            3,
            False,
        )
        assert older.upload_id is None

    def test_changes_are_listed_by_stable_id(self, session: Session, world: World, tmp_path: Path) -> None:
        coord = world.actor(session, world.coord_a)
        stage_and_import(session, coord, course_zip(tmp_path, "v1"))
        data = course_zip(
            tmp_path,
            "v2",
            version=2,
            files={
                "course.yaml": WITH_LESSON_THREE,
                "m1/bai-ba.md": LESSON_THREE,
                "m1/bai-mot.md": "---\nid: bai-mot\ntitle: Bài một (sửa)\n---\n\nMới.\n",
            },
        )
        preview = uploads.stage_upload(session, coord, filename="k.zip", data=data)
        assert (preview.status, preview.current_version, preview.same_version) == ("updated", 1, False)
        lessons = preview.changes.lessons
        assert [i.slug for i in lessons.added] == ["bai-ba"]
        assert [(i.slug, i.title) for i in lessons.changed] == [("bai-mot", "Bài một (sửa)")]
        assert lessons.retired == [] and not preview.changes.quizzes.any

    def test_a_change_of_quiz_settings_alone_is_listed(
        self, session: Session, world: World, tmp_path: Path
    ) -> None:
        coord = world.actor(session, world.coord_a)
        stage_and_import(session, coord, course_zip(tmp_path, "v1"))
        timed = QUIZ.replace(
            'title: "Kiểm tra: học phần một"\n', 'title: "Kiểm tra: học phần một"\ntime_limit_minutes: 15\n'
        )
        data = course_zip(tmp_path, "v2", version=2, files={"m1/kiem-tra.yaml": timed})
        preview = uploads.stage_upload(session, coord, filename="k.zip", data=data)
        assert [i.slug for i in preview.changes.quizzes.changed] == ["kiem-tra-mot"]
        assert not preview.changes.lessons.any

    def test_new_content_under_the_same_number_is_flagged(
        self, session: Session, world: World, tmp_path: Path
    ) -> None:
        coord = world.actor(session, world.coord_a)
        stage_and_import(session, coord, course_zip(tmp_path, "v1"))
        data = course_zip(
            tmp_path, "v1b", files={"m1/bai-hai.md": "---\nid: bai-hai\ntitle: Bài hai\n---\n\nKhác.\n"}
        )
        preview = uploads.stage_upload(session, coord, filename="k.zip", data=data)
        assert preview.same_version and [i.slug for i in preview.changes.lessons.changed] == ["bai-hai"]


class TestImport:
    def test_publish_imports_publishes_and_audits(
        self, session: Session, world: World, tmp_path: Path
    ) -> None:
        coord = world.actor(session, world.coord_a)
        preview = uploads.stage_upload(session, coord, filename="k.zip", data=course_zip(tmp_path, "v1"))
        assert preview.upload_id is not None
        outcome = uploads.apply_upload(session, coord, upload_id=preview.upload_id, publish=True)
        assert (outcome.slug, outcome.status, outcome.version, outcome.published) == (
            "khoa-hoc-mau",
            "created",
            1,
            True,
        )
        assert [e.course.slug for e in courses.list_courses(session)] == ["khoa-hoc-mau"]
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "course.import")).one()
        assert (event.actor_id, event.target_id) == (world.coord_a.id, "khoa-hoc-mau")
        assert event.details == {"file": "k.zip", "version": 1, "status": "created", "published": True}
        upload = session.get(CourseUpload, preview.upload_id)
        assert upload is not None and upload.applied_at is not None and upload.data == b""

    def test_a_draft_is_imported_but_hidden(self, session: Session, world: World, tmp_path: Path) -> None:
        stage_and_import(
            session, world.actor(session, world.coord_a), course_zip(tmp_path, "v1"), publish=False
        )
        course = courses.find_course(session, "khoa-hoc-mau")
        assert course is not None and not course.published
        assert courses.list_courses(session) == []
        with pytest.raises(NotFound):
            courses.course_outline(session, "khoa-hoc-mau")

    def test_a_new_version_keeps_the_published_state(
        self, session: Session, world: World, tmp_path: Path
    ) -> None:
        coord = world.actor(session, world.coord_a)
        stage_and_import(session, coord, course_zip(tmp_path, "v1"), publish=False)
        stage_and_import(session, coord, course_zip(tmp_path, "v2", version=2), publish=False)
        course = courses.find_course(session, "khoa-hoc-mau")
        assert course is not None and (course.version, course.published) == (2, False)

    def test_an_upload_is_imported_once(self, session: Session, world: World, tmp_path: Path) -> None:
        coord = world.actor(session, world.coord_a)
        preview = uploads.stage_upload(session, coord, filename="k.zip", data=course_zip(tmp_path, "v1"))
        assert preview.upload_id is not None
        uploads.apply_upload(session, coord, upload_id=preview.upload_id, publish=True)
        with pytest.raises(Conflict, match="already been imported"):
            uploads.apply_upload(session, coord, upload_id=preview.upload_id, publish=True)

    def test_an_upload_belongs_to_its_uploader(self, session: Session, world: World, tmp_path: Path) -> None:
        preview = uploads.stage_upload(
            session, world.actor(session, world.coord_a), filename="k.zip", data=course_zip(tmp_path, "v1")
        )
        assert preview.upload_id is not None
        for user in (world.coord_b, world.admin):
            with pytest.raises(NotFound):
                uploads.apply_upload(
                    session, world.actor(session, user), upload_id=preview.upload_id, publish=True
                )
        with pytest.raises(PermissionDenied):
            uploads.apply_upload(
                session, world.actor(session, world.hr_a), upload_id=preview.upload_id, publish=True
            )

    def test_an_old_preview_expires_and_is_cleared_later(
        self, session: Session, world: World, tmp_path: Path
    ) -> None:
        coord = world.actor(session, world.coord_a)
        preview = uploads.stage_upload(session, coord, filename="k.zip", data=course_zip(tmp_path, "v1"))
        assert preview.upload_id is not None
        session.execute(
            update(CourseUpload).values(created_at=utcnow() - uploads.UPLOAD_TTL - timedelta(minutes=1))
        )
        session.expire_all()
        with pytest.raises(Conflict, match="too old"):
            uploads.apply_upload(session, coord, upload_id=preview.upload_id, publish=True)
        fresh = uploads.stage_upload(session, coord, filename="k.zip", data=course_zip(tmp_path, "v1b"))
        rows = session.execute(select(CourseUpload.id, CourseUpload.created_at)).all()
        assert [row.id for row in rows] == [fresh.upload_id]
        assert utcnow() - rows[0].created_at < timedelta(minutes=1)

    def test_an_import_made_since_the_preview_is_not_overwritten_by_an_older_one(
        self, session: Session, world: World, tmp_path: Path
    ) -> None:
        coord = world.actor(session, world.coord_a)
        stage_and_import(session, coord, course_zip(tmp_path, "v1"))
        slow = uploads.stage_upload(
            session, coord, filename="k.zip", data=course_zip(tmp_path, "v2", version=2)
        )
        stage_and_import(session, world.actor(session, world.admin), course_zip(tmp_path, "v3", version=3))
        assert slow.upload_id is not None
        with pytest.raises(Conflict, match="newer version"):
            uploads.apply_upload(session, coord, upload_id=slow.upload_id, publish=True)

    def test_a_new_version_retires_a_lesson_and_progress_stays_attached(
        self, session: Session, world: World, tmp_path: Path
    ) -> None:
        coord = world.actor(session, world.coord_a)
        stage_and_import(session, coord, course_zip(tmp_path, "v1"))
        officer = world.actor(session, world.officer_a)
        progress.complete_lesson(session, officer, course_slug="khoa-hoc-mau", lesson_slug="bai-mot")
        progress.complete_lesson(session, officer, course_slug="khoa-hoc-mau", lesson_slug="bai-hai")
        before = dict(session.execute(select(Lesson.slug, Lesson.id)).all())

        data = course_zip(tmp_path, "v2", version=2, files={"course.yaml": WITHOUT_LESSON_TWO})
        preview = uploads.stage_upload(session, coord, filename="k.zip", data=data)
        assert [i.slug for i in preview.changes.lessons.retired] == ["bai-hai"]
        assert [i.slug for i in preview.changes.quizzes.retired] == ["kiem-tra-mot"]
        assert preview.upload_id is not None
        uploads.apply_upload(session, coord, upload_id=preview.upload_id, publish=True)

        completions = session.execute(
            select(Lesson.slug, Lesson.id, Lesson.retired)
            .join(LessonCompletion, LessonCompletion.lesson_id == Lesson.id)
            .order_by(Lesson.slug)
        ).all()
        assert completions == [("bai-hai", before["bai-hai"], True), ("bai-mot", before["bai-mot"], False)]
        state = progress.complete_lesson(session, officer, course_slug="khoa-hoc-mau", lesson_slug="bai-mot")
        assert (state.done, state.total) == (1, 1)
        course = session.scalars(select(Course)).one()
        assert course.version == 2


class TestImportZipForScripts:
    def test_dry_run_writes_nothing(self, session: Session, world: World, tmp_path: Path) -> None:
        preview = uploads.import_zip(
            session,
            world.actor(session, world.coord_a),
            filename="k.zip",
            data=course_zip(tmp_path, "v1"),
            publish=True,
            dry_run=True,
        )
        assert (preview.status, preview.written) == ("new", False)
        assert courses.find_course(session, "khoa-hoc-mau") is None
        assert session.scalars(select(CourseUpload)).all() == []

    def test_import_and_publish_again_when_unchanged(
        self, session: Session, world: World, tmp_path: Path
    ) -> None:
        coord = world.actor(session, world.coord_a)
        data = course_zip(tmp_path, "v1")
        first = uploads.import_zip(session, coord, filename="k.zip", data=data, publish=False, dry_run=False)
        assert (first.written, first.current_published) == (True, False)
        second = uploads.import_zip(session, coord, filename="k.zip", data=data, publish=True, dry_run=False)
        assert (second.status, second.written, second.current_published) == ("unchanged", False, True)


def test_the_command_line_import_refuses_to_go_back_a_version(session: Session, tmp_path: Path) -> None:
    courses.import_course_dir(session, write_course(tmp_path / "v2", version=2), max_asset_bytes=1 << 20)
    with pytest.raises(Conflict, match="newer version"):
        courses.import_course_dir(session, write_course(tmp_path / "v1"), max_asset_bytes=1 << 20)
