"""Is a page speaking English to a Vietnamese reader? Its texts are compared with the catalogue:
an English msgid whose Vietnamese differs must never be shown as it is, and a text that bypassed
gettext altogether is told by its words, which are the catalogue's English ones."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from babel.messages.pofile import read_po

from app.config import ROOT

PO = ROOT / "app" / "translations" / "vi" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%[sd]|\{[a-z_]*\}")
VIETNAMESE = re.compile(r"[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]", re.I)
RAW = re.compile(r"(^|; )[a-z]+(_[a-z]+)+: |: (None|True|False)(;|$)|: \[")
KEY = re.compile(r"(?:^|; )([^:;]{2,40}): ")
# Codes, addresses, file names and browsers' names: words joined by dots, slashes and the like.
NOT_PROSE = re.compile(r"[@/_]|\w\.\w|\w-\w")


@dataclass(frozen=True)
class Catalogue:
    """English msgids whose Vietnamese differs (strings the same in both are names and codes), as
    exact strings and, with their placeholders, as patterns; and the words of those msgids that
    no Vietnamese translation uses."""

    exact: frozenset[str]
    patterns: tuple[tuple[re.Pattern[str], str], ...]
    words: frozenset[str]

    def english(self, text: str) -> bool:
        if text in self.exact or any(pattern.fullmatch(text) for pattern, _ in self.patterns):
            return True
        # Recorded details ("label: value; …") whose labels are raw keys or English words, or
        # whose values are Python's: a dictionary printed as it is stored.
        if RAW.search(text) or any(self._words(key, at_least=1) for key in KEY.findall(text)):
            return True
        # Text that never went through gettext: no Vietnamese letter, and most of its words (two
        # at least) are the catalogue's English ones.
        if VIETNAMESE.search(text) or NOT_PROSE.search(text):
            return False
        return self._words(text, at_least=2)

    def _words(self, text: str, *, at_least: int) -> bool:
        """Most of the text's words (and `at_least` of them) are the catalogue's English ones."""
        if VIETNAMESE.search(text):
            return False
        tokens = [token.lower() for token in re.findall(r"[A-Za-z]+", text)]
        english = [token for token in tokens if token in self.words]
        return len(english) >= at_least and len(english) * 3 >= len(tokens) * 2


@cache
def catalogue() -> Catalogue:
    with PO.open("rb") as po:
        catalog = read_po(po)
    exact: set[str] = set()
    patterns = []
    english_words: set[str] = set()
    vietnamese_words: set[str] = set()
    for message in catalog:
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string or ())
        for translated in strings:
            vietnamese_words.update(
                word.lower() for word in re.findall(r"[A-Za-z]+", PLACEHOLDER.sub("", translated or ""))
            )
        for msgid in ids:
            if not re.search(r"[A-Za-z]{2}", msgid) or msgid in strings:
                continue
            english_words.update(
                word.lower() for word in re.findall(r"[A-Za-z]{3,}", PLACEHOLDER.sub("", msgid))
            )
            if PLACEHOLDER.search(msgid):
                pieces = [" ".join(piece.split()) for piece in PLACEHOLDER.split(msgid)]
                # Placeholders with next to no words around them match too much to tell.
                if sum(len(piece) for piece in pieces) >= 8:
                    patterns.append((re.compile(".+?".join(re.escape(piece) for piece in pieces)), msgid))
            else:
                exact.add(" ".join(msgid.split()))
    return Catalogue(frozenset(exact), tuple(patterns), frozenset(english_words - vietnamese_words))


def english_on(texts: dict[str, list[str]]) -> list[tuple[str, str]]:
    """(page, text) for each English text shown on the pages."""
    check = catalogue()
    return sorted({(url, text) for url, shown in texts.items() for text in shown if check.english(text)})
