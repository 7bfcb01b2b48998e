"""Which column of a roster holds which field. The header spellings recognised (Vietnamese or
English, with or without accents, as HR spreadsheets vary), the columns that never hold data
(a row number: STT, TT, Số TT), and the checks every mapping passes, whether recognised from the
headers or chosen by hand on the column-mapping page: each required field in one column, no
field in two."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from itertools import islice

from app.accounts.roster_errors import RowError, Term
from app.accounts.roster_files import BLANK, table_rows
from app.i18n import N_
from app.text import fold, nfc

# The fields in the order the mapping page offers them, with their names as the pages show them.
LABELS = {
    "officer_code": N_("Officer code"),
    "full_name": N_("Full name"),
    "unit": N_("Unit"),
    "birth_date": N_("Date of birth"),
    "email": N_("E-mail"),
    "phone": N_("Phone"),
    "category": N_("Category"),
    "rank": N_("Rank or title"),
    "position": N_("Position"),
    "job_position": N_("Job position"),
}
REQUIRED = ("officer_code", "full_name", "unit")
# Folded header text → field. "CBCC(VC)" and "CBCNV" are the usual abbreviations of cán bộ,
# công chức (viên chức) and công nhân viên; "số hiệu" is the officer's number in many units.
HEADERS = {
    "officer_code": (
        "ma can bo",
        "ma cb",
        "ma cbcc",
        "ma cbccvc",
        "ma cbcnv",
        "ma so can bo",
        "ma so",
        "so hieu",
        "so hieu can bo",
        "officer code",
        "code",
        "staff code",
    ),
    "full_name": ("ho va ten", "ho ten", "full name", "name"),
    "birth_date": ("ngay sinh", "ngay thang nam sinh", "date of birth", "birth date"),
    "email": ("email", "e-mail", "thu dien tu", "dia chi email"),
    "phone": ("dien thoai", "so dien thoai", "sdt", "phone", "phone number"),
    "unit": ("don vi", "ma don vi", "ten don vi", "co quan don vi", "unit", "unit code", "department"),
    "category": (
        "loai can bo",
        "loai",
        "loai cbccvc",
        "phan loai",
        "doi tuong",
        "category",
        "personnel category",
    ),
    "rank": ("ngach", "ngach chuc danh", "chuc danh nghe nghiep", "ngach hoac chuc danh", "rank", "title"),
    "position": ("chuc vu", "position"),
    "job_position": ("vi tri viec lam", "job position"),
}
# A row number holds no data; such a column is neither a problem nor a column to map.
ROW_NUMBERS = ("stt", "tt", "so tt", "so thu tu", "no")
LOOKUP = {spelling: name for name, spellings in HEADERS.items() for spelling in spellings}
PUNCTUATION = re.compile(r"[/_.:*()\[\]]")
SAMPLE_ROWS = 3


@dataclass(frozen=True)
class Column:
    position: int
    header: str
    # The field its header names, or None.
    guess: str | None
    # A row number or a column without a header: passed over unless chosen by hand.
    ignored: bool

    @property
    def letter(self) -> str:
        letters, number = "", self.position + 1
        while number:
            number, rest = divmod(number - 1, 26)
            letters = chr(ord("A") + rest) + letters
        return letters

    @property
    def title(self) -> str:
        """How problems name the column: its header, or its letter when it has none."""
        return self.header or self.letter

    @property
    def known(self) -> bool:
        return self.guess is not None or self.ignored


def _key(header: str) -> str:
    return " ".join(PUNCTUATION.sub(" ", fold(header)).split())


def _filled(cells: Sequence[object]) -> int:
    """How many cells up to the last one that is not empty: a workbook's rows come padded."""
    return next((n for n in range(len(cells), 0, -1) if str(cells[n - 1] or "").strip()), 0)


def read_columns(header: Sequence[object], width: int | None = None) -> list[Column]:
    """The columns up to the last header (or width, when data goes further than the headers)."""
    columns = []
    for position in range(max(_filled(header), width or 0)):
        raw = header[position] if position < len(header) else None
        label = " ".join(nfc(str(raw if raw is not None else "")).split())
        key = _key(label)
        columns.append(Column(position, label, LOOKUP.get(key), not key or key in ROW_NUMBERS))
    return columns


def recognised(columns: Sequence[Column]) -> list[str | None]:
    return [column.guess for column in columns]


def needs_choosing(columns: Sequence[Column]) -> bool:
    """Whether the mapping page comes before the preview: a header not recognised, or the
    recognised ones missing a field or naming one twice."""
    return any(not column.known for column in columns) or bool(problems(columns, recognised(columns)))


def problems(columns: Sequence[Column], fields: Sequence[str | None]) -> list[RowError]:
    """What is wrong with giving each column the field at its place in fields (None: ignored)."""
    errors = []
    for name in REQUIRED:
        if name not in fields:
            examples = " / ".join(f"'{s}'" for s in HEADERS[name][:2] + HEADERS[name][-2:-1])
            errors.append(
                RowError(
                    1,
                    None,
                    N_("no column for {field} (a header such as {examples})"),
                    {"field": Term(LABELS[name]), "examples": examples},
                )
            )
    for name in LABELS:
        chosen = [column for column, field in zip(columns, fields, strict=False) if field == name]
        if len(chosen) > 1:
            errors.append(
                RowError(
                    1,
                    chosen[1].title,
                    N_("several columns hold {field}: {columns}; keep one"),
                    {"field": Term(LABELS[name]), "columns": ", ".join(f"'{c.title}'" for c in chosen)},
                    position=chosen[1].position,
                )
            )
    return errors


def clean_choice(columns: Sequence[Column], chosen: Sequence[str]) -> list[str | None]:
    """A mapping as the form sends it (one value per column, "" to ignore) with anything that
    is not a field ignored, sized to the file's columns."""
    fields: list[str | None] = [name if name in LABELS else None for name in chosen[: len(columns)]]
    return fields + [None] * (len(columns) - len(fields))


@dataclass(frozen=True)
class Sample:
    columns: list[Column]
    # The first rows with data, each cell as text, as wide as the header.
    rows: list[list[str]]


def sample(filename: str, data: bytes) -> Sample:
    """The header and the first rows of a file, for the mapping page; a column without a header
    that holds data is one to map too. RosterUnreadable if the file cannot be read that far."""
    lines = iter(table_rows(filename, data))
    header = next(lines, [])
    with_data = (v for v in lines if v is not BLANK and any(str(c or "").strip() for c in v))
    first = list(islice(with_data, SAMPLE_ROWS))
    columns = read_columns(header, max([_filled(values) for values in first], default=0))
    rows = [
        [_shown(values[c.position]) if c.position < len(values) else "" for c in columns] for values in first
    ]
    return Sample(columns, rows)


def _shown(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return " ".join(str(value).split())[:80]
