"""Writing any report Table as a file, streamed: CSV for Excel and XLSX.

Both writers take the rows as an iterator and hand back the file as an iterator of byte chunks,
holding one batch of rows (CSV) or one chunk of the finished file (XLSX) at a time, so a report
of a million rows costs the same memory as one of a hundred.

CSV follows the class roster export (app/progress/exports.py): UTF-8 with a byte-order mark so
Excel shows Vietnamese, the excel dialect with commas (or semicolons, for Excel set to
Vietnamese), dd/mm/yyyy dates, numbers written with the
reader's decimal mark and no grouping, and text that Excel would run as a formula guarded.
XLSX is written by xlsxwriter in constant-memory mode (each row goes to disk as it is written)
to a temporary file, which is then read back in chunks and deleted."""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from operator import call
from zoneinfo import ZoneInfo

import xlsxwriter

from app.i18n import translations
from app.tabular.table import Column, Table
from app.text import FORMULA_STARTS, excel_safe

CHUNK_BYTES = 64 * 1024
_FORMULA_FIRST = frozenset(s[0] for s in FORMULA_STARTS)
Cell = Callable[[object], str]


@dataclass(frozen=True)
class Format:
    extension: str
    media_type: str


FORMATS = {
    "csv": Format("csv", "text/csv; charset=utf-8"),
    # The same CSV with semicolons: Excel set to Vietnamese (or any locale whose decimal mark is a
    # comma) takes ';' as its list separator and would put a comma file in one column.
    "csv-semi": Format("csv", "text/csv; charset=utf-8"),
    "xlsx": Format("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}


def _decimal(mark: str, digits: int) -> Cell:
    def cell(value: object) -> str:
        if value is None:
            return ""
        text = f"{float(value):.{digits}f}".rstrip("0").rstrip(".")  # type: ignore[arg-type]
        return text.replace(".", mark) if mark != "." else text

    return cell


def _csv_cells(columns: Sequence[Column], language: str, timezone: str) -> list[Cell]:
    """One formatter per column, chosen once, so each cell costs one call."""
    mark = "," if language == "vi" else "."
    zone = ZoneInfo(timezone)

    def text(value: object) -> str:
        if value is None:
            return ""
        value = str(value)
        # Most cells start with no formula character: one set lookup instead of a call.
        return excel_safe(value) if value[:1] in _FORMULA_FIRST else value

    def integer(value: object) -> str:
        return "" if value is None else str(int(value))  # type: ignore[call-overload]

    days: dict[object, str] = {}

    def day(value: object) -> str:
        # Dates repeat a lot (a class's due date, an assignment's moment): format each once.
        found = days.get(value)
        if found is not None:
            return found
        if value is None:
            return ""
        local = value.astimezone(zone).date() if isinstance(value, datetime) else value
        assert isinstance(local, date)
        if len(days) > 50_000:
            days.clear()
        found = days[value] = f"{local.day:02d}/{local.month:02d}/{local.year}"
        return found

    def moment(value: object) -> str:
        if value is None:
            return ""
        assert isinstance(value, datetime)
        local = value.astimezone(zone)
        return f"{local.day:02d}/{local.month:02d}/{local.year} {local.hour:02d}:{local.minute:02d}"

    by_kind: dict[str, Cell] = {
        "text": text,
        "int": integer,
        "number": _decimal(mark, 2),
        "percent": _decimal(mark, 1),
        "hours": _decimal(mark, 2),
        "date": day,
        "datetime": moment,
    }
    return [by_kind[c.kind] for c in columns]


def csv_chunks(
    table: Table,
    rows: Iterable[Sequence[object]],
    *,
    language: str,
    timezone: str,
    chunk_bytes: int = CHUNK_BYTES,
    delimiter: str = ",",
) -> Iterator[bytes]:
    """The table as CSV, in chunks of about chunk_bytes."""
    gettext = translations(language).gettext
    cells = _csv_cells(table.columns, language, timezone)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([gettext(c.label) for c in table.columns])
    pending = "\ufeff" + _drain(buffer)
    for count, row in enumerate(rows, start=1):
        if count == 1 and len(row) != len(cells):
            raise ValueError(f"a row of {len(row)} values for {len(cells)} columns")
        # map(call, …) runs the loop in C: a comprehension's own work was a third of a large export.
        writer.writerow(map(call, cells, row))
        # Check the buffer's length only every few rows: a row is rarely over 1 KiB.
        if count % 32 == 0 and buffer.tell() >= chunk_bytes:
            yield (pending + _drain(buffer)).encode()
            pending = ""
    yield (pending + _drain(buffer)).encode()


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def sheet_name(title: str) -> str:
    """A worksheet name Excel accepts: at most 31 characters, none of []:*?/\\."""
    return _SHEET_FORBIDDEN.sub(" ", title).strip()[:31] or "Sheet1"


def xlsx_chunks(
    table: Table,
    rows: Iterable[Sequence[object]],
    *,
    language: str,
    timezone: str,
    chunk_bytes: int = CHUNK_BYTES,
) -> Iterator[bytes]:
    """The table as an XLSX workbook: written row by row to a temporary file, then streamed."""
    gettext = translations(language).gettext
    zone = ZoneInfo(timezone)
    handle, path = tempfile.mkstemp(prefix="hocso-export-", suffix=".xlsx")
    os.close(handle)
    try:
        workbook = xlsxwriter.Workbook(
            path, {"constant_memory": True, "tmpdir": tempfile.gettempdir(), "strings_to_formulas": False}
        )
        sheet = workbook.add_worksheet(sheet_name(gettext(table.title)))
        header = workbook.add_format({"bold": True})
        formats = {
            "int": workbook.add_format({"num_format": "0"}),
            "number": workbook.add_format({"num_format": "0.##"}),
            "percent": workbook.add_format({"num_format": "0.0%"}),
            "hours": workbook.add_format({"num_format": "0.00"}),
            "date": workbook.add_format({"num_format": "dd/mm/yyyy"}),
            "datetime": workbook.add_format({"num_format": "dd/mm/yyyy hh:mm"}),
        }
        for index, column in enumerate(table.columns):
            sheet.set_column(index, index, column.width)
            sheet.write_string(0, index, gettext(column.label), header)
        sheet.freeze_panes(1, 0)
        kinds = [c.kind for c in table.columns]
        for number, row in enumerate(rows, start=1):
            for index, (kind, value) in enumerate(zip(kinds, row, strict=True)):
                if value is None:
                    continue
                if kind == "text":
                    sheet.write_string(number, index, str(value))
                elif kind == "percent":
                    sheet.write_number(number, index, float(value) / 100, formats["percent"])  # type: ignore[arg-type]
                elif kind in ("int", "number", "hours"):
                    sheet.write_number(number, index, float(value), formats[kind])  # type: ignore[arg-type]
                elif kind == "datetime" and isinstance(value, datetime):
                    local = value.astimezone(zone).replace(tzinfo=None)
                    sheet.write_datetime(number, index, local, formats["datetime"])
                elif isinstance(value, datetime):
                    sheet.write_datetime(number, index, value.astimezone(zone).date(), formats["date"])
                elif isinstance(value, date):
                    sheet.write_datetime(number, index, value, formats["date"])
                else:
                    sheet.write_string(number, index, str(value))
        workbook.close()
        with open(path, "rb") as finished:
            while chunk := finished.read(chunk_bytes):
                yield chunk
    finally:
        os.unlink(path)


WRITERS: dict[str, Callable[..., Iterator[bytes]]] = {
    "csv": csv_chunks,
    "csv-semi": partial(csv_chunks, delimiter=";"),
    "xlsx": xlsx_chunks,
}


def file_chunks(
    table: Table, rows: Iterable[Sequence[object]], *, fmt: str, language: str, timezone: str
) -> Iterator[bytes]:
    return WRITERS[fmt](table, rows, language=language, timezone=timezone)


def filename(table: Table, fmt: str, today: date) -> str:
    """The download's name: the table's ASCII name and the day, e.g. ghi-danh-2026-11-28.csv."""
    return f"{table.name}-{today.isoformat()}.{FORMATS[fmt].extension}"
