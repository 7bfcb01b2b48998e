import io
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime

import openpyxl
from sqlalchemy.orm import Session

from app.tabular.table import Column, Table
from app.tabular.writers import csv_chunks, filename, sheet_name, xlsx_chunks

COLUMNS = (
    Column("code", "Officer code", width=14),
    Column("name", "Full name", width=30),
    Column("count", "x-count", "int"),
    Column("hours", "Training hours", "hours"),
    Column("score", "x-score", "percent"),
    Column("day", "Completed on", "date"),
    Column("at", "x-at", "datetime"),
)
ROWS: list[Sequence[object]] = [
    (
        '=HYPERLINK("x")',
        "Nguyễn Văn Đức",
        3,
        1.5,
        87.5,
        datetime(2026, 9, 20, 18, 30, tzinfo=UTC),
        datetime(2026, 9, 20, 18, 30, tzinfo=UTC),
    ),
    ("-1", "Trần Thị, Hoa", 0, 2.0, 100.0, date(2026, 1, 2), None),
    ("HV3", "@Lê", None, None, None, None, None),
]


def _rows(session: Session) -> Iterator[Sequence[object]]:
    yield from ROWS


TABLE = Table(name="thu", title="Enrolment list", columns=COLUMNS, rows=_rows)


def test_csv_has_a_bom_translated_headers_local_dates_decimal_commas_and_guarded_formulas() -> None:
    data = b"".join(csv_chunks(TABLE, iter(ROWS), language="vi", timezone="Asia/Ho_Chi_Minh"))
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig") == (
        "Mã cán bộ,Họ và tên,x-count,Số giờ bồi dưỡng,x-score,Ngày hoàn thành,x-at\r\n"
        '"\'=HYPERLINK(""x"")",Nguyễn Văn Đức,3,"1,5","87,5",21/09/2026,21/09/2026 01:30\r\n'
        '\'-1,"Trần Thị, Hoa",0,2,100,02/01/2026,\r\n'
        "HV3,'@Lê,,,,,\r\n"
    )


def test_csv_in_english_uses_english_headers_and_decimal_points() -> None:
    text = b"".join(csv_chunks(TABLE, iter(ROWS[:1]), language="en", timezone="Asia/Ho_Chi_Minh")).decode()
    header = "\ufeffOfficer code,Full name,x-count,Training hours,x-score,Completed on,x-at"
    assert text.splitlines()[0] == header
    assert ",1.5,87.5,21/09/2026," in text


def test_csv_comes_in_chunks_of_about_the_asked_size_with_one_bom() -> None:
    many = (("HV", "Nguyễn Văn Đức", 1, 1.0, 50.0, None, None) for _ in range(5000))
    chunks = list(csv_chunks(TABLE, many, language="vi", timezone="Asia/Ho_Chi_Minh", chunk_bytes=4096))
    assert len(chunks) > 20
    assert all(len(c) < 4096 + 32 * 200 for c in chunks)
    joined = b"".join(chunks)
    assert joined.count(b"\xef\xbb\xbf") == 1
    assert joined.decode("utf-8-sig").count("\r\n") == 5001


def test_xlsx_reads_back_with_a_frozen_bold_header_real_dates_and_numbers() -> None:
    chunks = xlsx_chunks(TABLE, iter(ROWS), language="vi", timezone="Asia/Ho_Chi_Minh", chunk_bytes=1024)
    data = b"".join(chunks)
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book.active
    assert sheet is not None
    assert sheet.title == "Danh sách ghi danh"
    assert sheet.freeze_panes == "A2"
    assert [c.value for c in sheet[1]] == [
        "Mã cán bộ",
        "Họ và tên",
        "x-count",
        "Số giờ bồi dưỡng",
        "x-score",
        "Ngày hoàn thành",
        "x-at",
    ]
    assert all(c.font.b for c in sheet[1])
    first = [c.value for c in sheet[2]]
    # Text stays text (no formula), numbers are numbers, dates are local dates.
    assert first == [
        '=HYPERLINK("x")',
        "Nguyễn Văn Đức",
        3,
        1.5,
        0.875,
        datetime(2026, 9, 21),
        datetime(2026, 9, 21, 1, 30),
    ]
    assert sheet["A2"].data_type == "s"
    assert sheet["F2"].is_date and sheet["F2"].number_format == "dd/mm/yyyy"
    assert sheet["E2"].number_format == "0.0%"
    assert [c.value for c in sheet[3]] == ["-1", "Trần Thị, Hoa", 0, 2, 1, datetime(2026, 1, 2), None]
    assert [c.value for c in sheet[4]] == ["HV3", "@Lê", None, None, None, None, None]
    assert sheet.column_dimensions["B"].width > sheet.column_dimensions["A"].width


def test_sheet_names_and_file_names_are_what_excel_and_browsers_accept() -> None:
    assert sheet_name("Báo cáo: quý 3/2026 [tạm] và nhiều chữ hơn nữa") == "Báo cáo  quý 3 2026  tạm  và nh"
    assert filename(TABLE, "xlsx", date(2026, 11, 28)) == "thu-2026-11-28.xlsx"
