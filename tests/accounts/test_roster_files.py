"""Reading rosters as HR saves them: Vietnamese headers, a row-number column, codes with leading
zeros in Excel, CSV from an Excel set to Vietnamese (';'), UTF-8 with a byte order mark and
UTF-16 "Unicode text"; columns mapped by hand; messages with their values, in both languages."""

from __future__ import annotations

import codecs
import re
from datetime import date, timedelta
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import Workbook

from app import i18n
from app.accounts.roster import read_roster
from app.accounts.roster_columns import needs_choosing, read_columns, sample
from app.accounts.roster_errors import RowError
from app.config import ROOT


def xlsx(rows: list[list[object]], formats: dict[str, str] | None = None) -> bytes:
    """A workbook of these rows; formats gives a cell (A2) its number format."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    for cell, number_format in (formats or {}).items():
        sheet[cell].number_format = number_format
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


class TestHeaders:
    @pytest.mark.parametrize(
        "header", ["Mã CBCC", "Mã CBCCVC", "Mã CBCNV", "Số hiệu", "Số hiệu cán bộ", "MA CBCC", "Mã CB (*)"]
    )
    def test_common_vietnamese_headers_name_the_officer_code(self, header: str) -> None:
        parsed = read_roster("ds.csv", f"{header};Họ và tên;Đơn vị\nCB1;An;SA\n".encode())
        assert (parsed.errors, parsed.rows[0].officer_code, parsed.columns["officer_code"]) == (
            [],
            "CB1",
            header,
        )

    @pytest.mark.parametrize("header", ["Loại", "Loại CBCCVC", "Loại cán bộ"])
    def test_loai_names_the_category(self, header: str) -> None:
        parsed = read_roster("ds.csv", f"Mã cán bộ;Họ và tên;Đơn vị;{header}\nCB1;An;SA;Viên chức\n".encode())
        assert (parsed.errors, parsed.rows[0].category) == ([], "vien_chuc")

    @pytest.mark.parametrize("header", ["STT", "TT", "Số TT", "Số thứ tự", "stt."])
    def test_a_row_number_column_is_neither_a_problem_nor_unknown(self, header: str) -> None:
        data = f"{header};Mã cán bộ;Họ và tên;Đơn vị\n1;CB1;An;SA\n2;CB2;Bình;SA\n".encode()
        parsed = read_roster("ds.csv", data)
        assert (parsed.errors, [r.officer_code for r in parsed.rows]) == ([], ["CB1", "CB2"])
        assert not needs_choosing(read_columns(data.decode().splitlines()[0].split(";")))

    def test_an_unknown_header_or_a_missing_field_asks_for_the_columns(self) -> None:
        assert needs_choosing(read_columns(["Mã nhân sự", "Họ và tên", "Đơn vị"]))
        assert needs_choosing(read_columns(["Mã cán bộ", "Họ và tên", "Đơn vị", "Ghi chú"]))
        assert needs_choosing(read_columns(["Mã cán bộ", "Họ và tên"]))
        assert needs_choosing(read_columns(["Mã cán bộ", "Mã CBCC", "Họ và tên", "Đơn vị"]))
        assert not needs_choosing(read_columns(["STT", "Mã cán bộ", "Họ và tên", "Đơn vị", None]))


class TestMapping:
    DATA = "STT;Mã nhân sự;Họ và tên;Nơi công tác\n1;000132;Lê Thị Hoa;SA\n".encode()

    def test_a_chosen_mapping_reads_columns_the_headers_do_not_name(self) -> None:
        parsed = read_roster("ds.csv", self.DATA, [None, "officer_code", "full_name", "unit"])
        assert parsed.errors == []
        assert (parsed.rows[0].officer_code, parsed.rows[0].unit) == ("000132", "SA")
        assert parsed.columns == {
            "officer_code": "Mã nhân sự",
            "full_name": "Họ và tên",
            "unit": "Nơi công tác",
        }

    def test_a_field_chosen_twice_names_both_columns_and_a_missing_one_is_named(self) -> None:
        parsed = read_roster("ds.csv", self.DATA, [None, "officer_code", "full_name", "full_name"])
        assert [str(e) for e in parsed.errors] == [
            "row 1: no column for Unit (a header such as 'don vi' / 'ma don vi' / 'unit code')",
            "row 1, column 'Nơi công tác': "
            "several columns hold Full name: 'Họ và tên', 'Nơi công tác'; keep one",
        ]
        i18n.set_language("vi")
        assert parsed.errors[1].translated() == (
            "nhiều cột cùng là Họ và tên: 'Họ và tên', 'Nơi công tác'; chỉ giữ một cột"
        )

    def test_two_recognised_headers_for_one_field_are_a_problem_without_a_mapping(self) -> None:
        parsed = read_roster("ds.csv", "Mã CB;Số hiệu;Họ tên;Đơn vị\nA;B;An;SA\n".encode())
        assert [e.message for e in parsed.errors] == [
            "several columns hold Officer code: 'Mã CB', 'Số hiệu'; keep one"
        ]

    def test_the_sample_is_the_header_and_the_first_three_rows_with_data(self) -> None:
        data = xlsx(
            [["Mã nhân sự", "Ngày sinh"], [132, date(1990, 3, 5)], [], [133], [134, None, "ghi chú"], [135]],
            {"A2": "000000"},
        )
        first = sample("ds.xlsx", data)
        assert [(c.letter, c.header, c.guess, c.known) for c in first.columns] == [
            ("A", "Mã nhân sự", None, False),
            ("B", "Ngày sinh", "birth_date", True),
            ("C", "", None, True),
        ]
        assert first.rows == [["000132", "05/03/1990", ""], ["133", "", ""], ["134", "", "ghi chú"]]


class TestZeroPaddedCodes:
    def test_a_number_formatted_with_zeros_is_kept_as_excel_shows_it(self) -> None:
        data = xlsx(
            [
                ["Mã cán bộ", "Họ và tên", "Đơn vị", "Điện thoại"],
                [132, "An", "SA", 912345678],
                [133.0, "Ba", "SA"],
            ],
            {"A2": "000000", "D2": "0000000000", "A3": "General"},
        )
        parsed = read_roster("ds.xlsx", data)
        assert parsed.errors == []
        assert [(r.officer_code, r.phone) for r in parsed.rows] == [("000132", "0912345678"), ("133", None)]

    @pytest.mark.parametrize(
        ("number_format", "shown"), [("0", "132"), ("00", "132"), ("0000", "0132"), ("#,##0", "132")]
    )
    def test_only_the_all_zeros_pattern_pads(self, number_format: str, shown: str) -> None:
        data = xlsx([["Mã cán bộ", "Họ và tên", "Đơn vị"], [132, "An", "SA"]], {"A2": number_format})
        assert read_roster("ds.xlsx", data).rows[0].officer_code == shown

    def test_a_csv_code_with_leading_zeros_stays_as_written(self) -> None:
        parsed = read_roster("ds.csv", b"Ma can bo,Ho ten,Don vi\n000132,An,SA\n")
        assert parsed.rows[0].officer_code == "000132"


class TestCsvAsExcelSavesIt:
    ROWS = 'Mã cán bộ;"Họ và tên";Đơn vị;Chức vụ\nCB1;"Nguyễn Văn A; B";SA;"Trưởng phòng, kiêm nhiệm"\n'

    @pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig"])
    def test_semicolons_with_quoted_cells_holding_separators(self, encoding: str) -> None:
        parsed = read_roster("ds.csv", self.ROWS.encode(encoding))
        assert parsed.errors == []
        row = parsed.rows[0]
        assert (row.officer_code, row.full_name, row.position) == (
            "CB1",
            "Nguyễn Văn A; B",
            "Trưởng phòng, kiêm nhiệm",
        )

    def test_quoted_commas_in_the_header_do_not_decide_the_separator(self) -> None:
        data = 'Mã cán bộ;"Họ và tên (họ, đệm, tên)";Đơn vị\nCB1;"Lê, Văn";SA\n'.encode()
        parsed = read_roster("ds.csv", data, ["officer_code", "full_name", "unit"])
        assert (parsed.errors, parsed.rows[0].full_name) == ([], "Lê, Văn")

    @pytest.mark.parametrize("delimiter", ["\t", ";"])
    def test_utf16_unicode_text_in_either_byte_order(self, delimiter: str) -> None:
        text = "\r\n".join(
            [
                delimiter.join(["Mã cán bộ", "Họ và tên", "Đơn vị"]),
                delimiter.join(["CB1", '"Vũ; Thị, Hà"', "SA"]),
                "",
            ]
        )
        for data in (text.encode("utf-16"), codecs.BOM_UTF16_BE + text.encode("utf-16-be")):
            parsed = read_roster("ds.txt", data)
            assert (parsed.errors, parsed.rows[0].full_name) == ([], "Vũ; Thị, Hà")


class TestDates:
    @pytest.mark.parametrize(
        ("cell", "english", "vietnamese"),
        [
            ("31/02/1990", "there is no such day as 31/02/1990", "ngày 31/02/1990 không có thật"),
            ("15/13/1990", "there is no such day as 15/13/1990", "ngày 15/13/1990 không có thật"),
            ("05/03/1890", "the date 05/03/1890 is before 1900", "ngày 05/03/1890 trước năm 1900"),
            (
                "1990/03/05",
                "'1990/03/05' is not a date; write it as dd/mm/yyyy",
                "'1990/03/05' không phải là ngày",
            ),
            ("mùng 5", "'mùng 5' is not a date; write it as dd/mm/yyyy", "'mùng 5' không phải là ngày"),
        ],
    )
    def test_a_date_problem_says_what_is_wrong_with_it(
        self, cell: str, english: str, vietnamese: str
    ) -> None:
        parsed = read_roster("ds.csv", f"Mã cán bộ;Họ và tên;Đơn vị;Ngày sinh\nCB1;An;SA;{cell}\n".encode())
        assert [e.message for e in parsed.errors] == [english]
        i18n.set_language("vi")
        assert parsed.errors[0].translated().startswith(vietnamese)

    def test_a_date_in_the_future_says_so(self) -> None:
        later = date.today() + timedelta(days=1)
        parsed = read_roster(
            "ds.csv", f"Mã cán bộ;Họ và tên;Đơn vị;Ngày sinh\nCB1;An;SA;{later:%d/%m/%Y}\n".encode()
        )
        assert [e.message for e in parsed.errors] == [f"the date {later:%d/%m/%Y} is in the future"]

    @pytest.mark.parametrize("cell", ["05/03/1990", "5/3/1990", "05-03-1990", "05.03.1990", "1990-03-05"])
    def test_dates_as_people_write_them(self, cell: str) -> None:
        parsed = read_roster("ds.csv", f"Mã cán bộ;Họ và tên;Đơn vị;Ngày sinh\nCB1;An;SA;{cell}\n".encode())
        assert (parsed.errors, parsed.rows[0].birth_date) == ([], date(1990, 3, 5))


class TestMessages:
    def test_each_message_is_a_template_with_its_values_shown_in_either_language(self) -> None:
        parsed = read_roster("ds.csv", "Mã cán bộ;Họ và tên;Đơn vị\nCB1;An;SA\nCB1;Ba;SA\n".encode())
        error = parsed.errors[0]
        assert (error.template, dict(error.values)) == (
            "code {code} also on row {other}",
            {"code": "CB1", "other": 2},
        )
        assert str(error) == "row 3, column 'Mã cán bộ': code CB1 also on row 2"
        i18n.set_language("vi")
        assert error.translated() == "mã CB1 đã có ở dòng 2"
        i18n.set_language("en")
        assert error.translated() == "code CB1 also on row 2"
        i18n.set_language("vi")

    def test_numbers_in_messages_follow_the_language(self) -> None:
        error = RowError(200_002, None, "more than {limit} rows; split the file", {"limit": 200_000})
        assert error.message == "more than 200,000 rows; split the file"
        i18n.set_language("vi")
        assert error.translated() == "quá 200.000 dòng; hãy chia tệp thành nhiều tệp nhỏ hơn"

    def test_every_roster_message_has_a_vietnamese_translation_with_the_same_placeholders(self) -> None:
        catalog = i18n.translations("vi")
        templates = []
        for name in ("roster.py", "roster_columns.py", "roster_files.py", "roster_import.py"):
            source = Path(ROOT, "app", "accounts", name).read_text()
            templates += re.findall(r'N_\(\s*"((?:[^"\\]|\\.)*)"\s*\)', source)
        assert len(templates) > 30
        for template in templates:
            translated = catalog.gettext(template)
            assert translated != template, template
            assert set(re.findall(r"\{(\w+)\}", translated)) == set(re.findall(r"\{(\w+)\}", template)), (
                template
            )
