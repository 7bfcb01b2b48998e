"""Quiz pages: the quiz's page with one's attempts, taking an attempt (a plain form that works
without JavaScript; quiz.js adds autosave and a countdown), and the result with its review."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from app import flows
from app.certificates import service as certificates
from app.db import utcnow
from app.http.routing import UnitOfWorkRoute
from app.http.session import SessionDep
from app.i18n import today
from app.orgs.permissions import Actor
from app.progress.path import course_path
from app.quizzes import attempts, review
from app.quizzes.models import AttemptStatus, QuizAttempt
from app.rounds.models import ProgressCycle
from app.web.auth import ActorDep, CsrfDep, LoggedInDep, redirect_with_flash
from app.web.templating import render

router = APIRouter(route_class=UnitOfWorkRoute, include_in_schema=False)

MAX_FIELDS = 400


@router.get("/courses/{slug}/quizzes/{quiz}", response_class=HTMLResponse, name="quiz_page")
def quiz_page(request: Request, session: SessionDep, actor: ActorDep, slug: str, quiz: str) -> HTMLResponse:
    ref = attempts.find_quiz(session, slug, quiz)
    overview = review.quiz_overview(session, actor, ref)
    return render(
        request,
        "quizzes/quiz.html",
        {
            "ref": ref,
            "settings": overview.settings,
            "mine": overview.attempts,
            "used": overview.used,
            "question_count": overview.question_count,
        },
    )


@router.post("/courses/{slug}/quizzes/{quiz}/start", name="quiz_start_submit", dependencies=[CsrfDep])
def quiz_start_submit(session: SessionDep, actor: LoggedInDep, slug: str, quiz: str) -> RedirectResponse:
    attempt = flows.start_attempt(session, actor, course_slug=slug, quiz_slug=quiz, now=utcnow())
    return RedirectResponse(f"/attempts/{attempt.id}", status_code=303)


@router.get("/attempts/{attempt_id}", response_class=HTMLResponse, name="attempt_page")
def attempt_page(request: Request, session: SessionDep, actor: LoggedInDep, attempt_id: int) -> HTMLResponse:
    page = flows.attempt_page(session, actor, attempt_id=attempt_id, now=utcnow())
    if page.attempt.status != AttemptStatus.OPEN:
        return render(request, "quizzes/result.html", _result(session, actor, page.attempt))
    return render(request, "quizzes/attempt.html", {"page": page})


def answers_from_form(form: FormData) -> dict[int, object]:
    """Answers from the attempt form. Every question on the page is listed in a hidden `shown`
    field, so one with nothing ticked or typed is cleared rather than ignored."""
    shown = [int(v) for v in form.getlist("shown")[:MAX_FIELDS] if isinstance(v, str) and v.isdigit()]
    answers: dict[int, object] = {}
    for question_id in shown:
        key = f"q{question_id}"
        values = [v for v in form.getlist(key) if isinstance(v, str)]
        pairs = {
            name.split(".", 1)[1]: value
            for name, value in form.multi_items()
            if name.startswith(key + ".") and isinstance(value, str) and value
        }
        answers[question_id] = (
            pairs if pairs else (values if len(values) > 1 else (values[0] if values else None))
        )
    return answers


async def attempt_form(request: Request) -> FormData:
    """The posted attempt form; its field names carry question ids, so it is read whole (once:
    the CSRF check has parsed it already, with Starlette's limits on fields and sizes)."""
    return await request.form()


AttemptForm = Annotated[FormData, Depends(attempt_form)]


@router.post("/attempts/{attempt_id}/save", name="attempt_save_submit", dependencies=[CsrfDep])
def attempt_save_submit(
    session: SessionDep, actor: LoggedInDep, attempt_id: int, form: AttemptForm
) -> RedirectResponse:
    flows.save_answers(session, actor, attempt_id=attempt_id, answers=answers_from_form(form), now=utcnow())
    return redirect_with_flash(f"/attempts/{attempt_id}", "Your answers are saved.")


@router.post("/attempts/{attempt_id}/submit", name="attempt_submit", dependencies=[CsrfDep])
def attempt_submit(
    session: SessionDep, actor: LoggedInDep, attempt_id: int, form: AttemptForm
) -> RedirectResponse:
    flows.submit_attempt(session, actor, attempt_id=attempt_id, answers=answers_from_form(form), now=utcnow())
    return RedirectResponse(f"/attempts/{attempt_id}", status_code=303)


def _result(session: Session, actor: Actor, attempt: QuizAttempt) -> dict[str, object]:
    shown = review.result(session, attempt, now=utcnow(), today=today())
    cycle = session.get(ProgressCycle, attempt.cycle_id)
    return {
        # What comes next on the course's path, or the course completed and its certificate.
        "path": course_path(session, actor.user_id, shown.course.id),
        "completed": cycle is not None and cycle.completed_at is not None,
        "certificate": certificates.my_certificates_by_course(session, actor).get(shown.course.id),
        "attempt": shown.attempt,
        "settings": shown.settings,
        "quiz": shown.quiz,
        "course": shown.course,
        "review_open": shown.review_open,
        "reviewed": shown.reviewed,
    }
