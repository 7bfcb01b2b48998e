"""Two app servers over one database, as behind a load balancer: a visitor's requests land on
either, so a login, a CSRF token, a quiz attempt, a background export and the count of failed
logins (also of guesses sent to both at once) must all hold across processes. The servers are
real `hocso serve` processes with the same settings; the client is one cookie jar (cookies
ignore the port, as they would ignore which server a balancer picked)."""

from __future__ import annotations

import os
import re
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from sqlalchemy import create_engine, select

from app.audit.models import AuditEvent
from app.courses.content import parse_course_dir
from app.jobs.models import Job
from app.quizzes.grading import correct_view
from tests.databases import free_port

BIN = Path(sys.executable).parent
COURSE = Path(__file__).resolve().parents[2] / "courses" / "ky-nang-cntt-co-ban"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
JOBS = 4


@dataclass
class Site:
    a: str
    b: str
    database_url: str
    passwords: dict[str, str]
    logs: list[Path]


def _run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([BIN / "hocso", *args], env=env, check=True, capture_output=True, text=True)
    return done.stdout


def _wait_ready(url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert server.poll() is None, "the server exited while starting"
        try:
            if httpx.get(f"{url}/readyz", timeout=2, trust_env=False).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"{url} was not ready after 30 s")


def _stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)


@pytest.fixture(scope="module")
def site(
    new_database: Callable[[], AbstractContextManager[str]], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    with new_database() as url:
        env = {
            **os.environ,
            "HOCSO_DATABASE_URL": url,
            "HOCSO_ENVIRONMENT": "test",
            # The one thing besides the database that every server must share: forms signed by
            # one are checked by the other.
            "HOCSO_SECRET_KEY": secrets.token_urlsafe(32),
            "HOCSO_JOBS_IN_PROCESS": "true",
            "HOCSO_JOBS_POLL_SECONDS": "0.2",
            "HOCSO_CONTENT_CACHE_SECONDS": "30",
        }
        _run(env, "db", "upgrade")
        _run(env, "courses", "import", str(COURSE))
        printed = _run(env, "init", "--demo")
        passwords = dict(re.findall(r"^\s+\w+\s+(\w+)\s+(\S+)$", printed, re.M))
        folder = tmp_path_factory.mktemp("two-servers")
        servers: list[subprocess.Popen[bytes]] = []
        logs: list[Path] = []
        ports = [free_port(), free_port()]
        try:
            for name, port in zip(("a", "b"), ports, strict=True):
                log = folder / f"{name}.log"
                with log.open("wb") as out:
                    servers.append(
                        subprocess.Popen(
                            [BIN / "hocso", "serve", "--port", str(port)],
                            env=env,
                            stdout=out,
                            stderr=subprocess.STDOUT,
                            start_new_session=True,
                        )
                    )
                logs.append(log)
            urls = [f"http://127.0.0.1:{port}" for port in ports]
            for url_, server in zip(urls, servers, strict=True):
                _wait_ready(url_, server)
            yield Site(urls[0], urls[1], url, passwords, logs)
        finally:
            for server in servers:
                _stop(server)


def _token(response: httpx.Response) -> str:
    assert response.status_code == 200, response.status_code
    found = TOKEN.search(response.text)
    assert found, "no CSRF token in the page"
    return found.group(1)


def _log_in(client: httpx.Client, form_from: str, post_to: str, account: str, password: str) -> int:
    """Fetch the login form from one server and post it to another; the status of the post."""
    token = _token(client.get(f"{form_from}/login"))
    form = {"csrf_token": token, "account": account, "password": password, "next": "/"}
    return client.post(f"{post_to}/login", data=form).status_code


def _client() -> httpx.Client:
    return httpx.Client(timeout=20, trust_env=False)


def test_a_session_moves_between_servers_quiz_and_export(site: Site) -> None:
    spec = parse_course_dir(COURSE)
    quiz = spec.modules[0].quiz
    assert quiz is not None
    by_text = {q.text: q for q in quiz.questions}
    with _client() as client:
        # The form comes from B, A accepts it and starts the session; B knows the session.
        assert _log_in(client, site.b, site.a, "nhansu", site.passwords["nhansu"]) == 303
        me = client.get(f"{site.b}/api/v1/me")
        assert (me.status_code, me.json()["label"]) == (200, "nhansu Phạm Thị Nhân Sự")
        assert client.get(f"{site.b}/courses/{spec.id}/quizzes/{quiz.id}").status_code == 200
        # A token from a page of A, used for every write on B (and back).
        headers = {"X-CSRF-Token": _token(client.get(f"{site.a}/exports/enrolments"))}

        started = client.post(
            f"{site.b}/api/v1/courses/{spec.id}/quizzes/{quiz.id}/attempts", headers=headers
        )
        assert started.status_code in (200, 201), started.text
        attempt = started.json()
        answers: dict[int, Any] = {}
        for n, question in enumerate(attempt["questions"]):
            source = next(
                q for t, q in by_text.items() if t.strip() in question["text"] or question["text"] in t
            )
            answers[question["question_id"]] = correct_view(source.kind, source.spec)["answer"]
            server = (site.a, site.b)[n % 2]
            saved = client.put(
                f"{server}/api/v1/attempts/{attempt['id']}/answers",
                json={"answers": {str(question["question_id"]): answers[question["question_id"]]}},
                headers=headers,
            )
            assert saved.status_code == 200, saved.text
        # Starting again on A resumes the attempt, with every answer saved on either server.
        resumed = client.post(
            f"{site.a}/api/v1/courses/{spec.id}/quizzes/{quiz.id}/attempts", headers=headers
        )
        assert resumed.json()["id"] == attempt["id"]
        assert {q["question_id"]: q["answer"] for q in resumed.json()["questions"]} == answers
        submitted = client.post(f"{site.b}/api/v1/attempts/{attempt['id']}/submit", headers=headers)
        assert submitted.status_code == 200, submitted.text
        assert (
            submitted.json()["status"],
            submitted.json()["score_percent"],
            submitted.json()["passed"],
        ) == (
            "graded",
            100.0,
            True,
        )

        body = {"kind": "reports.enrolments", "format": "csv", "params": {}}
        ids = []
        for _ in range(JOBS):
            created = client.post(f"{site.a}/api/v1/exports", json=body, headers=headers)
            assert created.status_code == 201, created.text
            ids.append(created.json()["id"])
        deadline = time.monotonic() + 30
        while any(client.get(f"{site.b}/api/v1/exports/{i}").json()["status"] != "done" for i in ids):
            assert time.monotonic() < deadline, "the exports were not done after 30 s"
            time.sleep(0.2)
        direct = client.get(f"{site.a}/api/v1/reports/enrolments.csv")
        assert direct.status_code == 200
        # A header and the demo city's enrolments, one line each.
        assert len(direct.content.splitlines()) > 10
        for job_id in ids:
            file = client.get(f"{site.b}/api/v1/exports/{job_id}/download")
            assert file.status_code == 200
            assert file.content == direct.content
    engine = create_engine(site.database_url)
    try:
        with engine.connect() as connection:
            runs = connection.execute(select(Job.status, Job.attempts).where(Job.id.in_(ids))).all()
    finally:
        engine.dispose()
    # Both servers' workers polled for the same jobs; each job was claimed and run once.
    assert sorted(runs) == [("done", 1)] * JOBS


def test_failed_logins_on_either_server_add_up_to_one_limit(site: Site) -> None:
    # HOCSO_LOGIN_MAX_FAILURES_PER_ACCOUNT is 5: four failures, spread, still let the owner in...
    with _client() as client:
        for form_from, post_to in ((site.a, site.a), (site.b, site.b), (site.a, site.b), (site.b, site.a)):
            assert _log_in(client, form_from, post_to, "dieuphoi", "not-the-password") == 401
    with _client() as client:
        assert _log_in(client, site.b, site.b, "dieuphoi", site.passwords["dieuphoi"]) == 303
    # ...the fifth, on A, locks the account on B too, even with the right password.
    with _client() as client:
        assert _log_in(client, site.a, site.a, "dieuphoi", "not-the-password") == 401
        assert _log_in(client, site.b, site.b, "dieuphoi", site.passwords["dieuphoi"]) == 401
        assert _log_in(client, site.a, site.a, "dieuphoi", site.passwords["dieuphoi"]) == 401


def test_guesses_sent_at_once_to_both_servers_stop_at_the_limit(site: Site) -> None:
    guesses = 12

    def guess(n: int) -> int:
        server = (site.a, site.b)[n % 2]
        with _client() as client:
            return _log_in(client, server, server, "quantri", f"doan-sai-{n}")

    with ThreadPoolExecutor(guesses) as pool:
        assert list(pool.map(guess, range(guesses))) == [401] * guesses
    engine = create_engine(site.database_url)
    try:
        with engine.connect() as connection:
            reasons = connection.scalars(
                select(AuditEvent.details["reason"].as_string()).where(
                    AuditEvent.action == "login.failure", AuditEvent.actor_label == "login as quantri"
                )
            ).all()
    finally:
        engine.dispose()
    # Each guess is recorded; only as many as HOCSO_LOGIN_MAX_FAILURES_PER_ACCOUNT (5) had their
    # password checked, however the two servers interleaved them.
    assert len(reasons) == guesses and 0 < reasons.count("credentials") <= 5


def test_neither_server_logged_an_error(site: Site) -> None:
    for log in site.logs:
        text = log.read_text(errors="replace")
        assert "Traceback" not in text and "ERROR" not in text, f"{log.name}:\n{text[-3000:]}"
