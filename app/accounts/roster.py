"""Reading a roster file (CSV or XLSX) into clean rows, with every problem named by row, column
and reason. Pure: no database. Headers may be Vietnamese or English, with or without accents."""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from app.accounts.models import EMAIL
from app.text import FORMULA_STARTS, OFFICER_CODE, fold, nfc

MAX_ROWS = 200_000
# Excel's own limit; rows beyond it (or blank rows up to it) cannot come from a real sheet.
MAX_SHEET_ROWS = 1_048_576
MAX_COLUMNS = 50
# One shared empty row for the blank rows of a sheet, recognised by identity.
BLANK: list[object] = []
MAX_XLSX_UNPACKED = 400_000_000
MAX_SHARED_STRINGS = 100_000_000
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
PHONE = re.compile(r"^\+?[0-9 .()\-]+$")

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


@dataclass(frozen=True)
class RowError:
    row: int
    column: str | None
    message: str

    def __str__(self) -> str:
        if not self.row:
            return self.message
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
    """The rows of a .csv/.txt (UTF-8, delimiter sniffed) or .xlsx file, as lists of cells.
    Any damage found while reading raises RosterUnreadable with the row it was met on."""
    if filename.lower().endswith(".xlsx"):
        return _xlsx_rows(data)
    return _csv_rows(data)


class RosterUnreadable(Exception):
    def __init__(self, message: str, row: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.row = row


def _decode(data: bytes) -> str:
    # Excel's "Unicode text" is UTF-16 with a byte order mark; everything else must be UTF-8.
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise RosterUnreadable("the file is damaged UTF-16 text; save it as 'CSV UTF-8'") from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise RosterUnreadable("the file is not UTF-8 text; save it as 'CSV UTF-8'", line) from exc


def _csv_rows(data: bytes) -> Iterator[list[object]]:
    text = _decode(data)
    # The delimiter is the one the header line uses most: sniffing rows instead is fooled by a
    # long quoted cell.
    header = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=header.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    number = 0
    try:
        for number, row in enumerate(reader, start=1):
            if number > MAX_SHEET_ROWS:
                raise RosterUnreadable(f"more than {MAX_SHEET_ROWS:,} rows", number)
            yield list(row[:MAX_COLUMNS])
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise RosterUnreadable("a cell holds more than 131,072 characters", number + 1) from exc
        raise RosterUnreadable(f"the CSV file is malformed: {exc}", number + 1) from exc


def _xlsx_rows(data: bytes) -> Iterator[list[object]]:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            # A zip bomb expands far beyond its size; refuse before openpyxl inflates it. Shared
            # strings are read whole into memory, so they get a tighter cap of their own.
            sizes = {info.filename: info.file_size for info in archive.infolist()}
            if sum(sizes.values()) > min(200 * len(data) + 50_000_000, MAX_XLSX_UNPACKED):
                raise RosterUnreadable("the workbook expands to an implausible size")
            if sizes.get("xl/sharedStrings.xml", 0) > MAX_SHARED_STRINGS:
                raise RosterUnreadable("the workbook holds an implausible amount of text")
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, IndexError, TypeError) as exc:
        raise RosterUnreadable("the file is not a valid .xlsx workbook") from exc
    # The size a sheet declares is not trusted: openpyxl pads every row to it, so a few bytes
    # declaring A1:XFD1048576 would mean billions of empty cells.
    sheet.reset_dimensions()
    number = 0
    try:
        for number, values in enumerate(sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS), start=1):
            if number > MAX_SHEET_ROWS:
                raise RosterUnreadable(f"more than {MAX_SHEET_ROWS:,} rows", number)
            # openpyxl fills the rows a sheet skips with empty ones: a single cell at row
            # 1,048,576 makes a million of them, so each is passed on as BLANK, checked at C speed.
            yield BLANK if values.count(None) == len(values) else list(values)
    except RosterUnreadable:
        raise
    except Exception as exc:
        # openpyxl and the XML parser raise many kinds of error on a damaged sheet.
        raise RosterUnreadable("the workbook is damaged and cannot be read", number + 1) from exc
    finally:
        book.close()


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
            if values is BLANK or not any(v not in (None, "") and str(v).strip() for v in values):
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
        result.errors.append(RowError(exc.row, None, exc.message))
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
    # Invisible format characters (zero-width spaces, direction marks) come with text copied
    # from web pages; they would make equal names differ, so they go.
    visible = "".join(ch for ch in nfc(str(value)) if unicodedata.category(ch) != "Cf")
    cleaned = " ".join(visible.split())
    return cleaned or None


def _field_problem(name: str, raw: object, value: str) -> str | None:
    """Why a text cell cannot be stored, or None."""
    if isinstance(raw, bool | date | time | timedelta):
        # A spreadsheet turned the cell into TRUE/FALSE, a date or a time.
        return "is not text (a true/false, date or time cell); format the column as text"
    if len(value) > MAX_LENGTH[name]:
        return f"longer than {MAX_LENGTH[name]} characters"
    if any(unicodedata.category(ch) == "Cc" for ch in value):
        return "holds a control character"
    if name == "phone" and PHONE.match(value):
        return None
    if value.startswith(FORMULA_STARTS):
        # Spreadsheets would run it as a formula when the data is exported again.
        return "starts with a formula sign (= + - @); remove it"
    return None


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
        raw = _cell(values, index, name)
        value = _text(raw)
        problem = _field_problem(name, raw, value) if value is not None else None
        if problem is not None:
            bad(name, problem)
            continue
        texts[name] = value
    for name in REQUIRED:
        if name in texts and not texts[name]:
            bad(name, "is empty")
    code = texts.get("officer_code")
    if code and (len(code) > 50 or not OFFICER_CODE.fullmatch(code)):
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
        value = value.date()
    if isinstance(value, date):
        return value if date(1900, 1, 1) <= value <= date.today() else False
    text = str(value).strip()
    for pattern in ("%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d", "%d.%m.%Y"):
        try:
            parsed = datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        return parsed if date(1900, 1, 1) <= parsed <= date.today() else False
    return False
