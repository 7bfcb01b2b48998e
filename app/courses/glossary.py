"""The shared glossary (courses/thuat-ngu.yaml): one written form per term across every course,
and where a course's text uses a form the glossary says to avoid.

Matching ignores case and takes whole words only, so avoiding "khóa" never flags "khóa học" inside
another word; an `allow` phrase (e.g. "trẻ em") covers a hit that is a different word in context.
See courses/README.md, "Thuật ngữ dùng chung", for the format."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.courses.checks import Checker, ContentError
from app.courses.content import ContentInvalid
from app.courses.yamlnodes import YamlProblem, load_with_lines
from app.text import nfc

GLOSSARY_FILE = "thuat-ngu.yaml"
ENTRY_FIELDS = ("use", "avoid", "allow", "first", "why")
# Characters that only dress a word up in Markdown, skipped when checking what follows a term.
_MARKUP = re.compile(r"[*_`]")


@dataclass(frozen=True)
class Term:
    use: str
    avoid: tuple[re.Pattern[str], ...]
    allow: tuple[re.Pattern[str], ...]
    first: str | None
    why: str
    line: int | None

    def avoided(self, text: str) -> list[tuple[int, str]]:
        """Where each avoided form appears in text (offset, as written there), in order."""
        allowed = [m.span() for pattern in self.allow for m in pattern.finditer(text)]
        found: list[tuple[int, str]] = []
        for pattern in self.avoid:
            for m in pattern.finditer(text):
                start, end = m.span()
                if not any(a < end and start < b for a, b in allowed):
                    found.append((start, " ".join(m.group(0).split())))
        return sorted(found)

    def uses(self, text: str) -> list[tuple[int, bool]]:
        """Where the term itself appears, and whether it is written there in its first-time form."""
        if self.first is None:
            return []
        rest = self.first[len(self.use) :].strip().casefold()
        return [
            (
                m.start(),
                _MARKUP.sub("", text[m.end() : m.end() + 4 * len(rest)]).lstrip().casefold().startswith(rest),
            )
            for m in _word(self.use).finditer(text)
        ]


@dataclass(frozen=True)
class Glossary:
    terms: tuple[Term, ...] = ()


def _word(phrase: str) -> re.Pattern[str]:
    """A phrase as whole words, any case, any run of spaces between its words."""
    words = [re.escape(w) for w in nfc(phrase).split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE)


def find_glossary(path: Path, fallback: Path) -> Path | None:
    """The glossary for a course folder or a folder of courses: beside the courses (the folder
    itself, then its parent), else in the site's courses folder."""
    for folder in (path, path.parent, fallback):
        candidate = folder / GLOSSARY_FILE
        if candidate.is_file():
            return candidate
    return None


def load_glossary(path: Path | None) -> Glossary:
    """Read and check the glossary file; ContentInvalid names the line of every bad entry."""
    if path is None:
        return Glossary()
    try:
        data, lines = load_with_lines(nfc(path.read_text(encoding="utf-8-sig")))
    except (OSError, UnicodeDecodeError) as exc:
        raise ContentInvalid([ContentError(GLOSSARY_FILE, None, None, f"cannot be read: {exc}")]) from exc
    except YamlProblem as exc:
        problem = ContentError(GLOSSARY_FILE, exc.line, None, f"not valid YAML: {exc.message}")
        raise ContentInvalid([problem]) from exc
    check = Checker(GLOSSARY_FILE, lines)
    root = check.mapping(data, ()) or {}
    terms = [_term(raw, ("terms", i), check) for i, raw in enumerate(check.items(root, (), "terms"))]
    if check.errors:
        raise ContentInvalid(check.errors)
    return Glossary(tuple(t for t in terms if t is not None))


def _term(raw: Any, path: tuple[str | int, ...], check: Checker) -> Term | None:
    entry = check.mapping(raw, path)
    if entry is None:
        return None
    for key in entry:
        if key not in ENTRY_FIELDS:
            check.error(
                (*path, str(key)), f"'{key}' is not a field of a term; use: " + ", ".join(ENTRY_FIELDS)
            )
    use = check.text(entry, path, "use")
    why = check.text(entry, path, "why", required=False, max_len=500) or ""
    first = check.text(entry, path, "first", required=False)
    avoid = _phrases(entry, path, "avoid", check, required=first is None)
    allow = _phrases(entry, path, "allow", check, required=False)
    if use is not None and first is not None and not first.casefold().startswith(use.casefold()):
        check.error((*path, "first"), f"must start with '{use}', the form used after the first time")
    if use is None:
        return None
    return Term(use, avoid, allow, first, why, check.lines.get(path))


def _phrases(
    entry: dict[str, Any], path: tuple[str | int, ...], key: str, check: Checker, *, required: bool
) -> tuple[re.Pattern[str], ...]:
    found = []
    for j, raw in enumerate(check.items(entry, path, key, minimum=1 if required else 0, required=required)):
        text = check.text_value(raw, (*path, key, j))
        if text is not None:
            found.append(_word(text))
    return tuple(found)
