"""Oversized and malformed request bodies: over HOCSO_MAX_UPLOAD_BYTES is 413 before any handler
reads the body, declared or chunked, on forms, uploads and JSON alike; huge fields and absurd
JSON on ordinary routes are refused with a 4xx, never a 500."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from starlette.testclient import TestClient
from starlette.types import Message, Receive, Scope, Send

from app.accounts import tokens
from app.config import get_settings
from app.courses import service as courses
from app.http.limits import BodySizeLimit
from app.main import create_app
from tests.accounts.test_api_admin import hr_token
from tests.conftest import BACKEND
from tests.courses.test_admin_web import log_in, token
from tests.factories import make_class, write_course
from tests.world import World

LIMIT = 64 * 1024
CHUNK = 16 * 1024


def run(app: BodySizeLimit, chunks: list[bytes], headers: list[tuple[bytes, bytes]]) -> list[Message]:
    sent: list[Message] = []
    pending = list(chunks)

    async def receive() -> Message:
        body = pending.pop(0) if pending else b""
        return {"type": "http.request", "body": body, "more_body": bool(pending)}

    async def send(message: Message) -> None:
        sent.append(message)

    scope: Scope = {"type": "http", "method": "POST", "path": "/", "headers": headers}
    asyncio.run(app(scope, receive, send))
    return sent


class Reader:
    """An app that reads the whole body, optionally swallowing errors as FastAPI does."""

    def __init__(self, *, swallow: bool = False) -> None:
        self.called = False
        self.read = 0
        self.swallow = swallow

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.called = True
        try:
            more = True
            while more:
                message = await receive()
                self.read += len(message.get("body", b""))
                more = message.get("more_body", False)
        except Exception:
            if not self.swallow:
                raise
            await send({"type": "http.response.start", "status": 400, "headers": []})
            await send({"type": "http.response.body", "body": b"bad body"})
            return
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": str(self.read).encode()})


def status_and_body(sent: list[Message]) -> tuple[int, bytes]:
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])


class TestMiddleware:
    def test_a_declared_length_over_the_limit_never_reaches_the_app(self) -> None:
        inner = Reader()
        sent = run(
            BodySizeLimit(inner, max_bytes=LIMIT), [b"x"], [(b"content-length", str(LIMIT + 1).encode())]
        )
        assert status_and_body(sent) == (413, b"Request body too large") and not inner.called

    def test_a_chunked_body_is_cut_off_at_the_limit(self) -> None:
        inner = Reader()
        sent = run(BodySizeLimit(inner, max_bytes=LIMIT), [b"x" * CHUNK] * 100, [])
        assert status_and_body(sent) == (413, b"Request body too large")
        # The app saw at most the limit: the chunk that crossed it was never handed over.
        assert inner.read <= LIMIT

    def test_the_answer_is_413_even_when_the_app_turns_the_failure_into_its_own_error(self) -> None:
        inner = Reader(swallow=True)
        sent = run(BodySizeLimit(inner, max_bytes=LIMIT), [b"x" * CHUNK] * 100, [])
        assert status_and_body(sent) == (413, b"Request body too large") and len(sent) == 2

    def test_a_body_within_the_limit_passes_whole(self) -> None:
        sent = run(BodySizeLimit(Reader(), max_bytes=LIMIT), [b"x" * CHUNK] * 4, [])
        assert status_and_body(sent) == (200, str(4 * CHUNK).encode())


@pytest.fixture
def small_limit(monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """The real app with a 64 KB limit (bodies are read before any dependency, so no database
    is reached by a refused request)."""
    monkeypatch.setattr(get_settings(), "max_upload_bytes", LIMIT)
    yield TestClient(create_app())


ROUTES = [
    ("/login", "application/x-www-form-urlencoded"),
    ("/officers/import", "multipart/form-data; boundary=b"),
    ("/admin/courses/upload", "multipart/form-data; boundary=b"),
    ("/api/v1/roster-imports", "multipart/form-data; boundary=b"),
    ("/api/v1/admin/courses", "multipart/form-data; boundary=b"),
    ("/api/v1/activation-codes", "application/json"),
]


def chunked(total: int) -> Iterator[bytes]:
    for _ in range(total // CHUNK):
        yield b"x" * CHUNK


@pytest.mark.parametrize(("url", "content_type"), ROUTES)
def test_an_oversized_body_is_413_with_or_without_a_length(
    small_limit: TestClient, url: str, content_type: str
) -> None:
    declared = small_limit.post(url, content=b"x" * (LIMIT + 1), headers={"content-type": content_type})
    streamed = small_limit.post(url, content=chunked(4 * LIMIT), headers={"content-type": content_type})
    assert "content-length" not in streamed.request.headers
    assert [declared.status_code, streamed.status_code] == [413, 413]
    assert streamed.text == "Request body too large"


def test_an_oversized_file_in_a_real_multipart_upload_is_413(small_limit: TestClient) -> None:
    response = small_limit.post(
        "/api/v1/roster-imports", files={"file": ("ds.csv", b"x" * (2 * LIMIT), "text/csv")}
    )
    assert response.status_code == 413


class TestHugeFieldsOnOrdinaryRoutes:
    def test_a_form_field_over_a_megabyte_is_a_bad_request(self, client: TestClient) -> None:
        urlencoded = client.post("/login", data={"account": "x" * (2 << 20), "password": "y"})
        multipart = client.post("/login", files={"account": (None, "x" * (2 << 20)), "password": (None, "y")})
        for response in (urlencoded, multipart):
            assert response.status_code == 400 and "exceeded maximum size" in response.text

    def test_absurd_json_is_refused_with_a_4xx(
        self, client: TestClient, session: Session, world: World
    ) -> None:
        headers = {**hr_token(session, world), "content-type": "application/json"}
        url = "/api/v1/activation-codes"
        deep = client.post(url, content=b"[" * 100_000, headers=headers)
        long_list = client.post(url, content=b'{"user_ids": [' + b"1," * 2_000_000 + b"1]}", headers=headers)
        wrong_type = client.post(url, content=b'{"user_ids": "' + b"a" * 5_000_000 + b'"}', headers=headers)
        not_json = client.post(url, content=b"\xff\xfe{" * 1000, headers=headers)
        assert [r.status_code for r in (deep, long_list, wrong_type, not_json)] == [400, 422, 422, 422]


def multipart(parts: list[tuple[bytes, bytes]]) -> bytes:
    """A raw multipart body, so that a part's header can hold bytes no client library sends."""
    body = b"".join(
        b"--b\r\nContent-Disposition: form-data; " + head + b"\r\n\r\n" + value + b"\r\n"
        for head, value in parts
    )
    return body + b"--b--\r\n"


class TestHostileFormParts:
    ROSTER = "Mã cán bộ;Họ và tên;Đơn vị\nNUL1;Đào Thị Tên;SA\n".encode()

    def test_a_nul_in_an_uploaded_file_name_is_dropped(
        self, client: TestClient, session: Session, world: World
    ) -> None:
        response = client.post(
            "/api/v1/roster-imports",
            params={"dry_run": "true"},
            headers={**hr_token(session, world), "content-type": "multipart/form-data; boundary=b"},
            content=multipart([(b'name="file"; filename="../d\x00s\xe2\x80\x8b.csv"', self.ROSTER)]),
        )
        assert (response.status_code, response.json()["filename"], response.json()["new"]) == (
            200,
            "ds.csv",
            1,
        )

    def test_a_nul_in_a_file_name_on_the_upload_page_is_dropped(
        self, client: TestClient, session: Session, world: World
    ) -> None:
        log_in(client, session, world.hr_a)
        csrf = token(client.get("/officers/import").text)
        response = client.post(
            "/officers/import",
            headers={
                "content-type": "multipart/form-data; boundary=b",
                "referer": "http://testserver/officers/import",
            },
            content=multipart(
                [(b'name="csrf_token"', csrf.encode()), (b'name="file"; filename="d\x00s.csv"', self.ROSTER)]
            ),
        )
        assert response.status_code == 303
        preview = client.get(response.headers["location"])
        assert preview.status_code == 200 and "ds.csv" in preview.text

    def test_a_csrf_token_with_non_ascii_characters_is_refused_not_a_crash(
        self, client: TestClient, session: Session, world: World
    ) -> None:
        log_in(client, session, world.hr_a)
        client.get("/officers/import")
        response = client.post(
            "/officers/import",
            data={"csrf_token": "mã-giả"},
            files={"file": ("ds.csv", self.ROSTER)},
            headers={"referer": "http://testserver/officers/import"},
        )
        assert response.status_code == 403


class TestValuesTheDatabaseCannotStore:
    def test_a_nul_that_reaches_the_database_is_422_not_500(
        self, client: TestClient, session: Session, world: World, tmp_path: Path
    ) -> None:
        courses.import_course_dir(session, write_course(tmp_path), max_asset_bytes=1 << 20)
        room = make_class(session, world.coord_a, world.dept_a)
        session.commit()
        _, secret = tokens.create_token(
            session,
            world.actor(session, world.admin),
            name="LMS",
            role="coordinator",
            unit_id=world.dept_a.id,
        )
        session.commit()
        response = client.post(
            f"/api/v1/classes/{room.id}/assignments",
            params={"dry_run": "true"},
            headers={"Authorization": f"Bearer {secret}"},
            json={"codes": ["HVA", "X\u0000Y"]},
        )
        if BACKEND == "postgresql":
            # PostgreSQL cannot even be asked about text holding a NUL.
            assert response.status_code == 422
            assert (
                response.json()["message"]
                == "A value is too long or holds a character that cannot be stored."
            )
        else:
            assert (response.status_code, response.json()["unknown_codes"]) == (200, ["X\u0000Y"])
