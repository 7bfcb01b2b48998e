"""Vietnamese text helpers: NFC normalisation, accent folding and name sort keys."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
# NFD leaves đ/Đ whole (they are letters, not d plus a mark), so they are mapped by hand.
_LETTER_MAP = str.maketrans({"đ": "d", "Đ": "D"})


def nfc(value: str) -> str:
    """Return the NFC form, so text typed with combining marks equals precomposed text."""
    return unicodedata.normalize("NFC", value)


def squash(value: str) -> str:
    """NFC with every run of white space made one space and the ends trimmed: typed text as kept."""
    return _SPACES.sub(" ", nfc(value)).strip()


def text_key(value: str) -> str:
    """squash() and case-folded, so texts that differ only in case or spacing compare equal."""
    return nfc(squash(value).casefold())


def fold(value: str) -> str:
    """Lower-case, strip diacritics and collapse spaces: the form stored and searched."""
    decomposed = unicodedata.normalize("NFD", value.translate(_LETTER_MAP))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped).strip().casefold()


def file_name(value: str, default: str) -> str:
    """The last part of an uploaded file's name, as kept and shown: NFC, without control or
    invisible characters (a NUL cannot be stored in PostgreSQL), at most 200 characters."""
    base = nfc(value).replace("\\", "/").rsplit("/", 1)[-1]
    kept = "".join(ch for ch in base if unicodedata.category(ch) not in ("Cc", "Cf")).strip()
    return kept[:200] or default


def has_control(value: str) -> bool:
    """Whether text holds a control or invisible character (a line break, a NUL, a bidi mark):
    none belongs in a code that ends up in file names, headers and URLs."""
    return any(unicodedata.category(ch) in ("Cc", "Cf") for ch in value)


OFFICER_CODE = re.compile(r"[\w.\-/]+")


def search_terms(query: str) -> list[str]:
    """Split a search box entry into folded terms; every term must match. A control character
    separates words (PostgreSQL cannot even be sent a NUL) and an invisible one is dropped."""
    visible = "".join(
        " " if kind == "Cc" else ch for ch in query if (kind := unicodedata.category(ch)) != "Cf"
    )
    return [term for term in fold(visible).split(" ") if term]


# Marks that make a different letter (ă â ê ô ơ ư) rank after the plain letter; tone marks only
# break ties, in the traditional order ngang, huyền, hỏi, ngã, sắc, nặng.
_LETTER_MARKS = {"\u0306": "1", "\u0302": "2", "\u031b": "3"}
_TONE_MARKS = {"\u0300": "1", "\u0309": "2", "\u0303": "3", "\u0301": "4", "\u0323": "5"}


def collation_key(value: str) -> tuple[str, str]:
    """Sort key in Vietnamese alphabet order (a ă â b c d đ e ê …), tones as tie-breakers."""
    letters: list[str] = []
    tones: list[str] = []
    for ch in unicodedata.normalize("NFD", value.casefold()):
        if ch in _LETTER_MARKS and letters:
            letters[-1] = letters[-1][0] + _LETTER_MARKS[ch]
        elif ch in _TONE_MARKS and tones:
            tones[-1] = _TONE_MARKS[ch]
        elif not unicodedata.combining(ch):
            letters.append("d9" if ch == "đ" else ch + "0")
            tones.append("0")
    return ("".join(letters), "".join(tones))


def name_sort_key(full_name: str) -> tuple[tuple[str, str], tuple[str, str]]:
    """Vietnamese name order: by given name (the last word), then by the whole name."""
    words = nfc(full_name).split()
    given = words[-1] if words else ""
    return (collation_key(given), collation_key(" ".join(words)))


def name_sort_value(full_name: str) -> str:
    """name_sort_key as one ASCII string, stored so the database can sort and page names the
    Vietnamese way. '!' separates parts because it sorts before every letter code."""
    (given, given_tones), (whole, whole_tones) = name_sort_key(full_name)
    return f"{given}!{whole}!{given_tones}!{whole_tones}"[:600]


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def excel_safe(value: str) -> str:
    """A cell for an exported CSV: text that Excel would run as a formula gets a leading '."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value
