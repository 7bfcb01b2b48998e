"""Class pages for coordinators: list, create and edit classes, find officers and assign them
with a preview first, withdraw, undo a whole assignment, close and reopen."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, Field

from app import flows
from app.classrooms import changes
from app.classrooms import service as classes
from app.courses import service as courses
from app.errors import InvalidInput
from app.http.routing import UnitOfWorkRoute
from app.http.session import SessionDep
from app.i18n import parse_day
from app.orgs import service as orgs
from app.web.auth import CsrfDep, LoggedInDep, redirect_with_flash
from app.web.templating import render

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/classes", include_in_schema=False)
Text = Annotated[str, Form(max_length=300)]


@router.get("", response_class=HTMLResponse, name="classes_page")
def classes_page(request: Request, session: SessionDep, actor: LoggedInDep) -> HTMLResponse:
    rows = classes.visible_classes(session, actor)
    return render(
        request,
        "classrooms/list.html",
        {
            "rows": rows,
            "courses": courses.list_courses(session),
            "units": orgs.visible_units(session, actor, include_closed=False),
        },
    )


class ClassFields(BaseModel):
    """The class form, shared by creating and editing (the course is chosen only at creation)."""

    code: str = Field(max_length=50)
    title: str = Field(max_length=300)
    course: str = Field(default="", max_length=80)
    owner_unit_id: int
    opens_on: str = Field(max_length=10)
    closes_on: str = Field(default="", max_length=10)
    due_on: str = Field(default="", max_length=10)
    capacity: str = Field(default="", max_length=7)
    self_enrol: bool = False

    def form(self, course_slug: str | None = None) -> classes.ClassForm:
        capacity = self.capacity.strip()
        if capacity and not capacity.isdigit():
            raise InvalidInput("The capacity must be at least 1, or left empty.")
        opens_on = parse_day(self.opens_on)
        if opens_on is None:
            raise InvalidInput("Give the date the class opens.")
        return classes.ClassForm(
            code=self.code,
            title=self.title,
            course_slug=course_slug if course_slug is not None else self.course,
            owner_unit_id=self.owner_unit_id,
            opens_on=opens_on,
            closes_on=parse_day(self.closes_on),
            due_on=parse_day(self.due_on),
            capacity=int(capacity) if capacity else None,
            self_enrol=self.self_enrol,
        )


@router.post("", name="class_create_submit", dependencies=[CsrfDep])
def class_create_submit(
    session: SessionDep, actor: LoggedInDep, fields: Annotated[ClassFields, Form()]
) -> RedirectResponse:
    classroom = classes.create_class(session, actor, fields.form())
    return redirect_with_flash(f"/classes/{classroom.id}", "The class has been created.")


@router.get("/{classroom_id}/edit", response_class=HTMLResponse, name="class_edit_page")
def class_edit_page(
    request: Request, session: SessionDep, actor: LoggedInDep, classroom_id: int
) -> HTMLResponse:
    classroom, _ = classes.get_class(session, actor, classroom_id)
    return render(
        request,
        "classrooms/edit.html",
        {
            "classroom": classroom,
            "course": courses.course_by_id(session, classroom.course_id),
            "units": orgs.visible_units(session, actor, include_closed=False),
        },
    )


@router.post("/{classroom_id}/edit", name="class_edit_submit", dependencies=[CsrfDep])
def class_edit_submit(
    session: SessionDep, actor: LoggedInDep, classroom_id: int, fields: Annotated[ClassFields, Form()]
) -> RedirectResponse:
    changes.update_class(session, actor, classroom_id=classroom_id, form=fields.form(course_slug=""))
    return redirect_with_flash(f"/classes/{classroom_id}", "The class has been updated.")


@router.get("/{classroom_id}/find", response_class=HTMLResponse, name="class_find_page")
def class_find_page(
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    classroom_id: int,
    q: Annotated[str, Query(max_length=100)] = "",
) -> HTMLResponse:
    found = changes.find_officers(session, actor, classroom_id=classroom_id, query=q)
    classroom, _ = classes.get_class(session, actor, classroom_id)
    return render(request, "classrooms/find.html", {"classroom": classroom, "found": found, "query": q})


class TargetFields(BaseModel):
    """The assignment form, posted once to preview and once more (as hidden fields) to assign."""

    unit_id: str = Field(default="", max_length=12)
    category: str = Field(default="", max_length=20)
    job_position: str = Field(default="", max_length=300)
    rank: str = Field(default="", max_length=300)
    codes: str = Field(default="", max_length=400_000)
    user_ids: list[int] = Field(default_factory=list, max_length=1000)

    def target(self) -> classes.Target:
        if self.user_ids:
            return classes.Target(user_ids=tuple(dict.fromkeys(self.user_ids)))
        if self.codes.strip():
            return classes.Target(codes=changes.code_list([self.codes]))
        return classes.Target(
            unit_id=int(self.unit_id) if self.unit_id.isdigit() else -1,
            category=self.category or None,
            job_position=self.job_position or None,
            rank=self.rank or None,
        )


Fields = Annotated[TargetFields, Form()]


@router.post(
    "/{classroom_id}/preview",
    response_class=HTMLResponse,
    name="assignment_preview_submit",
    dependencies=[CsrfDep],
)
def assignment_preview_submit(
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    classroom_id: int,
    fields: Fields,
    codes_file: Annotated[UploadFile | None, File()] = None,
) -> HTMLResponse:
    if codes_file is not None and codes_file.filename:
        codes = changes.codes_from_file(codes_file.filename, codes_file.file.read())
        # The preview page posts the codes back as text, so the upload is read only once.
        fields = fields.model_copy(update={"codes": "\n".join(codes), "unit_id": ""})
    counts = classes.preview(session, actor, classroom_id=classroom_id, target=fields.target())
    classroom, _ = classes.get_class(session, actor, classroom_id)
    return render(
        request,
        "classrooms/preview.html",
        {"classroom": classroom, "preview": counts, "fields": fields.model_dump()},
    )


@router.post("/{classroom_id}/assign", name="assignment_submit", dependencies=[CsrfDep])
def assignment_submit(
    session: SessionDep, actor: LoggedInDep, classroom_id: int, fields: Fields
) -> RedirectResponse:
    flows.assign(session, actor, classroom_id=classroom_id, target=fields.target())
    return redirect_with_flash(f"/classes/{classroom_id}", "The officers have been assigned.")


@router.post("/{classroom_id}/withdraw", name="withdrawal_submit", dependencies=[CsrfDep])
def withdrawal_submit(
    session: SessionDep,
    actor: LoggedInDep,
    classroom_id: int,
    user_ids: Annotated[list[int], Form(max_length=20000)],
    reason: Text,
) -> RedirectResponse:
    classes.withdraw(session, actor, classroom_id=classroom_id, user_ids=user_ids, reason=reason)
    return redirect_with_flash(f"/classes/{classroom_id}", "The officers have been withdrawn.")


@router.post("/{classroom_id}/batches/{batch_id}/undo", name="assignment_undo_submit", dependencies=[CsrfDep])
def assignment_undo_submit(
    session: SessionDep, actor: LoggedInDep, classroom_id: int, batch_id: int
) -> RedirectResponse:
    classes.undo_batch(session, actor, classroom_id=classroom_id, batch_id=batch_id)
    return redirect_with_flash(f"/classes/{classroom_id}", "The assignment has been undone.")


@router.post("/{classroom_id}/status", name="class_status_submit", dependencies=[CsrfDep])
def class_status_submit(
    session: SessionDep,
    actor: LoggedInDep,
    classroom_id: int,
    status: Annotated[str, Form(pattern="^(open|closed)$")],
) -> RedirectResponse:
    classes.set_class_status(session, actor, classroom_id=classroom_id, status=status)
    return redirect_with_flash(f"/classes/{classroom_id}", "The class has been updated.")
