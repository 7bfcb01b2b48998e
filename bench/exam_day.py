"""Exam day: officers log in, start the same quiz at once, save 20 answers each (one request per
answer) and submit, through uvicorn (two workers) on 127.0.0.1. Each phase is timed on its own;
answer saves per second are a ratio to a bare endpoint of the same server in the same run, and
logins per second are set beside what argon2 alone allows on this machine. Afterwards the
database is checked against every acknowledgement (bench/exam_check.py).

Run: .venv/bin/python -m bench.exam_day [--officers 2000] [--database-url URL] [--concurrency 200]"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import httpx2

from bench.report import write_section

if TYPE_CHECKING:
    from bench.exam_check import Acknowledged

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
# A save's response is about this size; the bare endpoint returns as many bytes.
BARE = "/_bench/bare?size=64"


@dataclass
class Phase:
    """Requests of one kind: statuses, latencies of completed responses, failures by kind."""

    name: str
    expect: int = 200
    ok: int = 0
    # Requests that got no response at all (a dropped connection, a timeout).
    unanswered: int = 0
    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)

    @property
    def requests(self) -> int:
        return len(self.latencies) + self.unanswered

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000 if ordered else 0.0


@dataclass
class Officer:
    code: str
    client: httpx2.AsyncClient
    rng: random.Random
    token: str = ""
    attempt_id: int | None = None
    questions: list[dict[str, Any]] = field(default_factory=list)


class Reply(NamedTuple):
    # The response when it was the one expected; None when refused or never answered.
    response: httpx2.Response | None
    # False when no response came at all: whether the server did the work is unknown.
    answered: bool


class Driver:
    """Sends requests with at most `concurrency` in flight; records each outcome."""

    def __init__(self, concurrency: int) -> None:
        self.slots = asyncio.Semaphore(concurrency)

    async def send(
        self,
        phase: Phase,
        client: httpx2.AsyncClient,
        method: str,
        url: str,
        *,
        refused: Callable[[httpx2.Response], str | None] = lambda _: None,
        **options: Any,
    ) -> Reply:
        """The response, when it has the expected status and `refused` finds nothing wrong."""
        async with self.slots:
            started = time.perf_counter()
            try:
                response = await client.request(method, url, **options)
            except httpx2.HTTPError as exc:
                phase.errors[type(exc).__name__] += 1
                phase.unanswered += 1
                return Reply(None, answered=False)
            phase.latencies.append(time.perf_counter() - started)
        failure = str(response.status_code) if response.status_code != phase.expect else refused(response)
        if failure:
            phase.errors[failure] += 1
            return Reply(None, answered=True)
        phase.ok += 1
        return Reply(response, answered=True)


def answer_for(rng: random.Random, kind: str, view: dict[str, Any]) -> Any:
    """An officer's answer, built from what the attempt shows: some right, some wrong."""
    from bench.exam_setup import SHORT_ANSWERS

    if kind == "single_choice":
        return rng.choice(view["choices"])["id"]
    if kind == "multiple_choice":
        ids = [c["id"] for c in view["choices"]]
        return rng.sample(ids, rng.randint(1, len(ids)))
    if kind == "true_false":
        return rng.random() < 0.5
    if kind == "short_answer":
        return rng.choice(SHORT_ANSWERS)
    if kind == "matching":
        return {item["id"]: rng.choice(view["options"]) for item in view["left"]}
    raise ValueError(kind)


async def log_in(driver: Driver, phases: dict[str, Phase], officer: Officer, quiz_page: str) -> None:
    from bench.exam_setup import PASSWORD

    page = (await driver.send(phases["login page"], officer.client, "GET", "/login")).response
    if page is None or not (found := TOKEN.search(page.text)):
        return
    form = {"csrf_token": found.group(1), "account": officer.code, "password": PASSWORD, "next": quiz_page}

    def refused(response: httpx2.Response) -> str | None:
        # A form that fails (a busy database) also answers 303, back to the form with a message.
        if response.headers.get("location") == quiz_page:
            return None
        flash = (response.cookies.get("hocso_flash") or "").split(".")[0]
        message = json.loads(base64.urlsafe_b64decode(flash)).get("m", "") if flash else ""
        return f"303 back to the form: “{message}”"

    headers = {"Referer": str(officer.client.base_url.join("/login"))}
    login = await driver.send(
        phases["login"], officer.client, "POST", "/login", data=form, headers=headers, refused=refused
    )
    if login.response is None:
        return
    # Login replaces the CSRF cookie; the page the officer lands on carries the new token.
    landed = (await driver.send(phases["quiz page"], officer.client, "GET", quiz_page)).response
    if landed is not None and (found := TOKEN.search(landed.text)):
        officer.token = found.group(1)


async def start(driver: Driver, phase: Phase, officer: Officer, url: str, acked: Acknowledged) -> None:
    if not officer.token:
        return
    reply = await driver.send(phase, officer.client, "POST", url, headers={"X-CSRF-Token": officer.token})
    if reply.response is not None:
        body = reply.response.json()
        officer.attempt_id, officer.questions = body["id"], body["questions"]
        acked.attempts[officer.code] = officer.attempt_id
    elif not reply.answered:
        acked.unknown_starts.add(officer.code)


async def save_all(driver: Driver, phase: Phase, officer: Officer, acked: Acknowledged) -> None:
    if officer.attempt_id is None:
        return
    url = f"/api/v1/attempts/{officer.attempt_id}/answers"
    headers = {"X-CSRF-Token": officer.token}
    for question in officer.questions:
        answer = answer_for(officer.rng, question["kind"], question["view"])
        body = {"answers": {str(question["question_id"]): answer}}
        reply = await driver.send(phase, officer.client, "PUT", url, json=body, headers=headers)
        if reply.response is not None:
            acked.saves.append((officer.attempt_id, question["question_id"], answer))
        elif not reply.answered:
            acked.unknown_saves.add((officer.attempt_id, question["question_id"]))


async def submit(driver: Driver, phase: Phase, officer: Officer, acked: Acknowledged) -> None:
    if officer.attempt_id is None:
        return
    url = f"/api/v1/attempts/{officer.attempt_id}/submit"
    reply = await driver.send(phase, officer.client, "POST", url, headers={"X-CSRF-Token": officer.token})
    if reply.response is not None:
        body = reply.response.json()
        acked.submits[officer.attempt_id] = (body["status"], body["score_percent"])
    elif not reply.answered:
        acked.unknown_submits.add(officer.attempt_id)


async def bare(
    driver: Driver, client: httpx2.AsyncClient, concurrency: int, seconds: float
) -> tuple[float, Phase]:
    """The baseline: the same client and concurrency on an endpoint that does nothing."""
    phase = Phase("bare")
    deadline = time.perf_counter() + seconds

    async def loop() -> None:
        while time.perf_counter() < deadline:
            await driver.send(phase, client, "GET", BARE)

    started = time.perf_counter()
    await asyncio.gather(*(loop() for _ in range(concurrency)))
    return len(phase.latencies) / (time.perf_counter() - started), phase


@dataclass
class Run:
    phases: dict[str, Phase]
    walls: dict[str, float]
    bare: list[tuple[float, Phase]]
    acked: Acknowledged


async def drive(port: int, codes: list[str], args: argparse.Namespace) -> Run:
    from bench.exam_check import Acknowledged
    from bench.exam_setup import COURSE, QUIZ

    base = f"http://127.0.0.1:{port}"
    limits = httpx2.Limits(max_connections=args.concurrency, max_keepalive_connections=args.concurrency)
    transport = httpx2.AsyncHTTPTransport(limits=limits)
    timeout = httpx2.Timeout(args.timeout)

    def client() -> httpx2.AsyncClient:
        # One cookie jar per officer over one shared connection pool; closed with the transport.
        return httpx2.AsyncClient(base_url=base, transport=transport, timeout=timeout, trust_env=False)

    driver = Driver(args.concurrency)
    plain = client()
    phases = {n: Phase(n) for n in ("login page", "login", "quiz page", "start", "save", "submit")}
    phases["login"].expect = 303
    walls: dict[str, float] = {}
    acked = Acknowledged()
    people = [Officer(code, client(), random.Random(n)) for n, code in enumerate(codes)]
    quiz_page = f"/courses/{COURSE}/quizzes/{QUIZ}"
    start_url = f"/api/v1/courses/{COURSE}/quizzes/{QUIZ}/attempts"

    async def timed(name: str, jobs: list[Awaitable[None]]) -> None:
        print(f"{name}: {len(jobs)} officers …", flush=True)
        started = time.perf_counter()
        await asyncio.gather(*jobs)
        walls[name] = time.perf_counter() - started

    try:
        async with asyncio.timeout(args.max_minutes * 60):
            await bare(driver, plain, args.concurrency, 2)  # warm-up of both workers
            before = await bare(driver, plain, args.concurrency, args.baseline_seconds)
            await timed("login", [log_in(driver, phases, o, quiz_page) for o in people])
            # The phases are barriers: nobody starts before everyone has logged in, and so on.
            await timed("start", [start(driver, phases["start"], o, start_url, acked) for o in people])
            await timed("save", [save_all(driver, phases["save"], o, acked) for o in people])
            await timed("submit", [submit(driver, phases["submit"], o, acked) for o in people])
            after = await bare(driver, plain, args.concurrency, args.baseline_seconds)
    finally:
        await transport.aclose()
    return Run(phases, walls, [before, after], acked)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_ready(port: int, server: subprocess.Popen[bytes], path: str = BARE) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("the server exited while starting")
        try:
            if httpx2.get(f"http://127.0.0.1:{port}{path}", timeout=2, trust_env=False).status_code == 200:
                return
        except httpx2.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit("the server did not start")


def serve(
    env: dict[str, str], workers: int, log: Path, *, port: int = 0, app: str = "bench.server:create_bench_app"
) -> tuple[int, subprocess.Popen[bytes]]:
    """The same server `hocso serve` runs (by default with the bench's bare endpoint added), on
    `port` or a free one, once it answers."""
    port = port or _free_port()
    command = [
        sys.executable,
        "-c",
        "from app.serving import serve; "
        f"serve({app!r}, host='127.0.0.1', port={port}, workers={workers}, "
        "log_level='warning')",
    ]
    with log.open("ab") as out:
        # A process group of its own, so the workers can be stopped with it if they hang.
        server = subprocess.Popen(
            command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        _wait_ready(port, server, BARE if app.startswith("bench.") else "/readyz")
    except BaseException:
        stop(server)
        raise
    return port, server


def stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)


def kill(server: subprocess.Popen[bytes], port: int) -> None:
    """SIGKILL to the server's whole process group (supervisor and workers), as a crash or an
    out-of-memory kill would, and wait until its port takes no more connections."""
    # Already gone when the caller killed it first and every process of the group has exited.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGKILL)
    server.wait(timeout=10)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) != 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"port {port} still answers after the kill")


def logged_errors(log: Path) -> Counter[str]:
    """The server's warnings and errors by message (JSON log lines; anything else as it is)."""
    found: Counter[str] = Counter()
    for line in log.read_text(errors="replace").splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            if line.strip():
                found[line[:160]] += 1
            continue
        if isinstance(record, dict) and record.get("level") in ("warning", "error", "critical"):
            found[f"{record['level']}: {str(record.get('msg'))[:150]}"] += 1
    return found


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--officers", type=int, default=2000)
    parser.add_argument(
        "--database-url", default="", help="default: a fresh SQLite file in a temporary folder"
    )
    parser.add_argument("--concurrency", type=int, default=200, help="requests in flight at most")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument(
        "--baseline-seconds", type=float, default=5.0, help="each bare round (before and after)"
    )
    parser.add_argument(
        "--timeout", type=float, default=120.0, help="seconds before a request counts as failed"
    )
    parser.add_argument("--server-log", type=Path, help="keep the server's output here (default: discarded)")
    parser.add_argument("--max-minutes", type=float, default=30.0, help="the whole run is stopped after this")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="hocso-exam-") as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'exam.db'}"
        os.environ["HOCSO_DATABASE_URL"] = url
        os.environ["HOCSO_ENVIRONMENT"] = "test"
        from bench.exam_check import verify
        from bench.exam_report import report
        from bench.exam_setup import QUIZ, argon2_rate, prepare

        prepared = prepare(Path(tmp), args.officers)
        print(f"prepared {len(prepared.codes):,} officers in {prepared.seconds:.1f} s", flush=True)
        hashing = argon2_rate(threads=os.cpu_count() or 1)
        log = args.server_log or Path(tmp) / "server.log"
        port, server = serve(dict(os.environ), args.workers, log)
        try:
            run = asyncio.run(drive(port, prepared.codes, args))
        finally:
            stop(server)
        server_errors = logged_errors(log)
        checked = verify(prepared.codes, QUIZ, run.acked)

    backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    body = report(args, backend, run, hashing, checked, server_errors)
    print(body)
    write_section(f"Exam day, {args.officers:,} officers ({backend})", body)
    errors = sum(p.error_count for p in run.phases.values())
    if not checked.ok or errors:
        raise SystemExit(f"{errors} request errors; verification {'passed' if checked.ok else 'FAILED'}")


if __name__ == "__main__":
    main()
