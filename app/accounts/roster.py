"""Reading a roster file (CSV or XLSX) into clean rows, with every problem named by row, column
and reason. Pure: no database. Headers may be Vietnamese or English, with or without accents."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from app.text import fold, nfc

MAX_ROWS = 200_000
MAX_CELL = 300

# Folded header text → field. Several spellings of each, as HR spreadsheets vary.
HEADERS = {
    "officer_code": ("ma can bo", "ma cb", "ma so can bo", "ma so", "officer code", "code", "staff code"),
    "full_name": ("ho va ten", "ho ten", "full name", "name"),
    "birth_date": ("ngay sinh", "ngay thang nam sinh", "date of birth", "birth date"),
    "email": ("email", "e-mail", "thu dien tu", "dia chi email"),
    "phone": ("dien thoai", "so dien thoai", "sdt", "phone", "phone number"),
    "unit": ("don vi", "ma don vi", "ten don vi", "co quan don vi", "unit", "unit code", "department"),
    "category": ("loai can bo", "phan loai", "doi tuong", "category", "personnel category"),
    "rank": ("ngach", "ngach chuc danh", "chuc danh nghe nghiep", "ngach hoac chuc danh", "rank", "title"),
    "position": ("chuc vu", "position"),
    "job_position": ("vi tri viec lam", "job position"),
}
REQUIRED = ("officer_code", "full_name", "unit")
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
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class RowError:
    row: int
    column: str | None
    message: str

    def __str__(self) -> str:
        where = f"row {self.row}" + (f", column '{self.column}'" if self.column else "")
        return f"{where}: {self.message}"


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


@dataclass
class ParsedRoster:
    rows: list[RosterRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)


def read_roster(filename: str, data: bytes) -> ParsedRoster:
    lower = filename.lower()
    if lower.endswith(".xlsx"):
        return _parse(_xlsx_rows(data))
    if lower.endswith((".csv", ".txt")):
        return _parse(_csv_rows(data))
    result = ParsedRoster()
    result.errors.append(RowError(0, None, "Use a .csv or .xlsx file."))
    return result


def table_rows(filename: str, data: bytes) -> Iterator[list[object]]:
    """The rows of a .csv/.txt (UTF-8, delimiter sniffed) or .xlsx file, as lists of cells."""
    if filename.lower().endswith(".xlsx"):
        return _xlsx_rows(data)
    return _csv_rows(data)


def _csv_rows(data: bytes) -> Iterator[list[object]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise RosterUnreadable(f"line {line}: the file is not UTF-8 text; save it as 'CSV UTF-8'") from exc
    sample = text[:4096]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    yield from csv.reader(io.StringIO(text, newline=""), dialect)


def _xlsx_rows(data: bytes) -> Iterator[list[object]]:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            # A zip bomb expands far beyond its size; refuse before openpyxl inflates it.
            if sum(info.file_size for info in archive.infolist()) > 200 * len(data) + 50_000_000:
                raise RosterUnreadable("the workbook expands to an implausible size")
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise RosterUnreadable("the file is not a valid .xlsx workbook") from exc
    sheet = book.worksheets[0]
    for values in sheet.iter_rows(values_only=True):
        yield list(values)
    book.close()


class RosterUnreadable(Exception):
    pass


def _parse(source: Iterator[list[object]]) -> ParsedRoster:
    result = ParsedRoster()
    try:
        lines = iter(source)
        header = next(lines, None)
        if header is None:
            result.errors.append(RowError(1, None, "The file is empty."))
            return result
        index = _map_headers(header, result)
        if result.errors:
            return result
        seen_codes: dict[str, int] = {}
        seen_emails: dict[str, int] = {}
        for number, values in enumerate(lines, start=2):
            if not any(v not in (None, "") and str(v).strip() for v in values):
                continue
            if number - 1 > MAX_ROWS:
                result.errors.append(RowError(number, None, f"more than {MAX_ROWS:,} rows; split the file"))
                break
            row = _row(number, values, index, result)
            if row is None:
                continue
            if row.officer_code in seen_codes:
                result.errors.append(
                    RowError(
                        number,
                        result.columns["officer_code"],
                        f"code {row.officer_code} also on row {seen_codes[row.officer_code]}",
                    )
                )
                continue
            seen_codes[row.officer_code] = number
            if row.email:
                if row.email in seen_emails:
                    result.errors.append(
                        RowError(
                            number, result.columns["email"], f"e-mail also on row {seen_emails[row.email]}"
                        )
                    )
                    continue
                seen_emails[row.email] = number
            result.rows.append(row)
    except RosterUnreadable as exc:
        result.errors.append(RowError(0, None, str(exc)))
    except csv.Error as exc:
        result.errors.append(RowError(0, None, f"the CSV file is malformed: {exc}"))
    return result


def _map_headers(header: list[object], result: ParsedRoster) -> dict[str, int]:
    lookup = {spelling: name for name, spellings in HEADERS.items() for spelling in spellings}
    index: dict[str, int] = {}
    for position, raw in enumerate(header):
        label = nfc(str(raw or "")).strip()
        name = lookup.get(fold(label).replace("/", " ").replace("_", " "))
        if name is None:
            continue
        if name in index:
            result.errors.append(RowError(1, label, f"a second column for {name}"))
            continue
        index[name] = position
        result.columns[name] = label
    for name in REQUIRED:
        if name not in index:
            spellings = " / ".join(f"'{s}'" for s in HEADERS[name][:2] + HEADERS[name][-2:-1])
            result.errors.append(RowError(1, None, f"no column for {name} (a header such as {spellings})"))
    return index


def _cell(values: list[object], index: dict[str, int], name: str) -> object:
    position = index.get(name)
    if position is None or position >= len(values):
        return None
    value = values[position]
    return value.strip() if isinstance(value, str) else value


def _text(value: object) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    cleaned = " ".join(nfc(str(value)).split())
    return cleaned or None


def _row(number: int, values: list[object], index: dict[str, int], result: ParsedRoster) -> RosterRow | None:
    before = len(result.errors)

    def bad(name: str, message: str) -> None:
        result.errors.append(RowError(number, result.columns.get(name, name), message))

    texts: dict[str, str | None] = {}
    for name in (
        "officer_code",
        "full_name",
        "unit",
        "email",
        "phone",
        "rank",
        "position",
        "job_position",
        "category",
    ):
        value = _text(_cell(values, index, name))
        if value is not None and len(value) > MAX_CELL:
            bad(name, f"longer than {MAX_CELL} characters")
            value = None
        if value is not None and value[0] in "=+@" and name != "email":
            # Spreadsheets would run it as a formula when the data is exported again.
            bad(name, "starts with a formula sign (= + @); remove it")
            continue
        texts[name] = value
    for name in REQUIRED:
        if name in texts and not texts[name]:
            bad(name, "is empty")
    code = texts.get("officer_code")
    if code and (len(code) > 50 or not re.fullmatch(r"[\w.\-/]+", code)):
        bad("officer_code", "use letters, digits, '.', '-', '/' only, at most 50")
    email = str(texts["email"]).lower() if texts.get("email") else None
    if email and not EMAIL.match(email):
        bad("email", f"'{email}' is not an e-mail address")
    category = "other"
    if texts.get("category"):
        category = CATEGORY_WORDS.get(fold(str(texts["category"])), "")
        if not category:
            bad("category", "use cán bộ, công chức, viên chức or khác")
    birth = _date(_cell(values, index, "birth_date"))
    if birth is False:
        bad("birth_date", "write the date as dd/mm/yyyy")
    if len(result.errors) > before:
        return None
    assert code and texts.get("full_name") and texts.get("unit")
    return RosterRow(
        row=number,
        officer_code=code,
        full_name=str(texts["full_name"]),
        unit=str(texts["unit"]),
        birth_date=birth if isinstance(birth, date) else None,
        email=email,
        phone=texts.get("phone"),
        category=category,
        rank=texts.get("rank"),
        position=texts.get("position"),
        job_position=texts.get("job_position"),
    )


def _date(value: object) -> date | bool | None:
    """A date, None when empty, False when unreadable."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for pattern in ("%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d", "%d.%m.%Y"):
        try:
            parsed = datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        return parsed if date(1900, 1, 1) <= parsed <= date.today() else False
    return False
