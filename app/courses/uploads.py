"""Courses uploaded as a zip: check and preview (what the import would change), keep the zip
between the preview and the import, and import it, all-or-nothing, published or as a draft.

The zip is parsed by the same code as `hocso courses check`, so both report the same problems.
An upload is owned by its uploader, expires, and can be imported once."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Literal

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from app.audit.recorder import record
from app.config import get_settings
from app.courses.archive import Limits, unpack_course_zip
from app.courses.changes import CourseChanges, ItemChanges, compare
from app.courses.checks import ContentError
from app.courses.content import ContentInvalid, CourseSpec, parse_course_dir
from app.courses.glossary import Glossary, find_glossary, load_glossary
from app.courses.importer import ImportStatus, upsert_course
from app.courses.models import Course, CourseUpload
from app.courses.publishing import mark_published
from app.courses.quality import CourseWarning
from app.courses.review import review_course
from app.courses.service import clear_content_cache
from app.db import utcnow
from app.errors import Conflict, NotFound, PermissionDenied
from app.orgs.permissions import Actor, Permission
from app.text import file_name

UPLOAD_TTL = timedelta(hours=2)
PreviewStatus = Literal["new", "updated", "unchanged", "older", "invalid"]


@dataclass
class CoursePreview:
    """What a zip holds and what importing it would do. `problems` lists every error found in
    the files; when there is any, nothing else is known and nothing can be imported."""

    filename: str
    status: PreviewStatus
    problems: list[ContentError] = field(default_factory=list)
    # What `hocso courses check` warns about (quiz quality, terms, hours): shown, never blocking.
    warnings: list[CourseWarning] = field(default_factory=list)
    slug: str = ""
    title_vi: str = ""
    title_en: str = ""
    version: int = 0
    module_count: int = 0
    lesson_count: int = 0
    quiz_count: int = 0
    current_version: int | None = None
    current_published: bool | None = None
    changes: CourseChanges = field(default_factory=lambda: CourseChanges(ItemChanges(), ItemChanges()))
    upload_id: int | None = None
    written: bool = False

    @property
    def importable(self) -> bool:
        return self.status in ("new", "updated")

    @property
    def same_version(self) -> bool:
        """New content under the number already on the site: allowed, but authors should raise it."""
        return self.status == "updated" and self.version == self.current_version

    def title(self, lang: str) -> str:
        return self.title_en if lang == "en" else self.title_vi


@dataclass(frozen=True)
class ImportOutcome:
    slug: str
    status: ImportStatus
    version: int
    published: bool


def read_course_zip(data: bytes, *, review: bool = False) -> tuple[CourseSpec, list[CourseWarning]]:
    """Unpack into a temporary folder and parse; InvalidInput for a bad zip, ContentInvalid for
    bad course files. With review, also the warnings `hocso courses check` would give, against
    the site's glossary (a broken glossary is left out: warnings never block an upload).
    Nothing of the folder outlives the call."""
    settings = get_settings()
    with tempfile.TemporaryDirectory(prefix="hocso-course-") as folder:
        root = unpack_course_zip(data, Path(folder), Limits(max_zip_bytes=settings.max_upload_bytes))
        spec = parse_course_dir(root, max_asset_bytes=settings.max_asset_bytes)
        if not review:
            return spec, []
        try:
            glossary = load_glossary(find_glossary(settings.courses_dir, settings.courses_dir))
        except ContentInvalid:
            glossary = Glossary()
        return spec, review_course(root, spec, glossary).warnings


def _safe_filename(filename: str) -> str:
    return file_name(filename, "course.zip")


def _preview(session: Session, filename: str, spec: CourseSpec) -> CoursePreview:
    preview = CoursePreview(
        filename=filename,
        status="new",
        slug=spec.id,
        title_vi=spec.title["vi"],
        title_en=spec.title["en"],
        version=spec.version,
        module_count=len(spec.modules),
        lesson_count=len(spec.lessons),
        quiz_count=sum(1 for m in spec.modules if m.quiz is not None),
    )
    course = session.scalar(select(Course).where(Course.slug == spec.id))
    if course is None:
        return preview
    preview.current_version = course.version
    preview.current_published = course.published
    if course.content_hash == spec.content_hash:
        preview.status = "unchanged"
    elif spec.version < course.version:
        preview.status = "older"
    else:
        preview.status = "updated"
        preview.changes = compare(session, course, spec)
    return preview


def preview_zip(
    session: Session, actor: Actor, *, filename: str, data: bytes
) -> tuple[CoursePreview, CourseSpec | None]:
    """Check a zip and say what importing it would do; writes nothing."""
    actor.require_any(Permission.COURSES_MANAGE)
    name = _safe_filename(filename)
    try:
        spec, warnings = read_course_zip(data, review=True)
    except ContentInvalid as exc:
        return CoursePreview(filename=name, status="invalid", problems=exc.errors), None
    preview = _preview(session, name, spec)
    preview.warnings = warnings
    return preview, spec


def stage_upload(session: Session, actor: Actor, *, filename: str, data: bytes) -> CoursePreview:
    """Preview a zip and, when it can be imported, keep it for the uploader to confirm."""
    if actor.user_id is None:
        # A preview waits for the person who made it; a token has nobody to come back.
        raise PermissionDenied("Please log in first.")
    preview, spec = preview_zip(session, actor, filename=filename, data=data)
    # Old previews nobody confirmed would otherwise keep their zips forever.
    session.execute(delete(CourseUpload).where(CourseUpload.created_at < utcnow() - UPLOAD_TTL))
    if spec is not None and preview.importable:
        upload = CourseUpload(
            user_id=actor.user_id,
            filename=preview.filename,
            course_slug=spec.id,
            version=spec.version,
            content_hash=spec.content_hash,
            data=data,
        )
        session.add(upload)
        session.flush()
        preview.upload_id = upload.id
    return preview


def apply_upload(session: Session, actor: Actor, *, upload_id: int, publish: bool) -> ImportOutcome:
    """Import a previewed zip. It is parsed again and compared again with the site, so an import
    made by someone else since the preview is respected, never overwritten with an older one."""
    actor.require_any(Permission.COURSES_MANAGE)
    upload = session.get(CourseUpload, upload_id)
    if upload is None or actor.user_id is None or upload.user_id != actor.user_id:
        raise NotFound("No such upload.")
    if upload.applied_at is not None:
        raise Conflict("This upload has already been imported.")
    if utcnow() - upload.created_at > UPLOAD_TTL:
        raise Conflict("The preview is too old; upload the file again.")
    # Claimed by one statement, so two confirmations (two tabs, two app servers) import once.
    claimed = session.execute(
        update(CourseUpload)
        .where(CourseUpload.id == upload.id, CourseUpload.applied_at.is_(None))
        .values(applied_at=utcnow())
    )
    if int(getattr(claimed, "rowcount", 0) or 0) != 1:
        raise Conflict("This upload has already been imported.")
    spec, _ = read_course_zip(upload.data)
    if spec.content_hash != upload.content_hash:
        raise Conflict("The file no longer matches its preview; upload it again.")
    outcome = import_spec(session, actor, spec, publish=publish, filename=upload.filename)
    upload.data = b""
    return outcome


def import_zip(
    session: Session, actor: Actor, *, filename: str, data: bytes, publish: bool, dry_run: bool
) -> CoursePreview:
    """Check and, unless dry_run or it cannot be imported, import at once (the JSON API's path:
    a script needs no separate confirmation). The preview says whether it was written."""
    preview, spec = preview_zip(session, actor, filename=filename, data=data)
    if spec is None or dry_run or preview.status in ("older", "invalid"):
        return preview
    outcome = import_spec(session, actor, spec, publish=publish, filename=preview.filename)
    preview.written = outcome.status != "unchanged"
    preview.current_published = outcome.published
    return preview


def import_spec(
    session: Session, actor: Actor, spec: CourseSpec, *, publish: bool, filename: str
) -> ImportOutcome:
    """Write the course in the caller's transaction. publish=True publishes it; otherwise a new
    course stays a draft and an existing one keeps its state."""
    actor.require_any(Permission.COURSES_MANAGE)
    # Serialises two imports of the same course on PostgreSQL (SQLite has one writer anyway).
    current = session.scalar(select(Course).where(Course.slug == spec.id).with_for_update())
    changes = compare(session, current, spec) if current is not None else None
    result = upsert_course(session, spec)
    course = current or session.scalar(select(Course).where(Course.slug == spec.id))
    assert course is not None
    if publish and not course.published:
        mark_published(session, course, True)
    elif not publish and current is None:
        mark_published(session, course, False)
    clear_content_cache()
    details: dict[str, object] = {
        "file": filename,
        "version": result.version,
        "status": result.status,
        "published": course.published,
    }
    if changes is not None:
        for kind, found in (("lessons", changes.lessons), ("quizzes", changes.quizzes)):
            details[kind] = {
                "added": [i.slug for i in found.added],
                "changed": [i.slug for i in found.changed],
                "retired": [i.slug for i in found.retired],
            }
    record(session, actor, "course.import", target_type="course", target_id=spec.id, details=details)
    return ImportOutcome(spec.id, result.status, result.version, course.published)
