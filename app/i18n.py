"""UI translations (Babel catalogs in app/translations) and locale-aware formatting.

Catalogs are compiled from the .po files in memory at first use, so a checkout needs no build
step. The UI language of the current render is kept in a context variable."""

from __future__ import annotations

import gettext
import re
from contextvars import ContextVar
from datetime import date, datetime
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

from app.errors import InvalidInput

LANGUAGES = ("vi", "en")
TRANSLATIONS_DIR = Path(__file__).parent / "translations"
_current: ContextVar[str] = ContextVar("hocso_language", default="vi")


@lru_cache
def translations(language: str) -> gettext.NullTranslations:
    po = TRANSLATIONS_DIR / language / "LC_MESSAGES" / "messages.po"
    if not po.is_file():
        return gettext.NullTranslations()
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def set_language(language: str) -> None:
    _current.set(language if language in LANGUAGES else "vi")


def current_language() -> str:
    return _current.get()


def gettext_(message: str) -> str:
    return translations(_current.get()).gettext(message)


def ngettext_(singular: str, plural: str, n: int) -> str:
    return translations(_current.get()).ngettext(singular, plural, n)


def format_day(value: date | datetime, tz: str = "Asia/Ho_Chi_Minh") -> str:
    """dd/mm/yyyy in both languages, as officers write dates."""
    if isinstance(value, datetime):
        value = value.astimezone(ZoneInfo(tz)).date()
    return value.strftime("%d/%m/%Y")


def today(tz: str = "Asia/Ho_Chi_Minh") -> date:
    """Today's date where the officers are (dated changes take effect on local days)."""
    return datetime.now(ZoneInfo(tz)).date()


def local_day_start(day: date, tz: str = "Asia/Ho_Chi_Minh") -> datetime:
    """The moment a local calendar day begins, for filtering UTC timestamps by local dates."""
    return datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(tz))


def format_moment(value: datetime, tz: str = "Asia/Ho_Chi_Minh") -> str:
    return format_datetime(value, "HH:mm dd/MM/yyyy", tzinfo=ZoneInfo(tz), locale=_current.get())


def format_number(value: float, digits: int = 2) -> str:
    return format_decimal(round(value, digits), locale=_current.get())


def format_hours(minutes: int) -> str:
    return format_number(minutes / 60)


def N_(message: str) -> str:
    """Marks a string for the catalog where it is translated later, at display time."""
    return message


_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DMY_DAY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def parse_day(text: str) -> date | None:
    """A day as people and forms send it: empty is None; yyyy-mm-dd (date inputs, the API) or
    dd/mm/yyyy (typed, as Vietnamese write dates). Anything else is refused with the usual
    message, and a day that does not exist (30/02) with one that says so; never a server error."""
    text = text.strip()
    if not text:
        return None
    found = _DMY_DAY.match(text)
    try:
        if _ISO_DAY.match(text):
            return date.fromisoformat(text)
        if found:
            return date(int(found[3]), int(found[2]), int(found[1]))
    except ValueError:
        # Written right but no such day (30/02, month 13): "write dd/mm/yyyy" would only puzzle.
        raise InvalidInput("This date does not exist on the calendar; check the day and the month.") from None
    raise InvalidInput("Write dates as dd/mm/yyyy.")
