"""The pictures a lesson may show, checked before they are stored: PNG, JPEG, GIF and WebP by
their first bytes, SVG strictly, since an SVG is a document that can run script, load other files
and style the page, so only drawing is let through.

An SVG is parsed with defusedxml (no DTD, so no entities, no entity bombs, no external references); then
every element and attribute must be on an allow-list of shapes, text and presentation, links
(`href`) may only point inside the picture (`#id`), and `url(...)` values likewise. No style
element or attribute, no script, event handler, image, link, foreignObject or processing
instruction. The picture is also served with a Content-Security-Policy that forbids all of it
(app.web.courses), so a gap here is not enough on its own. See courses/README.md, "Hình vẽ SVG"."""

from __future__ import annotations

import re
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

SVG_TYPE = "image/svg+xml"
IMAGE_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".svg": SVG_TYPE,
}
_SIGNATURES = {
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
}
MAX_SVG_BYTES = 60 * 1024
SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"
_ELEMENT_NAMES = """svg g rect circle ellipse line polyline polygon path text tspan title desc defs marker
use linearGradient radialGradient stop clipPath"""
_ATTRIBUTE_NAMES = """x y x1 y1 x2 y2 cx cy r rx ry width height d points transform viewBox
preserveAspectRatio fill fill-opacity stroke stroke-width stroke-dasharray stroke-linecap
stroke-linejoin opacity font-size font-family font-weight font-style text-anchor dominant-baseline
letter-spacing marker-start marker-end markerWidth markerHeight refX refY orient offset stop-color
stop-opacity gradientUnits clip-path id role aria-label aria-labelledby xmlns dx dy"""
ELEMENTS = frozenset(_ELEMENT_NAMES.split())
ATTRIBUTES = frozenset(_ATTRIBUTE_NAMES.split())
_LOCAL_REF = re.compile(r"#[A-Za-z_][\w.:-]*")
_URL = re.compile(r"url\(\s*([^)]*?)\s*\)", re.IGNORECASE)


def picture_problems(media_type: str, data: bytes) -> list[str]:
    """What keeps these bytes from being a picture of this type; empty when there is nothing."""
    if media_type == SVG_TYPE:
        return svg_problems(data)
    if media_type == "image/webp":
        looks_right = data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    else:
        looks_right = data.startswith(_SIGNATURES[media_type])
    return [] if looks_right else [f"the file is not really {media_type}"]


def svg_problems(data: bytes) -> list[str]:
    """What keeps these bytes from being a safe SVG picture; empty when there is nothing."""
    if len(data) > MAX_SVG_BYTES:
        return [f"is larger than {MAX_SVG_BYTES // 1024} KB; simplify the drawing"]
    builder = _Builder()
    parser = DefusedXMLParser(target=builder, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    try:
        parser.feed(data)
        root = parser.close()
    except DefusedXmlException:
        return ["declares a DOCTYPE or entities; an SVG picture needs neither, remove them"]
    except ParseError as exc:
        return [f"is not well-formed XML ({exc})"]
    problems = [
        f"holds the processing instruction <?{name} ...?>; remove it" for name in builder.instructions
    ]
    if root.tag != f"{{{SVG_NS}}}svg":
        return [*problems, 'the top element must be <svg xmlns="http://www.w3.org/2000/svg">']
    stack = [root]
    while stack:
        element = stack.pop()
        found = _element_problems(element)
        problems.extend(found)
        # What a refused element holds goes with it: one problem for a <foreignObject>, not one
        # for each thing inside it.
        if not (found and found[0].startswith("the element")):
            stack.extend(reversed(element))
    return problems


class _Builder(TreeBuilder):
    """Also notes processing instructions (<?xml-stylesheet ...?> would load a style sheet),
    which ElementTree drops when they stand outside the top element."""

    def __init__(self) -> None:
        super().__init__()
        self.instructions: list[str] = []

    def pi(self, target: str, text: str | None = None) -> Element:
        self.instructions.append(target)
        return super().pi(target, text)


def _element_problems(element: Element) -> list[str]:
    namespace, _, name = (
        element.tag[1:].partition("}") if element.tag.startswith("{") else ("", "", element.tag)
    )
    if namespace != SVG_NS or name not in ELEMENTS:
        shown = name if namespace == SVG_NS else element.tag
        return [f"the element <{shown}> is not allowed; use only: " + ", ".join(sorted(ELEMENTS))]
    problems = []
    for key, value in element.attrib.items():
        problem = _attribute_problem(name, key, value)
        if problem:
            problems.append(problem)
    return problems


def _attribute_problem(element: str, key: str, value: str) -> str | None:
    where = f"<{element}>"
    if key in ("href", f"{{{XLINK_NS}}}href"):
        if not _LOCAL_REF.fullmatch(value.strip()):
            return f"{where}: href='{value[:60]}' must point inside the picture, as href=\"#id\""
        return None
    if key.startswith("{") or key not in ATTRIBUTES:
        shown = key.replace(f"{{{XLINK_NS}}}", "xlink:").replace(f"{{{XML_NS}}}", "xml:")
        return f"{where}: the attribute '{shown}' is not allowed (no style, class, or handler such as onload)"
    for url in _URL.findall(value):
        if not _LOCAL_REF.fullmatch(url.strip("'\"")):
            return f"{where}: {key}='{value[:60]}' may only refer inside the picture, as url(#id)"
    return None
