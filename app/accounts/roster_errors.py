"""A problem found in a roster: the row and column it is on and what is wrong, kept as an English
template with named placeholders ("code {code} also on row {other}") and their values, so each
reader gets it in its own language: the pages translate the template and then fill it in, the
API and the command line read it in English. Values are the file's own text and are never
translated, except a Term (a field's name), which is a msgid itself."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from app.i18n import format_number, gettext_


class Term(str):
    """A value that is a msgid (a field's name), translated along with the message."""

    __slots__ = ()


@dataclass(frozen=True)
class RowError:
    row: int
    column: str | None
    template: str
    values: Mapping[str, object] = field(default_factory=dict, hash=False)
    # The column's place in the file, so a row's problems are listed left to right.
    position: int = field(default=-1, compare=False)

    @property
    def message(self) -> str:
        """The message in English, as the API and the command line give it."""
        return self.render(str, lambda number: f"{number:,}")

    def translated(self) -> str:
        """The message in the language of the page being drawn."""
        return self.render(gettext_, lambda number: format_number(number, 0))

    def render(self, gettext: Callable[[str], str], number: Callable[[int], str]) -> str:
        values = {
            name: gettext(value)
            if isinstance(value, Term)
            else number(value)
            if isinstance(value, int) and not isinstance(value, bool)
            else value
            for name, value in self.values.items()
        }
        try:
            return gettext(self.template).format(**values)
        except (KeyError, IndexError, ValueError):
            # A translation that names a placeholder the template lacks: the English still reads.
            return self.template.format(**values)

    def __str__(self) -> str:
        if not self.row:
            return self.message
        where = f"row {self.row}" + (f", column '{self.column}'" if self.column else "")
        return f"{where}: {self.message}"


def in_order(errors: list[RowError]) -> list[RowError]:
    """Row by row, and in each row from the leftmost column; problems of a whole row first."""
    return sorted(errors, key=lambda error: (error.row, error.position))
