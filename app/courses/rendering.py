"""Lesson Markdown to safe HTML: CommonMark and tables, raw HTML off, images kept local,
and the result cleaned by nh3 so nothing a course file says can run in a page."""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from dataclasses import dataclass, field

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

ALLOWED_TAGS = {
    "p",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "li",
    "strong",
    "em",
    "code",
    "pre",
    "blockquote",
    "a",
    "img",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "hr",
    "br",
    "del",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title", "loading"}, "ol": {"start"}}

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    ["table", "strikethrough"]
)
# The same parser without inline parsing: the block structure, in time linear in the text.
_blocks = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    ["table", "strikethrough"]
)
_blocks.disable("inline")

# Inline parsing (links, emphasis) takes time that grows faster than the length of the run of
# text it parses: 40 KB of "![" in one paragraph takes a second here. Each paragraph, heading,
# list item or table cell is such a run; the longest in our courses is under 600 characters.
MAX_INLINE = 4000


@dataclass
class Rendered:
    html: str
    images: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def render_lesson(markdown: str, *, lesson_dir: str, media_url: Callable[[str], str]) -> Rendered:
    """Render one lesson body.

    lesson_dir is the lesson file's folder relative to the course folder; image paths are
    resolved from it, must stay inside the course, and are rewritten through media_url.
    """
    result = Rendered(html="")
    for block in _blocks.parse(markdown):
        if block.type == "inline" and len(block.content) > MAX_INLINE:
            result.problems.append(
                f"line {(block.map or [0])[0] + 1}: a paragraph, heading, list item or table cell is "
                f"longer than {MAX_INLINE:,} characters; split it"
            )
    if result.problems:
        return result
    tokens = _md.parse(markdown)
    for token in tokens:
        if token.type == "heading_open" and token.tag == "h1":
            result.problems.append(
                f"line {(token.map or [0])[0] + 1}: use '##' for headings; the lesson title is the "
                "page's only top heading"
            )
        for child in token.children or []:
            if child.type == "image":
                _local_image(child, lesson_dir, media_url, result)
    html = _md.renderer.render(tokens, _md.options, {})
    result.html = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
    return result


def _local_image(token: Token, lesson_dir: str, media_url: Callable[[str], str], out: Rendered) -> None:
    src = str(token.attrGet("src") or "")
    line = (token.map or [0])[0] + 1 if token.map else None
    where = f"image '{src}'" + (f" (line {line})" if line else "")
    if "://" in src or src.startswith(("/", "data:")) or ":" in src.split("/")[0]:
        out.problems.append(
            f"{where}: images must be files inside the course folder, "
            "so pages never load anything from another site"
        )
        return
    path = posixpath.normpath(posixpath.join(lesson_dir, src))
    if path.startswith("../") or path == "..":
        out.problems.append(f"{where}: the path leaves the course folder")
        return
    if not token.content.strip():
        out.problems.append(
            f"{where}: describe the image between the brackets, e.g. ![Sơ đồ …](…), "
            "for readers who cannot see it"
        )
    out.images.append(path)
    token.attrSet("src", media_url(path))
    token.attrSet("loading", "lazy")
