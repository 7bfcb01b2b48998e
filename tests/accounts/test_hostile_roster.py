"""Hostile rosters: whatever a CSV or XLSX file holds (any bytes, any encoding, huge or
formula cells, cells of the wrong type, a workbook that expands to gigabytes), reading it ends
in rows or in problems naming the row and column, an accepted row always fits its columns, and
an import with any problem writes nothing."""

from __future__ import annotations

import io
import itertools
import re
import unicodedata
import zipfile
from datetime import date, datetime, time

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.utils.exceptions import IllegalCharacterError
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.accounts.models import Placement, User
from app.accounts.roster import MAX_LENGTH, ParsedRoster, read_roster
from app.accounts.roster_import import import_roster
from app.audit.models import AuditEvent
from app.classrooms.changes import codes_from_file
from app.errors import InvalidInput
from app.orgs.models import OrgUnit
from tests.accounts.test_api_admin import hr_token
from tests.hostile import HOSTILE, XSS
from tests.world import World

HEADER = ["Mã cán bộ", "Họ và tên", "Đơn vị", "Ngày sinh", "Email", "Điện thoại", "Chức vụ"]
FIELDS = ["officer_code", "full_name", "unit", "birth_date", "email", "phone", "position"]
CELL_TEXT = st.one_of(
    st.text(max_size=12),
    st.sampled_from(XSS),
    st.sampled_from(
        ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\x00", "SA", "CB1", "a@b.vn"]
    ),
    st.text(min_size=180, max_size=400, alphabet="aăâđß한\u200b"),
)
XLSX_CELL = st.one_of(
    CELL_TEXT,
    st.none(),
    st.booleans(),
    st.integers(-(10**15), 10**15),
    st.floats(allow_nan=False, allow_infinity=False),
    st.dates(min_value=date(1, 1, 1)),
    st.datetimes(min_value=datetime(1900, 1, 1)),
    st.times(),
)
ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1258", "latin-1"])


def check_outcome(parsed: ParsedRoster, rows: int) -> None:
    """Each problem names a row in the file (0 for the file as a whole); every row read fits
    its column, holds no control character and cannot be run as a formula."""
    for error in parsed.errors:
        assert 0 <= error.row <= rows + 1 and error.message, error
    for row in parsed.rows:
        for name in ("officer_code", "full_name", "unit", "email", "phone", "position"):
            value = getattr(row, name)
            if value is None:
                continue
            assert len(value) <= MAX_LENGTH[name], (name, value)
            assert not any(unicodedata.category(ch) in ("Cc", "Cf") for ch in value), (name, value)
            if name != "phone" or not re.fullmatch(r"\+?[0-9 .()\-]+", value):
                assert not value.startswith(("=", "+", "-", "@")), (name, value)


def csv_bytes(rows: list[list[str]], encoding: str, delimiter: str) -> bytes:
    lines = [delimiter.join('"' + c.replace('"', '""') + '"' for c in row) for row in [HEADER, *rows]]
    return "\r\n".join(lines).encode(encoding, errors="replace")


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in [HEADER, *rows]:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def counts(session: Session) -> tuple[int, int, int, int]:
    return tuple(  # type: ignore[return-value]
        session.scalar(select(func.count()).select_from(model)) or 0
        for model in (User, Placement, AuditEvent, OrgUnit)
    )


class TestReading:
    @HOSTILE
    @given(data=st.binary(max_size=400), name=st.sampled_from(["ds.csv", "ds.txt", "ds.xlsx"]))
    def test_any_bytes_give_rows_or_problems(self, data: bytes, name: str) -> None:
        check_outcome(read_roster(name, data), rows=data.count(b"\n") + 1)

    @HOSTILE
    @given(
        rows=st.lists(st.lists(CELL_TEXT, min_size=0, max_size=8), max_size=6),
        encoding=ENCODINGS,
        delimiter=st.sampled_from([",", ";", "\t"]),
    )
    def test_hostile_csv_cells_in_any_encoding_give_rows_or_problems(
        self, rows: list[list[str]], encoding: str, delimiter: str
    ) -> None:
        data = csv_bytes(rows, encoding, delimiter)
        check_outcome(
            read_roster("ds.csv", data), rows=len(rows) + sum(c.count("\n") for r in rows for c in r)
        )

    @HOSTILE
    @given(rows=st.lists(st.lists(XLSX_CELL, min_size=0, max_size=8), max_size=5))
    def test_cells_of_any_type_in_a_workbook_give_rows_or_problems(self, rows: list[list[object]]) -> None:
        try:
            data = xlsx_bytes(rows)
        except (ValueError, TypeError, IllegalCharacterError):
            return  # openpyxl itself refuses to write some values (control characters)
        check_outcome(read_roster("ds.xlsx", data), rows=len(rows))

    @pytest.mark.parametrize(
        ("cell", "column", "message"),
        [
            ("A" * 201, "Họ và tên", "longer than 200 characters"),
            ("An\x00Bình", "Họ và tên", "holds a control character"),
            ("-2+3+cmd|' /C calc'!A0", "Họ và tên", "starts with a formula sign (= + - @); remove it"),
            ("=cmd|' /C calc'!A0", "Họ và tên", "starts with a formula sign (= + - @); remove it"),
            ("@SUM(A1)", "Họ và tên", "starts with a formula sign (= + - @); remove it"),
        ],
    )
    def test_a_bad_cell_is_named_by_row_and_column(self, cell: str, column: str, message: str) -> None:
        parsed = read_roster("ds.csv", csv_bytes([["CB1", cell, "SA"]], "utf-8", ";"))
        assert [(e.row, e.column, e.message) for e in parsed.errors] == [(2, column, message)]

    def test_a_phone_number_with_a_plus_is_kept(self) -> None:
        parsed = read_roster(
            "ds.csv", csv_bytes([["CB1", "An", "SA", "", "", "+84 912 345 678"]], "utf-8", ";")
        )
        assert (parsed.errors, parsed.rows[0].phone) == ([], "+84 912 345 678")

    def test_a_phone_longer_than_its_column_is_refused(self) -> None:
        parsed = read_roster("ds.csv", csv_bytes([["CB1", "An", "SA", "", "", "0" * 31]], "utf-8", ";"))
        assert [str(e) for e in parsed.errors] == ["row 2, column 'Điện thoại': longer than 30 characters"]

    def test_utf16_with_a_byte_order_mark_is_read(self) -> None:
        parsed = read_roster("ds.txt", csv_bytes([["CB1", "Nguyễn Văn Đức", "SA"]], "utf-16", "\t"))
        assert (parsed.errors, parsed.rows[0].full_name) == ([], "Nguyễn Văn Đức")

    def test_a_legacy_encoding_names_the_line(self) -> None:
        data = csv_bytes([["CB1", "An", "SA"]], "utf-8", ";") + "\r\nCB2;Đức;SA".encode(
            "cp1258", errors="replace"
        )
        assert [str(e) for e in read_roster("ds.csv", data).errors] == [
            "row 3: the file is not UTF-8 text; save it as 'CSV UTF-8'"
        ]

    def test_a_huge_quoted_cell_names_its_row(self) -> None:
        parsed = read_roster(
            "ds.csv", csv_bytes([["CB1", "An", "SA"], ["CB2", "A" * 200_000, "SA"]], "utf-8", ";")
        )
        assert [str(e) for e in parsed.errors] == ["row 3: a cell holds more than 131,072 characters"]

    def test_invisible_characters_are_dropped(self) -> None:
        parsed = read_roster("ds.csv", csv_bytes([["CB\u200b1", "An\u202e Bình", "SA"]], "utf-8", ";"))
        assert [(r.officer_code, r.full_name) for r in parsed.rows] == [("CB1", "An Bình")]

    def test_cells_of_the_wrong_type_are_named(self) -> None:
        data = xlsx_bytes(
            [[True, "An", "SA"], ["CB2", time(8, 30), "SA"], ["CB3", "Ba", datetime(2020, 1, 1)]]
        )
        not_text = "is not text (a true/false, date or time cell); format the column as text"
        assert [str(e) for e in read_roster("ds.xlsx", data).errors] == [
            f"row 2, column 'Mã cán bộ': {not_text}",
            f"row 3, column 'Họ và tên': {not_text}",
            f"row 4, column 'Đơn vị': {not_text}",
        ]

    def test_a_birth_date_cell_outside_any_lifetime_is_refused(self) -> None:
        data = xlsx_bytes([["CB1", "An", "SA", datetime(1800, 1, 1)], ["CB2", "Ba", "SA", date(2999, 1, 1)]])
        assert [str(e) for e in read_roster("ds.xlsx", data).errors] == [
            "row 2, column 'Ngày sinh': the date 01/01/1800 is before 1900",
            "row 3, column 'Ngày sinh': the date 01/01/2999 is in the future",
        ]


def rewrite_sheet(data: bytes, change: dict[str, bytes | None]) -> bytes:
    """The workbook with some members replaced (or left out, for None)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            body = change.get(info.filename, source.read(info.filename))
            if body is not None:
                archive.writestr(info.filename, body)
        for name, body in change.items():
            if name not in source.namelist() and body is not None:
                archive.writestr(name, body)
    return out.getvalue()


SHEET = "xl/worksheets/sheet1.xml"


def workbook_bombs() -> dict[str, bytes]:
    good = xlsx_bytes([["CB1", "An", "SA"]])
    sheet = zipfile.ZipFile(io.BytesIO(good)).read(SHEET)
    far = b'<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
    wide = re.sub(rb'<dimension ref="[^"]*" ?/>', b'<dimension ref="A1:XFD1048576"/>', sheet)
    huge = io.BytesIO()
    with zipfile.ZipFile(huge, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        with archive.open("xl/sharedStrings.xml", "w") as member:
            for _ in range(120):  # 120 MB of the same text: past what a roster's strings need
                member.write(b"<si><t>a</t></si>" * 61681)
    return {
        "declared A1:XFD1048576 and a cell at the last row": rewrite_sheet(
            good, {SHEET: wide.replace(b"</sheetData>", far)}
        ),
        "the sheet cut in half": rewrite_sheet(good, {SHEET: sheet[: len(sheet) // 2]}),
        "no sheet": rewrite_sheet(good, {SHEET: None}),
        "entities": rewrite_sheet(
            good,
            {
                SHEET: b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaa">]>'
                + sheet.split(b"?>", 1)[-1]
            },
        ),
        "shared strings bomb": huge.getvalue(),
    }


class TestWorkbookBombs:
    @pytest.mark.parametrize("name", list(workbook_bombs()))
    def test_a_crafted_workbook_is_a_problem_quickly(self, name: str) -> None:
        parsed = read_roster("ds.xlsx", workbook_bombs()[name])
        assert len(parsed.errors) == 1, parsed.errors
        assert parsed.errors[0].message in (
            "more than 200,000 rows; split the file",
            "the workbook is damaged and cannot be read",
            "the file is not a valid .xlsx workbook",
            "the workbook holds an implausible amount of text",
            "the workbook expands to an implausible size",
        )


class TestImportWritesAllOrNothing:
    @HOSTILE
    @given(rows=st.lists(st.lists(CELL_TEXT, min_size=3, max_size=7), min_size=1, max_size=5))
    def test_a_hostile_roster_is_imported_whole_or_not_at_all(
        self, session: Session, world: World, rows: list[list[str]]
    ) -> None:
        # One valid row first, so that a file that writes anything writes something checkable.
        rows = [["HOSTILE0", "Nguyễn Văn An", "SA"], *rows]
        nested = session.begin_nested()
        try:
            before = counts(session)
            plan = import_roster(
                session,
                world.actor(session, world.hr_a),
                filename="ds.csv",
                data=csv_bytes(rows, "utf-8", ";"),
                on=date(2026, 8, 1),
            )
            session.flush()
            after = counts(session)
            if plan.ok:
                assert after[0] == before[0] + len(plan.new) and after[2] == before[2] + 1
                stored = session.scalars(
                    select(User).where(User.officer_code.in_([r["officer_code"] for r in plan.new]))
                )
                for user in stored:
                    assert len(user.name_folded) <= 200 and len(user.full_name) <= 200
            else:
                assert after == before
        finally:
            nested.rollback()


class TestRoutes:
    def test_the_api_answers_hostile_rosters_with_422_naming_row_and_column(
        self, client: TestClient, session: Session, world: World
    ) -> None:
        headers = hr_token(session, world)
        before = counts(session)
        files = {
            "ds.csv": csv_bytes([["CB1", "A" * 201, "SA"], ["CB2", "Ba\x00", "SA"]], "utf-8", ";"),
            **{f"{n}.xlsx": data for n, data in workbook_bombs().items()},
            "latin.csv": csv_bytes([["CB1", "Đức", "SA"]], "cp1258", ";"),
        }
        for name, data in files.items():
            response = client.post(
                "/api/v1/roster-imports", headers=headers, files={"file": (name, data, "text/csv")}
            )
            assert response.status_code == 422, (name, response.text)
            assert response.json()["problems"] and response.json()["written"] is False
        first = client.post(
            "/api/v1/roster-imports", headers=headers, files={"file": ("ds.csv", files["ds.csv"])}
        )
        assert first.json()["problems"] == [
            {"row": 2, "column": "Họ và tên", "message": "longer than 200 characters"},
            {"row": 3, "column": "Họ và tên", "message": "holds a control character"},
        ]
        assert counts(session) == before

    def test_a_name_that_folds_longer_than_its_column_is_imported(
        self, client: TestClient, session: Session, world: World
    ) -> None:
        # "ß" folds to "ss" and Hangul to its jamo: the folded name is longer than the name.
        data = csv_bytes([["CB1", "ß" * 200, "SA"], ["CB2", "한" * 200, "SA"]], "utf-8", ";")
        response = client.post(
            "/api/v1/roster-imports", headers=hr_token(session, world), files={"file": ("ds.csv", data)}
        )
        assert (response.status_code, response.json()["new"]) == (200, 2)
        folded = session.scalars(select(User.name_folded).where(User.officer_code.in_(["CB1", "CB2"])))
        assert sorted(len(f) for f in folded) == [200, 200]


class TestCodeLists:
    """The list of officer codes a coordinator uploads to assign a class is read by the same
    code, so it ends in codes or in one clear refusal too."""

    @HOSTILE
    @given(data=st.binary(max_size=400), name=st.sampled_from(["ma.csv", "ma.txt", "ma.xlsx"]))
    def test_any_bytes_give_codes_or_a_refusal(self, data: bytes, name: str) -> None:
        try:
            codes = codes_from_file(name, data)
        except InvalidInput as exc:
            assert exc.message in (
                "The list cannot be read: save it as CSV UTF-8 or as an .xlsx workbook.",
                "The file holds no officer codes.",
            )
        else:
            assert codes and all(isinstance(c, str) and c for c in codes)

    @pytest.mark.parametrize(
        ("name", "codes"),
        [
            # Its cells beyond the declared size are read in a second or two, not padded.
            ("declared A1:XFD1048576 and a cell at the last row", ("CB1", "x")),
            ("the sheet cut in half", None),
            ("no sheet", None),
            ("entities", None),
            ("shared strings bomb", None),
        ],
    )
    def test_a_crafted_workbook_is_read_quickly_or_refused(
        self, name: str, codes: tuple[str, ...] | None
    ) -> None:
        if codes is None:
            with pytest.raises(InvalidInput):
                codes_from_file("ma.xlsx", workbook_bombs()[name])
        else:
            assert codes_from_file("ma.xlsx", workbook_bombs()[name]) == codes

    def test_a_huge_cell_is_refused(self) -> None:
        with pytest.raises(InvalidInput, match="cannot be read"):
            codes_from_file("ma.csv", b'Ma can bo\nCB1\n"' + b"A" * 200_000 + b'"\n')


def test_the_rows_a_sheet_skips_cost_no_reading() -> None:
    # openpyxl fills the million rows before a far cell with empty ones; each is handed on as the
    # one shared BLANK row, so checking that file costs a fraction of a second, not seconds.
    from app.accounts.roster_files import BLANK, xlsx_rows

    rows = xlsx_rows(workbook_bombs()["declared A1:XFD1048576 and a cell at the last row"])
    assert next(rows)[:3] == ["Mã cán bộ", "Họ và tên", "Đơn vị"]
    assert next(rows)[:3] == ["CB1", "An", "SA"]
    assert all(row is BLANK for row in itertools.islice(rows, 100_000))
