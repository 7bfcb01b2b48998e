"""Request logs: one JSON line per request with an id the client also gets, and nothing secret
in any line: no password, session or CSRF cookie, API token, query string or verification code."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.certificates.models import Certificate
from app.http.auth import CSRF_COOKIE, SESSION_COOKIE
from app.logs import JsonFormatter, RequestIdFilter, request_id
from app.main import create_app

# plain_course is a fixture: imported here so this module can use it.
from tests.certificates.conftest import complete_plain, plain_course  # noqa: F401
from tests.orgs.test_tokens import make as make_token
from tests.world import PASSWORD, World


class Lines(logging.Handler):
    """Collects what the server would write: every record formatted as its JSON line."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []
        self.setFormatter(JsonFormatter())
        self.addFilter(RequestIdFilter())

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))

    def records(self) -> list[dict[str, object]]:
        return [json.loads(line) for line in self.lines]

    def requests(self) -> list[dict[str, object]]:
        return [r for r in self.records() if r["logger"] == "hocso.request"]


@pytest.fixture
def lines() -> Iterator[Lines]:
    handler = Lines()
    logger = logging.getLogger("hocso")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def csrf(client: TestClient) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert found is not None
    return found.group(1)


class TestRequestLines:
    def test_each_request_gets_an_id_in_its_line_and_its_response(
        self, client: TestClient, lines: Lines
    ) -> None:
        response = client.get("/", headers={"user-agent": "HocSoTest/1.0 (Linux)"})
        assert response.status_code == 200
        rid = response.headers["x-request-id"]
        assert re.fullmatch(r"[0-9a-f]{32}", rid)
        (line,) = lines.requests()
        assert {k: line[k] for k in ("request_id", "method", "path", "status", "user_agent", "level")} == {
            "request_id": rid,
            "method": "GET",
            "path": "/",
            "status": 200,
            "user_agent": "HocSoTest/1.0 (Linux)",
            "level": "info",
        }
        assert line["bytes"] == len(response.content)
        assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
        assert client.get("/").headers["x-request-id"] != rid

    def test_a_plain_id_from_the_proxy_is_kept_and_anything_else_replaced(
        self, client: TestClient, lines: Lines
    ) -> None:
        kept = client.get("/healthz", headers={"x-request-id": "nginx-4f2a9c01"})
        assert kept.headers["x-request-id"] == "nginx-4f2a9c01"
        for hostile in ("abc", "x" * 65, "ok-id-1234\nforged line", 'a" or "1'):
            replaced = client.get("/healthz", headers={b"x-request-id": hostile.encode()})
            assert re.fullmatch(r"[0-9a-f]{32}", replaced.headers["x-request-id"])
        first, *others = [r["request_id"] for r in lines.requests()]
        assert first == "nginx-4f2a9c01" and len(others) == 4
        assert all("forged" not in line for line in lines.lines)

    def test_refused_bodies_and_unknown_pages_are_logged_too(self, client: TestClient, lines: Lines) -> None:
        missing = client.get("/no-such-page")
        assert missing.status_code == 404 and "x-request-id" in missing.headers
        assert [(r["path"], r["status"]) for r in lines.requests()] == [("/no-such-page", 404)]

    def test_the_signed_in_user_is_named_by_id(
        self, client: TestClient, session: Session, world: World, lines: Lines
    ) -> None:
        client.post(
            "/login",
            data={"account": "HVA", "password": PASSWORD, "csrf_token": csrf(client)},
            follow_redirects=False,
        )
        assert client.get("/me/certificates").status_code == 200
        assert lines.requests()[-1]["user_id"] == world.officer_a.id
        assert "user_id" not in lines.requests()[0]


class TestNothingSecret:
    def test_passwords_cookies_tokens_and_query_strings_never_reach_the_log(
        self, client: TestClient, session: Session, world: World, lines: Lines
    ) -> None:
        wrong = "sai-mat-khau-bi-mat-9"
        client.post("/login", data={"account": "HVA", "password": wrong, "csrf_token": csrf(client)})
        logged_in = client.post(
            "/login",
            data={"account": "HVA", "password": PASSWORD, "csrf_token": csrf(client)},
            follow_redirects=False,
        )
        assert logged_in.status_code == 303
        client.get("/?q=tim-kiem-rieng-tu")
        secret = make_token(session, world)
        api = TestClient(client.app)
        assert api.get("/api/v1/officers", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
        secrets = [wrong, PASSWORD, secret, "tim-kiem-rieng-tu"]
        secrets += [client.cookies[SESSION_COOKIE], client.cookies[CSRF_COOKIE]]
        assert len(lines.requests()) >= 6
        for line in lines.lines:
            for value in secrets:
                assert value not in line, f"{value!r} is in the log line {line}"
        assert {r["path"] for r in lines.requests()} >= {"/login", "/", "/api/v1/officers"}

    @pytest.mark.usefixtures("plain_course")
    def test_a_verification_code_in_the_path_is_written_as_its_placeholder(
        self, client: TestClient, session: Session, world: World, lines: Lines
    ) -> None:
        certificate: Certificate = complete_plain(session, world)
        session.commit()
        assert client.get(f"/verify/{certificate.verify_code}").status_code == 200
        assert lines.requests()[-1]["path"] == "/verify/{verify_code}"
        assert all(certificate.verify_code not in line for line in lines.lines)
        # With a trailing slash no route matches (the router redirects): still not logged.
        client.get(f"/verify/{certificate.verify_code}/", follow_redirects=False)
        assert lines.requests()[-1]["path"] == "/verify/{…}/"
        assert all(certificate.verify_code not in line for line in lines.lines)

    def test_fields_outside_the_allowed_list_are_dropped(self, lines: Lines) -> None:
        logging.getLogger("hocso.test").warning("careless", extra={"password": "p4ss", "status": 1})
        (record,) = lines.records()
        assert record["msg"] == "careless" and record["status"] == 1 and "password" not in record


class TestErrors:
    def test_an_unexpected_error_names_its_request_on_the_page_and_in_the_log(
        self, session: Session, lines: Lines
    ) -> None:
        app = create_app()

        @app.get("/boom")
        def boom() -> None:
            raise RuntimeError("boom")

        @app.get("/api/v1/boom")
        def api_boom() -> None:
            raise RuntimeError("boom")

        with TestClient(app, raise_server_exceptions=False) as client:
            page = client.get("/boom")
            api = client.get("/api/v1/boom")
        assert page.status_code == 500 and api.status_code == 500
        request_line, error_line = [r for r in lines.records() if r["request_id"] == api.json()["reference"]]
        assert request_line["status"] == 500 and request_line["path"] == "/api/v1/boom"
        assert error_line["level"] == "error" and "RuntimeError: boom" in str(error_line["error"])
        page_ref = re.search(r"Mã lỗi: ([0-9a-f]{32})", page.text)
        assert page_ref is not None
        assert any(r["request_id"] == page_ref.group(1) and r["level"] == "error" for r in lines.records())
        assert request_id.get() is None
