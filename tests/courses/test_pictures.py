"""SVG pictures in lessons: what is accepted, each construct refused with the file and the
element or attribute named, and how a picture is served."""

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.courses import service, uploads
from app.courses.content import ContentInvalid, parse_course_dir
from app.courses.pictures import MAX_SVG_BYTES, svg_problems
from app.http.security import MEDIA_CSP
from tests.factories import write_course, zip_folder
from tests.world import World

SVG = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 720 400" role="img" aria-labelledby="t">{}</svg>'  # noqa: E501
GOOD = SVG.format(
    '<title id="t">Đường đi của hồ sơ</title><desc>Ba bước, từ tiếp nhận đến trả kết quả.</desc>'
    '<defs><marker id="mui-ten" markerWidth="10" markerHeight="10" refX="5" refY="5" orient="auto">'
    '<path d="M0,0 L10,5 L0,10 z" fill="#333"/></marker>'
    '<linearGradient id="nen" gradientUnits="userSpaceOnUse"><stop offset="0" stop-color="#fff"/>'
    '<stop offset="1" stop-color="#eef" stop-opacity="0.5"/></linearGradient>'
    '<clipPath id="khung"><rect width="720" height="400"/></clipPath></defs>'
    '<g clip-path="url(#khung)"><rect x="0" y="0" width="720" height="400" fill="url(#nen)"/>'
    '<line x1="10" y1="10" x2="200" y2="10" stroke="#333" stroke-width="2" marker-end="url(#mui-ten)"/>'
    '<text x="20" y="60" font-family="sans-serif" font-size="20">Tiếp nhận <tspan dx="4">hồ sơ</tspan></text>'
    '<use href="#mui-ten"/><use xlink:href="#khung"/></g>'
)
LESSON = (
    "---\nid: bai-hai\ntitle: Bài hai\nminutes: 5\n---\n\n![Đường đi của hồ sơ qua ba bước](hinh/ve.svg)\n"
)


def course_with(tmp_path: Path, svg: str | bytes) -> Path:
    return write_course(tmp_path, files={"m1/bai-hai.md": LESSON, "m1/hinh/ve.svg": svg})


class TestAccepted:
    def test_a_drawing_with_shapes_text_and_inner_references_is_kept(self, tmp_path: Path) -> None:
        spec = parse_course_dir(course_with(tmp_path, GOOD))
        svg = next(a for a in spec.assets if a.path == "m1/hinh/ve.svg")
        assert svg.media_type == "image/svg+xml" and svg.data == GOOD.encode()
        assert (
            '<img src="/courses/khoa-hoc-mau/media/m1/hinh/ve.svg" alt="Đường đi' in spec.lessons[1].body_html
        )

    def test_an_xml_declaration_is_fine(self) -> None:
        assert svg_problems(b'<?xml version="1.0" encoding="UTF-8"?>\n' + GOOD.encode()) == []


def problems(tmp_path: Path, svg: str | bytes) -> list[str]:
    with pytest.raises(ContentInvalid) as caught:
        parse_course_dir(course_with(tmp_path, svg))
    return [str(e) for e in caught.value.errors]


ALLOWED = (
    "circle, clipPath, defs, desc, ellipse, g, line, linearGradient, marker, path, polygon, polyline, "
    "radialGradient, rect, stop, svg, text, title, tspan, use"
)
BOMB = (
    '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]><svg xmlns="http://www.w3.org/2000/svg"><text>&c;</text></svg>'
)


class TestRefused:
    @pytest.mark.parametrize(
        ("svg", "problem"),
        [
            (SVG.format("<script>alert(1)</script>"), f"the element <script> is not allowed; use only: {ALLOWED}"),  # noqa: E501
            (SVG.format('<rect onload="alert(1)"/>'), "<rect>: the attribute 'onload' is not allowed"),
            (SVG.format("<foreignObject><p>x</p></foreignObject>"), "the element <foreignObject> is not allowed"),  # noqa: E501
            (SVG.format('<image href="hinh.png"/>'), "the element <image> is not allowed"),
            (SVG.format('<a href="https://vi-du.vn"><text>x</text></a>'), "the element <a> is not allowed"),
            (SVG.format("<style>rect{fill:red}</style>"), "the element <style> is not allowed"),
            (SVG.format('<rect style="fill:red"/>'), "<rect>: the attribute 'style' is not allowed"),
            (SVG.format('<rect class="o"/>'), "<rect>: the attribute 'class' is not allowed"),
            (
                SVG.format('<use href="https://vi-du.vn/a.svg#x"/>'),
                "<use>: href='https://vi-du.vn/a.svg#x' must point inside the picture, as href=\"#id\"",
            ),
            (SVG.format('<use xlink:href="data:image/svg+xml,x"/>'), "<use>: href='data:image/svg+xml,x' must"),  # noqa: E501
            (
                SVG.format('<rect fill="url(https://vi-du.vn/n.svg#g)"/>'),
                "<rect>: fill='url(https://vi-du.vn/n.svg#g)' may only refer inside the picture, as url(#id)",
            ),
            (SVG.format('<text xml:lang="vi">x</text>'), "<text>: the attribute 'xml:lang' is not allowed"),
            (SVG.format('<rect xmlns:ev="urn:x" ev:x="1"/>'), "<rect>: the attribute '{urn:x}x' is not allowed"),  # noqa: E501
            (SVG.format('<v:rect xmlns:v="urn:x"/>'), "the element <{urn:x}rect> is not allowed"),
            ('<?xml-stylesheet href="https://vi-du.vn/a.css"?>' + GOOD, "holds the processing instruction"),
            (BOMB, "declares a DOCTYPE or entities; an SVG picture needs neither, remove them"),
            (
                '<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg xmlns="http://www.w3.org/2000/svg"/>',
                "declares a DOCTYPE or entities",
            ),
            ('<html xmlns="http://www.w3.org/1999/xhtml"/>', 'the top element must be <svg xmlns="http://www.w3.org/2000/svg">'),
            ("<svg><rect></svg>", "is not well-formed XML (mismatched tag: line 1, column 13)"),
        ],
    )  # fmt: skip
    def test_the_error_names_the_file_and_the_element_or_attribute(
        self, tmp_path: Path, svg: str, problem: str
    ) -> None:
        found = problems(tmp_path, svg)
        assert len(found) == 1 and found[0].startswith(f"m1/hinh/ve.svg: {problem}"), found

    def test_every_bad_construct_is_listed(self, tmp_path: Path) -> None:
        found = problems(tmp_path, SVG.format('<script/><rect onclick="x" style="y"/>'))
        assert [p.split(":")[1].strip() for p in found] == [
            "the element <script> is not allowed; use only",
            "<rect>",
            "<rect>",
        ]

    def test_over_60_kb_is_refused_before_it_is_read(self, tmp_path: Path) -> None:
        big = GOOD.replace("</svg>", "<desc>" + "x" * MAX_SVG_BYTES + "</desc></svg>")
        assert problems(tmp_path, big) == ["m1/bai-hai.md: image 'm1/hinh/ve.svg' is larger than 60 KB"]
        assert svg_problems(big.encode()) == ["is larger than 60 KB; simplify the drawing"]


class TestServed:
    def test_with_its_type_a_policy_that_runs_and_loads_nothing_and_nosniff(
        self, client: TestClient, session: Session, tmp_path: Path
    ) -> None:
        service.import_course_dir(session, course_with(tmp_path, GOOD), max_asset_bytes=2 * 1024 * 1024)
        session.commit()
        response = client.get("/courses/khoa-hoc-mau/media/m1/hinh/ve.svg")
        assert response.status_code == 200 and response.content == GOOD.encode()
        assert response.headers["content-type"] == "image/svg+xml"
        assert response.headers.get_list("content-security-policy") == [MEDIA_CSP]
        assert MEDIA_CSP == "default-src 'none'; style-src 'unsafe-inline'; sandbox"
        assert response.headers.get_list("x-content-type-options") == ["nosniff"]
        page = client.get("/courses/khoa-hoc-mau/lessons/bai-hai")
        assert page.headers["content-security-policy"].startswith("default-src 'self'")

    def test_an_uploaded_zip_may_hold_svg_pictures_and_a_bad_one_is_named(
        self, session: Session, world: World, tmp_path: Path
    ) -> None:
        coord = world.actor(session, world.coord_a)
        good = uploads.stage_upload(
            session, coord, filename="k.zip", data=zip_folder(course_with(tmp_path / "a", GOOD))
        )
        assert good.importable, good.problems
        bad_zip = zip_folder(course_with(tmp_path / "b", SVG.format("<script/>")))
        bad = uploads.stage_upload(session, coord, filename="k.zip", data=bad_zip)
        assert bad.status == "invalid"
        assert [(p.file, p.message[:36]) for p in bad.problems] == [
            ("m1/hinh/ve.svg", "the element <script> is not allowed;")
        ]
