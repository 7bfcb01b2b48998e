from datetime import UTC, date, datetime

from babel.messages.extract import extract_from_dir

from app import i18n
from app.config import ROOT

KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "N_": None,
    "NotFound": None,
    "InvalidInput": None,
    "Conflict": None,
    "PermissionDenied": None,
    "Unavailable": None,
}


def test_every_ui_string_has_a_vietnamese_translation() -> None:
    catalog = i18n.translations("vi")
    method_map = [("app/**.py", "python"), ("templates/**.html", "jinja2")]
    options = {"templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    missing = []
    for filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map=options, keywords=KEYWORDS
    ):
        if filename.startswith((".venv", "tests", "bench")):
            continue
        msgid = message[0] if isinstance(message, tuple) else message
        translated = (
            catalog.ngettext(msgid, message[1], 1) if isinstance(message, tuple) else catalog.gettext(msgid)
        )
        if translated == msgid:
            missing.append(f"{filename}: {msgid}")
    assert missing == []


def test_dates_are_day_month_year_in_vietnam_time() -> None:
    assert i18n.format_day(date(2026, 3, 5)) == "05/03/2026"
    # 20:00 UTC on 31 Dec is already 1 Jan in Hà Nội.
    assert i18n.format_day(datetime(2025, 12, 31, 20, 0, tzinfo=UTC)) == "01/01/2026"


def test_numbers_use_the_language_decimal_mark() -> None:
    i18n.set_language("vi")
    assert i18n.format_hours(90) == "1,5"
    assert i18n.format_number(12345.5) == "12.345,5"
    i18n.set_language("en")
    assert i18n.format_hours(90) == "1.5"
    i18n.set_language("vi")
