"""A class's quizzes for its coordinator: the settings in force with the class's overrides, how
the class is doing, and the item analysis of each quiz (with its CSV)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, StreamingResponse
from pydantic import BaseModel, Field

from app.classrooms import service as classes
from app.config import get_settings
from app.errors import InvalidInput
from app.http.downloads import disposition
from app.http.routing import UnitOfWorkRoute
from app.http.session import SessionDep
from app.quizzes import analysis, overrides
from app.web.auth import CsrfDep, LoggedInDep, redirect_with_flash
from app.web.templating import render, request_language

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/classes", include_in_schema=False)


@router.get("/{classroom_id}/quizzes", response_class=HTMLResponse, name="class_quizzes_page")
def class_quizzes_page(
    request: Request, session: SessionDep, actor: LoggedInDep, classroom_id: int
) -> HTMLResponse:
    items = overrides.class_quizzes(session, actor, classroom_id=classroom_id)
    classroom, _ = classes.get_class(session, actor, classroom_id)
    tz = ZoneInfo(get_settings().timezone)

    def local(value: datetime | None) -> str:
        return value.astimezone(tz).strftime("%Y-%m-%dT%H:%M") if value else ""

    return render(
        request, "quizzes/class_quizzes.html", {"classroom": classroom, "items": items, "local": local}
    )


class OverrideFields(BaseModel):
    """Empty fields keep the quiz file's setting."""

    pass_mark: str = Field(default="", max_length=3)
    time_limit_minutes: str = Field(default="", max_length=3)
    max_attempts: str = Field(default="", max_length=3)
    grading: str = Field(default="", max_length=10)
    draw_count: str = Field(default="", max_length=3)
    shuffle_questions: str = Field(default="", max_length=5)
    shuffle_choices: str = Field(default="", max_length=5)
    review: str = Field(default="", max_length=20)
    opens_at: str = Field(default="", max_length=16)
    closes_at: str = Field(default="", max_length=16)

    def values(self) -> dict[str, Any]:
        tz = ZoneInfo(get_settings().timezone)

        def number(value: str) -> int | None:
            if not value.strip():
                return None
            if not value.strip().isdigit():
                raise InvalidInput("Write numbers with digits only, or leave the field empty.")
            return int(value)

        def moment(value: str) -> datetime | None:
            if not value.strip():
                return None
            try:
                return datetime.fromisoformat(value.strip()).replace(tzinfo=tz)
            except ValueError:
                raise InvalidInput("Write dates as yyyy-mm-dd, or use the date picker.") from None

        def flag(value: str) -> bool | None:
            return {"yes": True, "no": False}.get(value)

        return {
            "pass_mark": number(self.pass_mark),
            "time_limit_minutes": number(self.time_limit_minutes),
            "max_attempts": number(self.max_attempts),
            "grading": self.grading or None,
            "draw_count": number(self.draw_count),
            "shuffle_questions": flag(self.shuffle_questions),
            "shuffle_choices": flag(self.shuffle_choices),
            "review": self.review or None,
            "opens_at": moment(self.opens_at),
            "closes_at": moment(self.closes_at),
        }


@router.post(
    "/{classroom_id}/quizzes/{quiz_id}/settings", name="class_quiz_settings_submit", dependencies=[CsrfDep]
)
def class_quiz_settings_submit(
    session: SessionDep,
    actor: LoggedInDep,
    classroom_id: int,
    quiz_id: int,
    fields: Annotated[OverrideFields, Form()],
) -> RedirectResponse:
    overrides.set_override(session, actor, classroom_id=classroom_id, quiz_id=quiz_id, values=fields.values())
    return redirect_with_flash(
        f"/classes/{classroom_id}/quizzes", "The quiz settings of the class are saved."
    )


@router.get(
    "/{classroom_id}/quizzes/{quiz_id}/analysis", response_class=HTMLResponse, name="class_quiz_analysis_page"
)
def class_quiz_analysis_page(
    request: Request, session: SessionDep, actor: LoggedInDep, classroom_id: int, quiz_id: int
) -> HTMLResponse:
    item = overrides.find_class_quiz(session, actor, classroom_id=classroom_id, quiz_id=quiz_id)
    classroom, _ = classes.get_class(session, actor, classroom_id)
    result = analysis.analyse(
        session, quiz_id=quiz_id, classroom_id=classroom_id, language=request_language(request)
    )
    return render(
        request, "quizzes/analysis.html", {"classroom": classroom, "item": item, "analysis": result}
    )


@router.get("/{classroom_id}/quizzes/{quiz_id}/analysis.csv", name="class_quiz_analysis_csv")
def class_quiz_analysis_csv(
    request: Request, session: SessionDep, actor: LoggedInDep, classroom_id: int, quiz_id: int
) -> StreamingResponse:
    item = overrides.find_class_quiz(session, actor, classroom_id=classroom_id, quiz_id=quiz_id)
    language = request_language(request)
    result = analysis.analyse(session, quiz_id=quiz_id, classroom_id=classroom_id, language=language)
    filename = f"phan-tich-{item.quiz.slug}.csv"
    return StreamingResponse(
        analysis.analysis_csv(result, language=language),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": disposition(filename)},
    )
