"""Site-wide pages and behaviour: language switch, each role's home, and the HTML error pages."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import RedirectResponse

from app.http.routing import UnitOfWorkRoute
from app.i18n import LANGUAGES
from app.orgs.permissions import Actor, Permission
from app.web.auth import ActorDep
from app.web.templating import LANG_COOKIE

router = APIRouter(route_class=UnitOfWorkRoute, include_in_schema=False)


def safe_next(target: str | None) -> str:
    """Only same-site paths: a crafted link must not bounce visitors to another site."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def home_of(actor: Actor) -> str:
    """Where a person's day starts: staff on their working page, the role with the widest
    reach first; an officer on their own learning; a visitor on the catalogue."""
    if actor.has_permission(Permission.ORG_MANAGE):
        return "/admin"
    if actor.has_permission(Permission.OFFICERS_MANAGE):
        return "/reports/units"
    if actor.has_permission(Permission.CLASSES_MANAGE):
        return "/classes"
    return "/learning" if actor.authenticated else "/"


@router.get("/home", name="home_page")
def home_page(actor: ActorDep) -> RedirectResponse:
    return RedirectResponse(home_of(actor), status_code=303)


@router.get("/lang/{code}", name="language_switch")
def language_switch(code: str, next: str = "/") -> RedirectResponse:
    # Changes only the visitor's own preference cookie, never server state, so a plain link
    # (working without JavaScript) is enough and no CSRF token is involved.
    response = RedirectResponse(safe_next(next), status_code=303)
    if code in LANGUAGES:
        response.set_cookie(LANG_COOKIE, code, max_age=365 * 24 * 3600, httponly=True, samesite="lax")
    return response
