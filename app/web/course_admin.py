"""Course management pages: every course with its state, uploading a course zip with a preview
before the import, and publishing or unpublishing a course."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse

from app.config import get_settings
from app.courses import publishing, uploads
from app.errors import InvalidInput
from app.http.routing import UnitOfWorkRoute
from app.http.session import SessionDep
from app.web.auth import CsrfDep, LoggedInDep, redirect_with_flash
from app.web.templating import render

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/admin/courses", include_in_schema=False)


@router.get("", response_class=HTMLResponse, name="courses_admin_page")
def courses_admin_page(request: Request, session: SessionDep, actor: LoggedInDep) -> HTMLResponse:
    rows = publishing.managed_courses(session, actor)
    return render(request, "courses/admin.html", {"rows": rows})


@router.post("/upload", response_class=HTMLResponse, name="course_upload_submit", dependencies=[CsrfDep])
def course_upload_submit(
    request: Request, session: SessionDep, actor: LoggedInDep, file: UploadFile
) -> HTMLResponse:
    limit = get_settings().max_upload_bytes
    data = file.file.read(limit + 1)
    if len(data) > limit:
        raise InvalidInput("The file is too large.")
    preview = uploads.stage_upload(session, actor, filename=file.filename or "", data=data)
    return render(request, "courses/preview.html", {"preview": preview})


@router.post("/uploads/{course_upload_id}/import", name="course_import_submit", dependencies=[CsrfDep])
def course_import_submit(
    session: SessionDep,
    actor: LoggedInDep,
    course_upload_id: int,
    publish: Annotated[bool, Form()] = False,
) -> RedirectResponse:
    outcome = uploads.apply_upload(session, actor, upload_id=course_upload_id, publish=publish)
    if outcome.published:
        return redirect_with_flash("/admin/courses", "The course has been imported and is published.")
    return redirect_with_flash(
        "/admin/courses", "The course has been imported as a draft; it is not in the catalogue yet."
    )


@router.post("/{slug}/publish", name="course_publish_submit", dependencies=[CsrfDep])
def course_publish_submit(session: SessionDep, actor: LoggedInDep, slug: str) -> RedirectResponse:
    publishing.set_published(session, actor, slug=slug, published=True)
    return redirect_with_flash("/admin/courses", "The course is published and appears in the catalogue.")


@router.post("/{slug}/unpublish", name="course_unpublish_submit", dependencies=[CsrfDep])
def course_unpublish_submit(session: SessionDep, actor: LoggedInDep, slug: str) -> RedirectResponse:
    publishing.set_published(session, actor, slug=slug, published=False)
    return redirect_with_flash(
        "/admin/courses",
        "The course is no longer published. Officers who had started it can still finish it.",
    )
