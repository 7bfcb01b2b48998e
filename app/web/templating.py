"""Jinja environment for the pages: gettext, formatting filters and the render helper."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from app import i18n
from app.config import ROOT, get_settings
from app.http.auth import CSRF_COOKIE, csrf_token
from app.orgs.permissions import ANONYMOUS, Actor, Permission
from app.web import labels  # noqa: F401 - registers the translated code words
from app.web.auth import FLASH_COOKIE, take_flash

LANG_COOKIE = "hocso_lang"

env = Environment(
    loader=FileSystemLoader(ROOT / "templates"),
    autoescape=select_autoescape(["html"]),
    extensions=["jinja2.ext.i18n"],
    trim_blocks=True,
    lstrip_blocks=True,
    # Checking template files for changes costs a stat() per render; only useful while editing.
    auto_reload=get_settings().environment == "development",
)
env.install_gettext_callables(i18n.gettext_, i18n.ngettext_, newstyle=True)  # type: ignore[attr-defined]
env.filters["day"] = i18n.format_day
env.filters["moment"] = i18n.format_moment
env.filters["number"] = i18n.format_number
env.filters["hours"] = i18n.format_hours
env.globals["perm"] = Permission


def request_language(request: Request) -> str:
    chosen = request.cookies.get(LANG_COOKIE, "")
    return chosen if chosen in i18n.LANGUAGES else get_settings().default_language


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, *, status_code: int = 200
) -> HTMLResponse:
    language = request_language(request)
    i18n.set_language(language)
    actor = getattr(request.state, "actor", None)
    flashed = take_flash(request)
    kept = flashed["typed"] if flashed else {}

    def typed(name: str, default: object = "") -> object:
        """What was typed into this field before the form came back with an error, or default."""
        return kept.get(name, default)

    html = env.get_template(template).render(
        request=request,
        lang=language,
        current_path=_current_path(request),
        actor=actor if isinstance(actor, Actor) else ANONYMOUS,
        csrf_token=lambda: csrf_token(request),
        flash=flashed,
        typed=typed,
        unread_notices=getattr(request.state, "unread_notices", 0),
        **(context or {}),
    )
    response = HTMLResponse(html, status_code=status_code)
    new_csrf = getattr(request.state, "csrf_cookie", None)
    if new_csrf and new_csrf != request.cookies.get(CSRF_COOKIE):
        response.set_cookie(
            CSRF_COOKIE,
            new_csrf,
            httponly=True,
            samesite="lax",
            secure=get_settings().cookie_secure,
            path="/",
        )
    if getattr(request.state, "flash_taken", False):
        response.delete_cookie(FLASH_COOKIE, path="/")
    return response


def _current_path(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")
