"""Pages of the course catalogue: catalogue with search, course outline, lesson, lesson images."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from app.courses import service
from app.http.routing import UnitOfWorkRoute
from app.http.security import MEDIA_CSP
from app.http.session import SessionDep
from app.progress import access
from app.progress import service as progress
from app.progress.path import course_path
from app.web.auth import ActorDep
from app.web.templating import render

router = APIRouter(route_class=UnitOfWorkRoute, include_in_schema=False)


@router.get("/", response_class=HTMLResponse, name="catalogue_page")
def catalogue_page(
    request: Request, session: SessionDep, actor: ActorDep, q: Annotated[str, Query(max_length=200)] = ""
) -> HTMLResponse:
    entries = service.list_courses(session, query=q)
    return render(request, "courses/catalogue.html", {"entries": entries, "query": q.strip()})


@router.get("/courses/{slug}", response_class=HTMLResponse, name="course_page")
def course_page(request: Request, session: SessionDep, actor: ActorDep, slug: str) -> HTMLResponse:
    outline = access.course_outline(session, actor, slug)
    path = course_path(session, actor.user_id, outline.course.id)
    done = {f"{step.link.kind}:{step.link.slug}" for step in path.steps if step.done}
    return render(request, "courses/course.html", {"outline": outline, "path": path, "done": done})


@router.get("/courses/{slug}/lessons/{lesson}", response_class=HTMLResponse, name="lesson_page")
def lesson_page(
    request: Request, session: SessionDep, actor: ActorDep, slug: str, lesson: str
) -> HTMLResponse:
    view = access.lesson_view(session, actor, slug, lesson)
    done = progress.lesson_done(session, actor, course_slug=slug, lesson_slug=lesson)
    return render(request, "courses/lesson.html", {"view": view, "done": done})


@router.get("/courses/{slug}/media/{path:path}", name="course_media")
def course_media(session: SessionDep, actor: ActorDep, slug: str, path: str) -> Response:
    media = access.course_media(session, actor, slug, path)
    return Response(
        media.asset.data,
        media_type=media.asset.media_type,
        headers={
            "Cache-Control": "public, max-age=86400" if media.public else "private, max-age=300",
            "ETag": f'"{media.asset.sha256}"',
            "Content-Security-Policy": MEDIA_CSP,
        },
    )
