"""Site-wide pages and behaviour: language switch, and the HTML error pages."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import RedirectResponse

from app.i18n import LANGUAGES
from app.web.templating import LANG_COOKIE

router = APIRouter(include_in_schema=False)


def safe_next(target: str | None) -> str:
    """Only same-site paths: a crafted link must not bounce visitors to another site."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@router.get("/lang/{code}", name="language_switch")
def language_switch(code: str, next: str = "/") -> RedirectResponse:
    # Changes only the visitor's own preference cookie, never server state, so a plain link
    # (working without JavaScript) is enough and no CSRF token is involved.
    response = RedirectResponse(safe_next(next), status_code=303)
    if code in LANGUAGES:
        response.set_cookie(LANG_COOKIE, code, max_age=365 * 24 * 3600, httponly=True, samesite="lax")
    return response
