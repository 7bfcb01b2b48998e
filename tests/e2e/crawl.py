"""The walker: from /home, every same-site link of every page reached, breadth-first and GET
only, as one person (a logged-in client or a visitor), against a running site. It keeps what
each page says, for the checks of its language, and every link that failed."""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urldefrag, urlencode, urljoin, urlsplit

import httpx2 as httpx

from tests.e2e.walk import WALKERS, Site, log_in, routes

# Links that change what the next pages show (the language) or end the walk (logging out).
NOT_FOLLOWED = (re.compile(r"^/lang/"), re.compile(r"^/logout"))
# Paged, sorted and filtered variants of one page: enough to try each kind, not every one.
PER_TEMPLATE = 3
# Blank values that are refused with a message saying what is missing: the list of a unit's
# officers needs its unit.
BLANK_REFUSED = {("/reports/export/officers.csv", "unit_id"), ("/reports/export/officers.xlsx", "unit_id")}
DOWNLOADS = {
    ".csv": "text/csv",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pdf": "application/pdf",
    "download": "",
}


class Page(HTMLParser):
    """The links of a page and the text a person reads on it. Scripts and styles are left out,
    and so is course material, which its authors mark with the language it is written in."""

    HIDDEN = frozenset({"script", "style", "template"})
    SHOWN_ATTRIBUTES = ("placeholder", "title", "alt", "aria-label")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.texts: list[str] = []
        self._hidden = 0
        self._content: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "a" and values.get("href"):
            self.links.append(str(values["href"]))
        if tag in self.HIDDEN:
            self._hidden += 1
        if self._content:
            if tag == self._content[0]:
                self._content.append(tag)
            return
        if values.get("lang") and tag != "html":
            self._content.append(tag)
            return
        for name in self.SHOWN_ATTRIBUTES:
            if values.get(name):
                self.texts.append(" ".join(str(values[name]).split()))
        if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
            self.texts.append(" ".join(str(values["value"]).split()))

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN and self._hidden:
            self._hidden -= 1
        if self._content and tag == self._content[0]:
            self._content.pop()

    def handle_data(self, data: str) -> None:
        text = " ".join(data.split())
        if text and not self._hidden and not self._content:
            self.texts.append(text)


def read_page(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    return page


@dataclass
class Walk:
    """What one role's walk found: the pages' texts and the links that failed."""

    texts: dict[str, list[str]] = field(default_factory=dict)
    failures: list[tuple[str, str, int | str]] = field(default_factory=list)
    downloads: dict[str, str] = field(default_factory=dict)


TEMPLATES = [(regex, path) for regex, path, _ in routes()]


def template_of(path: str) -> str:
    for regex, template in TEMPLATES:
        if regex.match(path):
            return template
    return path


def variant(url: str) -> tuple[str, tuple[str, ...]]:
    """Which cap a URL counts against: its route, and which query parameters it sets, an empty
    one apart (a filter left blank once sent `desc=` and got a 422)."""
    parts = urlsplit(url)
    names = {name if value else f"{name}=" for name, value in parse_qsl(parts.query, keep_blank_values=True)}
    return template_of(parts.path), tuple(sorted(names))


def walk(site: Site, role: str) -> Walk:
    found = Walk()
    with httpx.Client(base_url=site.url, headers={"Accept-Language": "vi-VN,vi"}, timeout=30) as client:
        if WALKERS[role] is not None:
            log_in(client, str(WALKERS[role]))
        queue: deque[tuple[str, str]] = deque([("(start)", "/home")])
        seen: set[str] = {"/home"}
        counts: dict[tuple[str, tuple[str, ...]], int] = {}
        tried: set[tuple[str, str]] = set()
        while queue:
            source, url = queue.popleft()
            response = client.get(url)
            if response.status_code >= 400:
                found.failures.append((source, url, response.status_code))
                continue
            targets: list[str] = []
            if response.is_redirect:
                targets.append(response.headers["location"])
            elif response.headers.get("content-type", "").startswith("text/html"):
                page = read_page(response.text)
                found.texts[url] = page.texts
                targets.extend(page.links)
            else:
                problem = download_problem(url, response)
                if problem:
                    found.failures.append((source, url, problem))
                found.downloads[url] = response.headers.get("content-type", "")
            found.failures.extend(blanked(client, url, tried))
            for link in targets:
                target = same_site(site.url, url, link)
                if target is None or target in seen or any(p.match(target) for p in NOT_FOLLOWED):
                    continue
                seen.add(target)
                key = variant(target)
                if counts.get(key, 0) >= PER_TEMPLATE:
                    continue
                counts[key] = counts.get(key, 0) + 1
                queue.append((url, target))
    return found


def blanked(client: httpx.Client, url: str, tried: set[tuple[str, str]]) -> list[tuple[str, str, int | str]]:
    """The link again with each of its query values left blank, once per route and parameter:
    a GET form sends its empty fields and a hand-made link may too, and blank means "as usual",
    never a 422 (the class page's CSV link once sent `desc=` and got one)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    failures: list[tuple[str, str, int | str]] = []
    for number, (name, value) in enumerate(query):
        key = (template_of(parts.path), name)
        if not value or key in tried or (parts.path, name) in BLANK_REFUSED:
            continue
        tried.add(key)
        blank = urlencode([(n, "" if i == number else v) for i, (n, v) in enumerate(query)])
        response = client.get(f"{parts.path}?{blank}")
        if response.status_code >= 400:
            failures.append((url, f"{parts.path}?{blank}", response.status_code))
    return failures


def same_site(base: str, here: str, link: str) -> str | None:
    """The link as a path and query on this site, or None when it leads elsewhere."""
    absolute, _ = urldefrag(urljoin(base + here, link))
    parts = urlsplit(absolute)
    if parts.scheme not in ("http", "https") or f"{parts.scheme}://{parts.netloc}" != base:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def download_problem(url: str, response: httpx.Response) -> str:
    """Why a file is not what its link says, or '' when it is."""
    kind = response.headers.get("content-type", "")
    path = urlsplit(url).path
    if path.startswith("/static/") or "/media/" in path:
        return ""
    for suffix, expected in DOWNLOADS.items():
        if path.endswith(suffix):
            if expected and not kind.startswith(expected):
                return f"content type {kind!r}"
            if not response.content:
                return "empty file"
            return ""
    return f"unexpected content type {kind!r}"
