"""Activation-code sheets as XLSX (xlsxwriter), for HR to hand out or mail-merge."""

from __future__ import annotations

from collections.abc import Sequence
from io import BytesIO
from zoneinfo import ZoneInfo

import xlsxwriter

from app.accounts.activation import IssuedCode

HEADERS = ("Mã cán bộ", "Họ và tên", "Đơn vị", "Mã kích hoạt", "Hết hạn")


def activation_codes_xlsx(codes: Sequence[IssuedCode], *, timezone: str) -> bytes:
    buffer = BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "remove_timezone": True})
    sheet = book.add_worksheet("Mã kích hoạt")
    bold = book.add_format({"bold": True, "bg_color": "#DDE7F0", "border": 1})
    mono = book.add_format({"font_name": "Consolas"})
    day = book.add_format({"num_format": "dd/mm/yyyy hh:mm"})
    sheet.write_row(0, 0, HEADERS, bold)
    sheet.freeze_panes(1, 0)
    for row, item in enumerate(codes, start=1):
        sheet.write_string(row, 0, item.user.officer_code)
        sheet.write_string(row, 1, item.user.full_name)
        sheet.write_string(row, 2, item.unit_name)
        sheet.write_string(row, 3, item.code, mono)
        sheet.write_datetime(row, 4, item.expires_at.astimezone(ZoneInfo(timezone)).replace(tzinfo=None), day)
    for col, width in enumerate((14, 28, 36, 18, 18)):
        sheet.set_column(col, col, width)
    book.close()
    return buffer.getvalue()
