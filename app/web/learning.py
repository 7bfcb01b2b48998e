"""The officer's own pages: my learning, joining an open class, finishing a lesson, starting a
course again."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from app import flows
from app.certificates import service as certificates
from app.classrooms import changes
from app.http.routing import UnitOfWorkRoute
from app.http.session import SessionDep
from app.i18n import today
from app.progress import access, mine
from app.progress import service as progress
from app.progress.path import course_path
from app.web.auth import CsrfDep, LoggedInDep, redirect_with_flash
from app.web.templating import render

router = APIRouter(route_class=UnitOfWorkRoute, include_in_schema=False)


@router.get("/learning", response_class=HTMLResponse, name="my_learning_page")
def my_learning_page(request: Request, session: SessionDep, actor: LoggedInDep) -> HTMLResponse:
    items = mine.my_learning(session, actor, today=today())
    joinable = mine.joinable_classes(session, actor, today=today())
    issued = certificates.my_certificates_by_course(session, actor)
    # What is left of each course, quizzes included, and the step to take next.
    paths = {item.course.id: course_path(session, actor.user_id, item.course.id) for item in items}
    return render(
        request,
        "learning/mine.html",
        {"items": items, "joinable": joinable, "certificates": issued, "paths": paths},
    )


@router.post("/learning/classes/{classroom_id}/join", name="class_join_submit", dependencies=[CsrfDep])
def class_join_submit(session: SessionDep, actor: LoggedInDep, classroom_id: int) -> RedirectResponse:
    changes.join_class(session, actor, classroom_id=classroom_id, today=today())
    return redirect_with_flash("/learning", "You have joined the class.")


@router.post(
    "/courses/{slug}/lessons/{lesson}/complete", name="lesson_complete_submit", dependencies=[CsrfDep]
)
def lesson_complete_submit(
    session: SessionDep, actor: LoggedInDep, slug: str, lesson: str
) -> RedirectResponse:
    state = flows.complete_lesson(session, actor, course_slug=slug, lesson_slug=lesson)
    if state.completed_at is not None and state.next_lesson_slug is None:
        return redirect_with_flash("/learning", "You have completed the course.")
    # On to the next step of the course's path, a lesson or the module's quiz.
    following = access.lesson_view(session, actor, slug, lesson).next
    target = following.url(slug) if following is not None else f"/courses/{slug}"
    return redirect_with_flash(target, "Lesson marked as finished.")


@router.post("/courses/{slug}/retake", name="course_retake_submit", dependencies=[CsrfDep])
def course_retake_submit(session: SessionDep, actor: LoggedInDep, slug: str) -> RedirectResponse:
    progress.start_retake(session, actor, course_slug=slug)
    return redirect_with_flash(
        f"/courses/{slug}", "A new round of this course has started; the earlier one is kept."
    )
