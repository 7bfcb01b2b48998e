"""Class pages for coordinators: list and create classes, assign officers with a preview first,
withdraw, undo a whole assignment, close and reopen."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, Field

from app.api.deps import SessionDep
from app.classrooms import service as classes
from app.courses import service as courses
from app.i18n import today
from app.orgs import service as orgs
from app.progress import service as progress
from app.web.auth import CsrfDep, LoggedInDep, redirect_with_flash
from app.web.templating import render

router = APIRouter(prefix="/classes", include_in_schema=False)
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


@router.post("", name="class_create_submit", dependencies=[CsrfDep])
def class_create_submit(
    session: SessionDep,
    actor: LoggedInDep,
    code: Annotated[str, Form(max_length=50)],
    title: Text,
    course: Annotated[str, Form(max_length=80)],
    owner_unit_id: Annotated[int, Form()],
    opens_on: Annotated[date, Form()],
    closes_on: Annotated[str, Form(max_length=10)] = "",
    due_on: Annotated[str, Form(max_length=10)] = "",
    capacity: Annotated[str, Form(max_length=7)] = "",
    self_enrol: Annotated[bool, Form()] = False,
) -> RedirectResponse:
    form = classes.ClassForm(
        code=code,
        title=title,
        course_slug=course,
        owner_unit_id=owner_unit_id,
        opens_on=opens_on,
        closes_on=date.fromisoformat(closes_on) if closes_on else None,
        due_on=date.fromisoformat(due_on) if due_on else None,
        capacity=int(capacity) if capacity.strip().isdigit() else None,
        self_enrol=self_enrol,
    )
    classroom = classes.create_class(session, actor, form)
    return redirect_with_flash(f"/classes/{classroom.id}", "The class has been created.")


@router.get("/{classroom_id}", response_class=HTMLResponse, name="class_page")
def class_page(request: Request, session: SessionDep, actor: LoggedInDep, classroom_id: int) -> HTMLResponse:
    classroom, unit = classes.get_class(session, actor, classroom_id)
    return render(
        request,
        "classrooms/detail.html",
        {
            "classroom": classroom,
            "unit": unit,
            "roster": classes.roster(session, actor, classroom_id=classroom_id),
            "progress": progress.class_progress(session, classroom),
            "today": today(),
            "batches": classes.batches(session, actor, classroom_id=classroom_id),
            "units": orgs.visible_units(session, actor, include_closed=False),
        },
    )


class TargetFields(BaseModel):
    """The assignment form, posted once to preview and once more (as hidden fields) to assign."""

    unit_id: str = Field(default="", max_length=12)
    category: str = Field(default="", max_length=20)
    job_position: str = Field(default="", max_length=300)
    rank: str = Field(default="", max_length=300)
    codes: str = Field(default="", max_length=400_000)

    def target(self) -> classes.Target:
        if self.codes.strip():
            words = self.codes.replace(",", "\n").replace(";", "\n").split()
            return classes.Target(codes=tuple(dict.fromkeys(words))[:20000])
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
    request: Request, session: SessionDep, actor: LoggedInDep, classroom_id: int, fields: Fields
) -> HTMLResponse:
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
    classes.assign(session, actor, classroom_id=classroom_id, target=fields.target())
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
    classes.undo_batch(session, actor, batch_id=batch_id)
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
