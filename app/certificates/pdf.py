"""The certificate as a PDF (fpdf2): landscape A4, Vietnamese first with English beside it, and a
QR code of the public verification address drawn as vector rectangles.

Fonts are Source Sans Pro from the font-source-sans-pro package (full Vietnamese coverage),
found with importlib.resources: no font file lives in this repository, and no system font is
assumed. Text is NFC, so each letter with its marks is one glyph of the font."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from functools import cache
from importlib.resources import files
from pathlib import Path

import segno
from babel.numbers import format_decimal
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from app.certificates.models import Certificate, CertificateStatus
from app.config import get_settings
from app.i18n import format_day

FAMILY = "SourceSans"
FONT_FILES = {"": "Regular", "B": "Bold", "I": "It", "BI": "BoldIt"}
BRAND = (11, 83, 148)
INK = (27, 31, 36)
MUTED = (74, 85, 96)
RED = (163, 32, 32)
SITE_TITLE = "Học Số"
# Side of one QR module, in millimetres (a version 3-4 code is then about 30 mm wide).
QR_MODULE = 1.0


@cache
def font_path(style: str) -> Path:
    """The TTF file of a style, inside the installed font package."""
    resource = files("font_source_sans_pro").joinpath("files", f"SourceSansPro-{FONT_FILES[style]}.ttf")
    return Path(str(resource))


def new_document(orientation: str, title: str, kind: type[FPDF] = FPDF) -> FPDF:
    document = kind(orientation=orientation, unit="mm", format="A4")
    for style in FONT_FILES:
        document.add_font(FAMILY, style, str(font_path(style)))
    document.set_title(title)
    document.set_creator(SITE_TITLE)
    document.set_author(SITE_TITLE)
    document.set_lang("vi")
    return document


def text(value: str) -> str:
    return unicodedata.normalize("NFC", value)


def number(value: float, locale: str = "vi", digits: int = 2) -> str:
    return format_decimal(round(value, digits), locale=locale)


def hours(minutes: int, locale: str = "vi") -> str:
    """Hours with the locale's decimal mark: 270 minutes is "4,5" in Vietnamese, "4.5" in English."""
    return number(minutes / 60, locale)


def day(moment: datetime) -> str:
    return format_day(moment, get_settings().timezone)


def qr_runs(payload: str) -> tuple[int, list[tuple[int, int, int]]]:
    """The QR code of the payload as (size, [(row, first column, length)]): each run of dark
    modules in a row is drawn as one filled rectangle."""
    code = segno.make(payload, error="m", micro=False)
    runs: list[tuple[int, int, int]] = []
    for row, modules in enumerate(code.matrix):
        column = 0
        while column < len(modules):
            if modules[column]:
                start = column
                while column < len(modules) and modules[column]:
                    column += 1
                runs.append((row, start, column - start))
            else:
                column += 1
    return len(code.matrix), runs


def draw_qr(document: FPDF, payload: str, *, x: float, y: float) -> float:
    """Draw the QR code with its top-left corner at (x, y), linked to the payload; returns its side."""
    size, runs = qr_runs(payload)
    document.set_fill_color(0, 0, 0)
    for row, column, length in runs:
        document.rect(x + column * QR_MODULE, y + row * QR_MODULE, length * QR_MODULE, QR_MODULE, style="F")
    side = size * QR_MODULE
    document.link(x, y, side, side, payload)
    return side


def _centred(
    document: FPDF, value: str, *, size: float, style: str = "", colour: tuple[int, int, int] = INK
) -> None:
    document.set_font(FAMILY, style, size)
    document.set_text_color(*colour)
    document.multi_cell(0, size * 0.45, text(value), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def certificate_pdf(certificate: Certificate, *, unit_name: str, verify_url: str) -> bytes:
    """The certificate as it stands: a certified copy after a reissue, marked when revoked."""
    document = new_document("L", f"Giấy chứng nhận {certificate.serial}")
    document.set_auto_page_break(False)
    document.set_margins(30, 20, 30)
    document.add_page()
    document.set_draw_color(*BRAND)
    document.set_line_width(1.2)
    document.rect(10, 10, 277, 190)
    document.set_line_width(0.3)
    document.rect(13.5, 13.5, 270, 183)

    document.set_y(22)
    _centred(document, SITE_TITLE.upper(), size=13, style="B", colour=BRAND)
    document.ln(4)
    _centred(document, "GIẤY CHỨNG NHẬN", size=34, style="B", colour=BRAND)
    _centred(document, "Certificate of completion", size=15, style="I", colour=MUTED)
    if certificate.status == CertificateStatus.REVOKED:
        document.ln(1)
        _centred(document, "ĐÃ THU HỒI · REVOKED", size=16, style="B", colour=RED)
    document.ln(9)
    _centred(document, "Chứng nhận · This is to certify that", size=12, colour=MUTED)
    document.ln(1)
    _centred(document, certificate.full_name, size=26, style="B")
    document.ln(4)
    _centred(document, "đã hoàn thành khoá học · has completed the course", size=12, colour=MUTED)
    document.ln(1)
    _centred(document, certificate.course_title_vi, size=18, style="B")
    if certificate.course_title_en and certificate.course_title_en != certificate.course_title_vi:
        _centred(document, certificate.course_title_en, size=12, style="I", colour=MUTED)
    document.ln(8)
    _centred(
        document,
        f"Thời lượng: {hours(certificate.training_minutes)} giờ · Training: "
        f"{hours(certificate.training_minutes, 'en')} hours",
        size=12,
    )
    _centred(document, f"Ngày hoàn thành · Completed on: {day(certificate.completed_at)}", size=12)
    _centred(document, f"Đơn vị · Unit: {unit_name}", size=12)

    left = 25.0
    document.set_xy(left, 158)
    document.set_font(FAMILY, "", 11)
    document.set_text_color(*INK)
    document.cell(0, 6, text("Số hiệu · Serial:"), new_x=XPos.END)
    document.set_font(FAMILY, "B", 11)
    document.cell(0, 6, certificate.serial, new_x=XPos.LEFT, new_y=YPos.NEXT)
    document.set_x(left)
    document.set_font(FAMILY, "", 11)
    document.cell(0, 6, text(f"Ngày cấp · Issued: {day(certificate.issued_at)}"), new_y=YPos.NEXT)
    if certificate.copies and certificate.last_copy_at is not None:
        document.set_x(left)
        document.set_font(FAMILY, "B", 11)
        document.set_text_color(*BRAND)
        document.cell(0, 6, text("BẢN SAO · CERTIFIED COPY"), new_y=YPos.NEXT)
        document.set_x(left)
        document.set_font(FAMILY, "", 10)
        copy_day = day(certificate.last_copy_at)
        document.cell(
            0,
            5,
            text(
                f"Bản sao số {certificate.copies}, cấp ngày {copy_day} · "
                f"Copy no. {certificate.copies}, issued on {copy_day}"
            ),
            new_y=YPos.NEXT,
        )

    size, _ = qr_runs(verify_url)
    side = size * QR_MODULE
    qr_x, qr_y = 272 - side, 183 - side - 9
    draw_qr(document, verify_url, x=qr_x, y=qr_y)
    document.set_text_color(*MUTED)
    document.set_font(FAMILY, "", 8)
    document.set_xy(152, qr_y + side + 1)
    document.cell(120, 4, text("Kiểm tra · Verify:"), align="R", new_x=XPos.LEFT, new_y=YPos.NEXT)
    document.set_x(152)
    document.cell(120, 4, verify_url, align="R", link=verify_url)
    return bytes(document.output())
