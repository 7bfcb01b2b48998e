"""Dependencies of the JSON API alone: the language of texts rendered for API callers. What the
API shares with the pages is in app.http."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request


def api_language(request: Request) -> str:
    """Texts rendered for API callers: English when the caller asks for it, else Vietnamese."""
    return "en" if request.headers.get("accept-language", "").lower().startswith("en") else "vi"


LanguageDep = Annotated[str, Depends(api_language)]
