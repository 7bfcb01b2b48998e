"""The PDFs: Vietnamese text read back exactly (NFC), the QR code drawn is the code of the
verification address, copies and revocations marked, and the transcript table across pages."""

from __future__ import annotations

import io
import re
import subprocess
import unicodedata
from datetime import UTC, datetime
from pathlib import Path

import pypdf
import segno

from app.certificates.models import Certificate
from app.certificates.pdf import QR_MODULE, certificate_pdf, font_path, qr_runs
from app.certificates.transcript import Transcript, TranscriptRow, YearTotal
from app.certificates.transcript_pdf import transcript_pdf

ROOT = Path(__file__).resolve().parents[2]
URL = "https://hocso.example.gov.vn/verify/Zx9_aB-cD3eF4gH5"
POINTS_PER_MM = 72 / 25.4


def sample(**overrides: object) -> Certificate:
    fields: dict[str, object] = {
        "serial": "HS-2026-000123",
        "verify_code": "Zx9_aB-cD3eF4gH5",
        # Typed with combining marks: the PDF must still carry the composed (NFC) letters.
        "full_name": unicodedata.normalize("NFD", "Nguyễn Thị Thuỳ Dương"),
        "course_title_vi": "Kỹ năng CNTT cơ bản và an toàn thông tin",
        "course_title_en": "Basic IT skills and information security",
        "training_minutes": 270,
        # 18:30 UTC on 10 March is 01:30 on 11 March in Vietnam.
        "completed_at": datetime(2026, 3, 10, 18, 30, tzinfo=UTC),
        "issued_at": datetime(2026, 3, 10, 18, 30, tzinfo=UTC),
        "status": "valid",
        "copies": 0,
        "last_copy_at": None,
    }
    fields.update(overrides)
    return Certificate(**fields)


def page_text(data: bytes, page: int = 0) -> str:
    return pypdf.PdfReader(io.BytesIO(data)).pages[page].extract_text()


def test_the_certificate_reads_back_in_exact_vietnamese() -> None:
    text = page_text(certificate_pdf(sample(), unit_name="Phòng Công chức, Sở Nội vụ", verify_url=URL))
    for expected in (
        "GIẤY CHỨNG NHẬN",
        "Certificate of completion",
        "Nguyễn Thị Thuỳ Dương",
        "Kỹ năng CNTT cơ bản và an toàn thông tin",
        "Basic IT skills and information security",
        "Thời lượng: 4,5 giờ",
        "Training: 4.5 hours",
        "Completed on: 11/03/2026",
        "Đơn vị · Unit: Phòng Công chức, Sở Nội vụ",
        "HS-2026-000123",
        URL,
    ):
        assert unicodedata.normalize("NFC", expected) in text, expected
    assert "BẢN SAO" not in text and "THU HỒI" not in text


def test_a_reissued_certificate_is_marked_as_a_numbered_certified_copy() -> None:
    copy = sample(copies=2, last_copy_at=datetime(2026, 11, 27, 20, 0, tzinfo=UTC))
    text = page_text(certificate_pdf(copy, unit_name="Sở Tư pháp", verify_url=URL))
    assert "BẢN SAO · CERTIFIED COPY" in text
    assert "Bản sao số 2, cấp ngày 28/11/2026" in text
    assert "Copy no. 2, issued on 28/11/2026" in text
    assert "HS-2026-000123" in text


def test_a_revoked_certificate_says_so() -> None:
    text = page_text(certificate_pdf(sample(status="revoked"), unit_name="Sở Tư pháp", verify_url=URL))
    assert "ĐÃ THU HỒI · REVOKED" in text


def drawn_modules(data: bytes) -> set[tuple[int, int]]:
    """Dark QR modules read back from the page's filled rectangles one module high."""
    content = pypdf.PdfReader(io.BytesIO(data)).pages[0].get_contents()
    assert content is not None
    module = round(QR_MODULE * POINTS_PER_MM, 2)
    rects = [
        (float(x), float(y), float(w))
        for x, y, w, h in re.findall(
            r"([\d.]+) ([\d.]+) ([\d.]+) (-?[\d.]+) re f", content.get_data().decode("latin-1")
        )
        if abs(abs(float(h)) - module) < 0.02
    ]
    left, top = min(r[0] for r in rects), max(r[1] for r in rects)
    found: set[tuple[int, int]] = set()
    for x, y, w in rects:
        row, column = round((top - y) / module), round((x - left) / module)
        found.update((row, column + i) for i in range(round(w / module)))
    return found


def test_the_qr_code_drawn_encodes_exactly_the_verification_address() -> None:
    data = certificate_pdf(sample(), unit_name="Sở Tư pháp", verify_url=URL)
    expected = segno.make(URL, error="m", micro=False)
    dark = {(r, c) for r, row in enumerate(expected.matrix) for c, bit in enumerate(row) if bit}
    assert drawn_modules(data) == dark
    size, runs = qr_runs(URL)
    assert size == len(expected.matrix)
    assert sum(length for _, _, length in runs) == len(dark)
    annotations = pypdf.PdfReader(io.BytesIO(data)).pages[0].annotations
    assert annotations is not None
    assert [a.get_object()["/A"]["/URI"] for a in annotations] == [URL, URL]


def test_fonts_come_from_the_installed_package_and_are_embedded() -> None:
    assert font_path("").name == "SourceSansPro-Regular.ttf" and font_path("").is_file()
    assert "font_source_sans_pro" in str(font_path("B"))
    tracked = subprocess.run(["git", "ls-files", "*.ttf", "*.otf"], cwd=ROOT, capture_output=True, text=True)
    assert tracked.stdout == ""
    reader = pypdf.PdfReader(io.BytesIO(certificate_pdf(sample(), unit_name="Sở", verify_url=URL)))
    resources = reader.pages[0]["/Resources"].get_object()
    assert isinstance(resources, pypdf.generic.DictionaryObject)
    fonts = resources["/Font"].get_object()
    assert isinstance(fonts, pypdf.generic.DictionaryObject)
    names = sorted(str(f.get_object()["/BaseFont"]).split("+")[-1] for f in fonts.values())
    assert names == ["SourceSansPro", "SourceSansProBold", "SourceSansProItalic"]


def test_the_transcript_table_breaks_across_pages_and_repeats_its_header() -> None:
    rows = [
        TranscriptRow(
            course_title_vi=f"Kỹ năng số cho bộ phận một cửa, phần {n}",
            course_title_en=f"Part {n}",
            completed_at=datetime(2025 + n % 2, 3, 1, 3, 0, tzinfo=UTC),
            year=2025 + n % 2,
            training_minutes=90,
            score=87.5 if n % 2 else None,
            certificate_id=n,
            serial=f"HS-2026-{n:06d}",
            status="revoked" if n == 3 else "valid",
            copies=2 if n == 4 else 0,
        )
        for n in range(1, 61)
    ]
    found = Transcript(
        user_id=1,
        full_name="Nguyễn Văn Đức",
        officer_code="HVA",
        unit_name="Phòng Công chức",
        rows=rows,
        years=[YearTotal(2025, 30, 2700), YearTotal(2026, 30, 2700)],
    )
    reader = pypdf.PdfReader(io.BytesIO(transcript_pdf(found)))
    texts = [page.extract_text() for page in reader.pages]
    assert len(texts) >= 3
    assert all("Khoá học" in t and "Giấy chứng nhận" in t for t in texts[: len(texts) - 1])
    whole = "\n".join(texts)
    assert "BẢNG KẾT QUẢ HỌC TẬP" in texts[0] and "Nguyễn Văn Đức" in texts[0]
    assert "Kỹ năng số cho bộ phận một cửa, phần 60" in whole
    assert "87,5%" in whole and "đã thu hồi" in whole and "bản sao số 2" in whole
    assert re.search(r"Tổng cộng · Total\s*60\s*90", whole)
    assert f"Trang {len(texts)}/{len(texts)}" in texts[-1]
