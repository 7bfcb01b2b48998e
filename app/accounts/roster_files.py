"""The rows of a spreadsheet file (CSV or XLSX) as lists of cells, read as if an attacker wrote
the file: bounded in rows, columns and expansion, and every way of failing is RosterUnreadable
naming the row it was met on. Used by the roster import and by the lists of officer codes a
coordinator uploads to assign a class.

CSV: UTF-8 (with or without a byte order mark) or UTF-16 with a byte order mark (Excel's
"Unicode text"); the delimiter is the one the header line uses most outside quotes, so files
saved by an Excel set to Vietnamese (';') read like those saved with ','.

XLSX: a number shown with leading zeros is kept as shown. Excel stores the officer code 000132
as the number 132 with the number format "000000"; such a cell becomes the text "000132". The
rule is deliberately small, not an Excel format engine: a whole, non-negative number whose
format is only zeros ("0", "00", … "000000") is padded with zeros to the format's length; any
other number is written without a fraction when it is whole (132.0 → "132"), as "General" and
"0" show it; cells of text, dates and times are passed on as they are."""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterator
from typing import Any

from app.accounts.roster_errors import RowError
from app.i18n import N_

MAX_COLUMNS = 50
# Excel's own limit; rows beyond it (or blank rows up to it) cannot come from a real sheet.
MAX_SHEET_ROWS = 1_048_576
MAX_XLSX_UNPACKED = 400_000_000
MAX_SHARED_STRINGS = 100_000_000
# One shared empty row for the blank rows of a sheet, recognised by identity.
BLANK: list[object] = []
ZEROS = re.compile(r"0+")
QUOTED = re.compile(r'"[^"]*"')


class RosterUnreadable(Exception):
    """The file cannot be read past a row; error is the problem to report."""

    def __init__(self, template: str, row: int = 0, **values: object) -> None:
        self.error = RowError(row, None, template, values)
        super().__init__(self.error.message)


def table_rows(filename: str, data: bytes) -> Iterator[list[object]]:
    """The rows of a .csv/.txt or .xlsx file, as lists of cells."""
    if filename.lower().endswith(".xlsx"):
        return xlsx_rows(data)
    return csv_rows(data)


def _decode(data: bytes) -> str:
    # Excel's "Unicode text" is UTF-16 with a byte order mark; everything else must be UTF-8.
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise RosterUnreadable(N_("the file is damaged UTF-16 text; save it as 'CSV UTF-8'")) from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise RosterUnreadable(N_("the file is not UTF-8 text; save it as 'CSV UTF-8'"), line) from exc


def delimiter_of(text: str) -> str:
    """The delimiter the header line uses most, quoted cells left out: a header "Họ, tên" in
    quotes is one cell of a file separated by ';'. Sniffing rows instead is fooled by a long
    quoted cell."""
    header = QUOTED.sub("", text.split("\n", 1)[0])
    return max(",;\t", key=header.count)


def csv_rows(data: bytes) -> Iterator[list[object]]:
    text = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter_of(text))
    number = 0
    try:
        for number, row in enumerate(reader, start=1):
            if number > MAX_SHEET_ROWS:
                raise RosterUnreadable(N_("more than {limit} rows"), number, limit=MAX_SHEET_ROWS)
            yield list(row[:MAX_COLUMNS])
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise RosterUnreadable(
                N_("a cell holds more than {limit} characters"), number + 1, limit=131_072
            ) from exc
        raise RosterUnreadable(
            N_("the CSV file is malformed: {reason}"), number + 1, reason=str(exc)
        ) from exc


def shown_number(value: int | float, number_format: str) -> object:
    """A whole number as the sheet shows it under a zero-padding format (see the module's rule)."""
    if isinstance(value, float) and not value.is_integer():
        return value
    whole = int(value)
    if whole >= 0 and ZEROS.fullmatch(number_format):
        return str(whole).zfill(len(number_format))
    return whole


def _cell_value(cell: Any) -> object:
    value = cell.value
    if isinstance(value, int | float) and not isinstance(value, bool) and cell.data_type == "n":
        return shown_number(value, cell.number_format)
    return value


def xlsx_rows(data: bytes) -> Iterator[list[object]]:
    from openpyxl import load_workbook
    from openpyxl.cell.read_only import EMPTY_CELL

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            # A zip bomb expands far beyond its size; refuse before openpyxl inflates it. Shared
            # strings are read whole into memory, so they get a tighter cap of their own.
            sizes = {info.filename: info.file_size for info in archive.infolist()}
            if sum(sizes.values()) > min(200 * len(data) + 50_000_000, MAX_XLSX_UNPACKED):
                raise RosterUnreadable(N_("the workbook expands to an implausible size"))
            if sizes.get("xl/sharedStrings.xml", 0) > MAX_SHARED_STRINGS:
                raise RosterUnreadable(N_("the workbook holds an implausible amount of text"))
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, IndexError, TypeError) as exc:
        raise RosterUnreadable(N_("the file is not a valid .xlsx workbook")) from exc
    # The size a sheet declares is not trusted: openpyxl pads every row to it, so a few bytes
    # declaring A1:XFD1048576 would mean billions of empty cells.
    sheet.reset_dimensions()
    number = 0
    # openpyxl fills the rows a sheet skips with one shared row of empty cells: a single cell
    # at row 1,048,576 makes a million of them, so that row is recognised by identity once seen.
    skipped: object = None
    try:
        for number, cells in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS), start=1):
            if number > MAX_SHEET_ROWS:
                raise RosterUnreadable(N_("more than {limit} rows"), number, limit=MAX_SHEET_ROWS)
            if cells is skipped:
                yield BLANK
                continue
            if not cells or (cells[0] is EMPTY_CELL and all(cell is EMPTY_CELL for cell in cells)):
                skipped = cells
                yield BLANK
                continue
            values = [_cell_value(cell) for cell in cells]
            yield BLANK if values.count(None) == len(values) else values
    except RosterUnreadable:
        raise
    except Exception as exc:
        # openpyxl and the XML parser raise many kinds of error on a damaged sheet.
        raise RosterUnreadable(N_("the workbook is damaged and cannot be read"), number + 1) from exc
    finally:
        book.close()
