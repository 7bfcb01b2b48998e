"""Reading a roster file (CSV or XLSX) into clean rows, with every problem named by row, column
and reason, all of a row's problems and not only its first. Pure: no database. Which column
holds which field comes from the headers (app.accounts.roster_columns) or from a mapping chosen
on the column-mapping page; the file's rows and cells come from app.accounts.roster_files."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from app.accounts.models import EMAIL
from app.accounts.roster_columns import REQUIRED, problems, read_columns, recognised
from app.accounts.roster_errors import RowError, in_order
from app.accounts.roster_files import BLANK, RosterUnreadable, table_rows
from app.i18n import N_, format_day
from app.text import FORMULA_STARTS, OFFICER_CODE, fold, nfc

MAX_ROWS = 200_000
# The longest text each field may hold: the length of its column in the users table.
MAX_LENGTH = {
    "officer_code": 50,
    "full_name": 200,
    "unit": 300,
    "email": 254,
    "phone": 30,
    "rank": 200,
    "position": 200,
    "job_position": 200,
    "category": 50,
}
TEXT_FIELDS = tuple(MAX_LENGTH)
PHONE = re.compile(r"^\+?[0-9 .()\-]+$")
# A date as people write it: day, month and a four-digit year, or the ISO order.
DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
YEAR_MONTH_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
EARLIEST_BIRTH = date(1900, 1, 1)
CATEGORY_WORDS = {
    "can bo": "can_bo",
    "cong chuc": "cong_chuc",
    "vien chuc": "vien_chuc",
    "khac": "other",
    "other": "other",
    "can_bo": "can_bo",
    "cong_chuc": "cong_chuc",
    "vien_chuc": "vien_chuc",
}


@dataclass
class RosterRow:
    row: int
    officer_code: str
    full_name: str
    unit: str
    birth_date: date | None = None
    email: str | None = None
    phone: str | None = None
    category: str = "other"
    rank: str | None = None
    position: str | None = None
    job_position: str | None = None
    # Fields whose cell has a problem (left empty here): the row is not imported, and its other
    # cells are still checked against the records so that every problem is listed at once.
    bad: frozenset[str] = frozenset()


@dataclass
class ParsedRoster:
    # Rows without any problem.
    rows: list[RosterRow] = field(default_factory=list)
    # Rows with a problem, kept for the checks that need the database.
    flawed: list[RosterRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    # Field → the header of its column, and → its place in the file.
    columns: dict[str, str] = field(default_factory=dict)
    positions: dict[str, int] = field(default_factory=dict)
    # Rows with data (every row after the header that is not blank).
    count: int = 0

    def problem(self, row: int, name: str | None, template: str, **values: object) -> RowError:
        """A problem of a field's cell on a row (of the whole row when name is None)."""
        if name is None:
            return RowError(row, None, template, values)
        return RowError(row, self.columns.get(name, name), template, values, self.positions.get(name, -1))


def read_roster(filename: str, data: bytes, fields: Sequence[str | None] | None = None) -> ParsedRoster:
    """The rows of a roster file; fields, when given, is the field of each column by its place
    (None: not read), as chosen on the mapping page; otherwise the headers say."""
    if not filename.lower().endswith((".xlsx", ".csv", ".txt")):
        result = ParsedRoster()
        result.errors.append(RowError(0, None, N_("Use a .csv or .xlsx file.")))
        return result
    return _parse(table_rows(filename, data), fields)


def _parse(source: Iterator[list[object]], fields: Sequence[str | None] | None) -> ParsedRoster:
    result = ParsedRoster()
    try:
        lines = iter(source)
        header = next(lines, None)
        if header is None:
            result.errors.append(RowError(1, None, N_("The file is empty.")))
            return result
        columns = read_columns(header, len(fields) if fields is not None else None)
        chosen = list(fields) if fields is not None else recognised(columns)
        chosen = (chosen + [None] * len(columns))[: len(columns)]
        result.errors.extend(problems(columns, chosen))
        if result.errors:
            return result
        for column, name in zip(columns, chosen, strict=True):
            if name is not None:
                result.columns[name] = column.title
                result.positions[name] = column.position
        seen_codes: dict[str, int] = {}
        seen_emails: dict[str, int] = {}
        for number, values in enumerate(lines, start=2):
            if values is BLANK or not any(v not in (None, "") and str(v).strip() for v in values):
                continue
            # Counted by place in the file, blank rows included: a far cell is a problem of its own.
            if number - 1 > MAX_ROWS:
                result.errors.append(
                    RowError(number, None, N_("more than {limit} rows; split the file"), {"limit": MAX_ROWS})
                )
                break
            result.count += 1
            row = _row(number, values, result)
            if row.officer_code in seen_codes:
                result.errors.append(
                    result.problem(
                        number,
                        "officer_code",
                        N_("code {code} also on row {other}"),
                        code=row.officer_code,
                        other=seen_codes[row.officer_code],
                    )
                )
                row.bad |= {"officer_code"}
            elif row.officer_code:
                seen_codes[row.officer_code] = number
            if row.email and row.email in seen_emails:
                result.errors.append(
                    result.problem(
                        number,
                        "email",
                        N_("e-mail {email} also on row {other}"),
                        email=row.email,
                        other=seen_emails[row.email],
                    )
                )
                row.bad |= {"email"}
            elif row.email:
                seen_emails[row.email] = number
            (result.flawed if row.bad else result.rows).append(row)
    except RosterUnreadable as exc:
        result.errors.append(exc.error)
    result.errors = in_order(result.errors)
    return result


def _cell(values: list[object], position: int | None) -> object:
    if position is None or position >= len(values):
        return None
    value = values[position]
    return value.strip() if isinstance(value, str) else value


def _text(value: object) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    # Invisible format characters (zero-width spaces, direction marks) come with text copied
    # from web pages; they would make equal names differ, so they go.
    visible = "".join(ch for ch in nfc(str(value)) if unicodedata.category(ch) != "Cf")
    cleaned = " ".join(visible.split())
    return cleaned or None


def _field_problem(name: str, raw: object, value: str) -> tuple[str, dict[str, object]] | None:
    """Why a text cell cannot be stored (template and values), or None."""
    if isinstance(raw, bool | date | time | timedelta):
        # A spreadsheet turned the cell into TRUE/FALSE, a date or a time.
        return N_("is not text (a true/false, date or time cell); format the column as text"), {}
    if len(value) > MAX_LENGTH[name]:
        return N_("longer than {limit} characters"), {"limit": MAX_LENGTH[name]}
    if any(unicodedata.category(ch) == "Cc" for ch in value):
        return N_("holds a control character"), {}
    if name == "phone" and PHONE.match(value):
        return None
    if value.startswith(FORMULA_STARTS):
        # Spreadsheets would run it as a formula when the data is exported again.
        return N_("starts with a formula sign (= + - @); remove it"), {}
    if name == "officer_code" and not OFFICER_CODE.fullmatch(value):
        return N_("'{code}' may hold only letters, digits, '.', '-' and '/'"), {"code": value}
    if name == "email" and not EMAIL.match(value.lower()):
        return N_("'{email}' is not an e-mail address"), {"email": value}
    if name == "category" and fold(value) not in CATEGORY_WORDS:
        return N_("'{value}' is not a category: use cán bộ, công chức, viên chức or khác"), {"value": value}
    return None


def _row(number: int, values: list[object], result: ParsedRoster) -> RosterRow:
    """The row's cells, each checked; a cell with a problem is left empty and named in bad."""
    bad: set[str] = set()

    def flag(name: str, template: str, **found: object) -> None:
        result.errors.append(result.problem(number, name, template, **found))
        bad.add(name)

    texts: dict[str, str | None] = {}
    for name in TEXT_FIELDS:
        raw = _cell(values, result.positions.get(name))
        value = _text(raw)
        problem = _field_problem(name, raw, value) if value is not None else None
        if problem is not None:
            flag(name, problem[0], **problem[1])
            continue
        texts[name] = value
        if name in REQUIRED and value is None:
            flag(name, N_("is empty"))
    birth = _date(_cell(values, result.positions.get("birth_date")))
    if isinstance(birth, tuple):
        flag("birth_date", birth[0], **birth[1])
    category = texts.get("category")
    return RosterRow(
        row=number,
        officer_code=texts.get("officer_code") or "",
        full_name=texts.get("full_name") or "",
        unit=texts.get("unit") or "",
        birth_date=birth if isinstance(birth, date) else None,
        email=(texts.get("email") or "").lower() or None,
        phone=texts.get("phone"),
        category=CATEGORY_WORDS[fold(category)] if category else "other",
        rank=texts.get("rank"),
        position=texts.get("position"),
        job_position=texts.get("job_position"),
        bad=frozenset(bad),
    )


def _date(value: object) -> date | tuple[str, dict[str, object]] | None:
    """A date of birth; None when empty; the problem (template, values) when it cannot be one."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        text = _text(value) or ""
        found = DAY_MONTH_YEAR.match(text)
        iso = YEAR_MONTH_DAY.match(text)
        if found is None and iso is None:
            return N_("'{value}' is not a date; write it as dd/mm/yyyy"), {"value": text}
        day, month, year = (found[1], found[2], found[3]) if found else (iso[3], iso[2], iso[1])  # type: ignore[index]
        try:
            value = date(int(year), int(month), int(day))
        except ValueError:
            # Written the right way but absent from the calendar (31/02, month 13): "write
            # dd/mm/yyyy" would only puzzle whoever wrote it.
            return N_("there is no such day as {value}"), {"value": text}
    if value < EARLIEST_BIRTH:
        return N_("the date {value} is before 1900"), {"value": format_day(value)}
    if value > date.today():
        return N_("the date {value} is in the future"), {"value": format_day(value)}
    return value
