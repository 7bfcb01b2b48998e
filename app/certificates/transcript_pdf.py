"""The transcript as a PDF (fpdf2, portrait A4): the officer, one table row per completed course
(the table breaks across pages and repeats its header on each), then hours per year and in all.
Labels are Vietnamese with the English after them, like the certificate."""

from __future__ import annotations

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace
from sqlalchemy.orm import Session

from app.certificates.models import CertificateStatus
from app.certificates.pdf import BRAND, FAMILY, INK, MUTED, SITE_TITLE, day, hours, new_document, number, text
from app.certificates.service import PdfFile
from app.certificates.transcript import Transcript, TranscriptRow, my_transcript, transcript
from app.config import get_settings
from app.i18n import format_day, today
from app.orgs.permissions import Actor

HEADINGS = (
    "TT\nNo.",
    "Khoá học\nCourse",
    "Hoàn thành\nCompleted",
    "Số giờ\nHours",
    "Kết quả\nScore",
    "Giấy chứng nhận\nCertificate",
)
WIDTHS = (10, 70, 25, 17, 18, 40)
HEADING_STYLE = FontFace(family=FAMILY, emphasis="BOLD", color=(255, 255, 255), fill_color=BRAND)


class _Paged(FPDF):
    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FAMILY, "", 8)
        self.set_text_color(*MUTED)
        self.cell(0, 5, text(f"Trang {self.page_no()}/{{nb}} · Page {self.page_no()}/{{nb}}"), align="C")


def score_label(score: float | None) -> str:
    # One decimal at most, as the transcript page shows it: 96.97 is 97% in both.
    return "—" if score is None else f"{number(score, digits=1)}%"


def certificate_label(row: TranscriptRow) -> str:
    if row.serial is None:
        return "—"
    if row.status == CertificateStatus.REVOKED:
        return f"{row.serial}\nđã thu hồi · revoked"
    if row.copies:
        return f"{row.serial}\nbản sao số {row.copies} · copy no. {row.copies}"
    return row.serial


def _fact(document: FPDF, label: str, value: str) -> None:
    document.set_font(FAMILY, "", 11)
    document.set_text_color(*MUTED)
    document.cell(55, 6, text(label), new_x=XPos.END)
    document.set_font(FAMILY, "B", 11)
    document.set_text_color(*INK)
    document.cell(0, 6, text(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def transcript_pdf(found: Transcript) -> bytes:
    document = new_document("P", f"Bảng kết quả học tập: {found.full_name}", _Paged)
    document.set_margins(15, 15, 15)
    document.set_auto_page_break(True, margin=18)
    document.add_page()
    document.set_font(FAMILY, "B", 11)
    document.set_text_color(*BRAND)
    document.cell(0, 6, text(SITE_TITLE.upper()), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    document.set_font(FAMILY, "B", 20)
    document.cell(0, 11, text("BẢNG KẾT QUẢ HỌC TẬP"), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    document.set_font(FAMILY, "I", 12)
    document.set_text_color(*MUTED)
    document.cell(0, 6, "Training transcript", align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    document.ln(5)
    _fact(document, "Họ và tên · Full name", found.full_name)
    _fact(document, "Mã cán bộ · Officer code", found.officer_code)
    _fact(document, "Đơn vị · Unit", found.unit_name)
    _fact(document, "Ngày in · Printed on", format_day(today(get_settings().timezone)))
    document.ln(4)

    document.set_text_color(*INK)
    document.set_font(FAMILY, "", 9.5)
    if found.rows:
        with document.table(
            col_widths=WIDTHS,
            width=sum(WIDTHS),
            headings_style=HEADING_STYLE,
            line_height=5,
            text_align=("RIGHT", "LEFT", "CENTER", "RIGHT", "RIGHT", "LEFT"),
            repeat_headings=1,
            padding=1.2,
        ) as table:
            table.row([text(h) for h in HEADINGS])
            for number, row in enumerate(found.rows, start=1):
                table.row(
                    [
                        str(number),
                        text(row.course_title_vi),
                        day(row.completed_at),
                        hours(row.training_minutes),
                        score_label(row.score),
                        text(certificate_label(row)),
                    ]
                )
    else:
        document.cell(0, 8, text("Chưa hoàn thành khoá học nào · No course completed yet."), new_y=YPos.NEXT)

    document.ln(6)
    document.set_font(FAMILY, "B", 12)
    document.cell(0, 7, text("Số giờ theo năm · Hours per year"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    document.set_font(FAMILY, "", 10)
    with document.table(
        col_widths=(40, 40, 40),
        width=120,
        align="LEFT",
        headings_style=HEADING_STYLE,
        line_height=5.5,
        text_align=("LEFT", "RIGHT", "RIGHT"),
        padding=1.2,
    ) as table:
        table.row([text("Năm · Year"), text("Số khoá học · Courses"), text("Số giờ · Hours")])
        for year in found.years:
            table.row([str(year.year), str(year.courses), hours(year.minutes)])
        total = table.row()
        total.cell(text("Tổng cộng · Total"), style=FontFace(emphasis="BOLD"))
        total.cell(str(len(found.rows)), style=FontFace(emphasis="BOLD"))
        total.cell(hours(found.total_minutes), style=FontFace(emphasis="BOLD"))
    return bytes(document.output())


def transcript_file(session: Session, actor: Actor, *, user_id: int | None) -> PdfFile:
    """The transcript as a PDF: the caller's own when user_id is None."""
    found = my_transcript(session, actor) if user_id is None else transcript(session, actor, user_id=user_id)
    return PdfFile(f"bang-ket-qua-{found.officer_code}.pdf", transcript_pdf(found))
