"""Crash safety: the real server (`hocso serve --workers 2`) is killed with SIGKILL, workers and
all, in the middle of an exam-day load and of a roster import, then started again on the same
database. Everything it acknowledged must be there, nothing may be half applied, and the
officers finish their attempts after the restart."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import time
from collections.abc import Awaitable, Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import httpx2
import pytest

from bench.exam_check import Acknowledged
from bench.exam_day import TOKEN, Driver, Officer, Phase, kill, save_all, serve, start, stop, submit
from bench.exam_setup import COURSE, QUIZ
from tests.databases import free_port
from tests.faults.crash_db import (
    Exam,
    RosterState,
    completion_problems,
    prepare_exam,
    roster_states,
    verify_exam,
    worker,
)

pytestmark = pytest.mark.slow

OFFICERS = 80
QUESTIONS = 10
# Officers taking the quiz at once, each sending one request at a time.
DESKS = 20
ROSTER_ROWS = 1500
# The kill comes once this share of all answer saves has been acknowledged...
KILL_AFTER_SAVES = OFFICERS * QUESTIONS * 2 // 5
# ...and in the middle of a roster import, timed by the one before it: from ARM of its time the
# next acknowledged save kills the server, or failing that (SQLite) the clock at FALLBACK.
ARM, FALLBACK = 0.5, 0.8
# A sitting that takes longer has hung (on this 2-core machine each takes under 15 s).
SITTING_SECONDS = 120
APP = "app.main:create_app"
QUIZ_PAGE = f"/courses/{COURSE}/quizzes/{QUIZ}"
START_URL = f"/api/v1/courses/{COURSE}/quizzes/{QUIZ}/attempts"
# What a request cut off by the kill fails with; a connection refused afterwards is ConnectError.
CUT_OFF = {"RemoteProtocolError", "ReadError", "WriteError", "ReadTimeout"}


@dataclass
class Roster:
    """Roster files sent one after another by an HR integration, and what became of each."""

    token: str
    files: dict[str, list[str]] = field(default_factory=dict)
    data: dict[str, bytes] = field(default_factory=dict)
    acked: set[str] = field(default_factory=set)
    unanswered: set[str] = field(default_factory=set)
    sending: str = ""
    sent_at: float = 0.0
    last_seconds: float = 0.0

    def new_file(self) -> str:
        name = f"ds-{len(self.files) + 1:02d}.csv"
        codes = [f"NV{len(self.files) + 1:02d}{n:05d}" for n in range(ROSTER_ROWS)]
        lines = ["officer_code,full_name,unit", *(f"{c},Nguyễn Văn Mới {n},TP" for n, c in enumerate(codes))]
        self.files[name] = codes
        self.data[name] = "\n".join(lines).encode()
        return name


class Tripwire(list[tuple[int, int, Any]]):
    """Acknowledged saves; once armed, the next acknowledgement kills the server there and then,
    before anything else runs, while the server may still be finishing that very request."""

    def __init__(self, pull: Callable[[], None]) -> None:
        super().__init__()
        self.pull = pull
        self.armed = False
        self.pulled_at = 0
        # Checked before pulling: the import the kill is meant for is still in flight.
        self.ready: Callable[[], bool] = lambda: True

    def append(self, item: tuple[int, int, Any]) -> None:
        super().append(item)
        if self.armed and self.ready():
            self.armed = False
            self.pull()
            self.pulled_at = len(self)


class Site:
    """The officers' and the integration's HTTP clients over one connection pool."""

    def __init__(self, port: int, *, concurrency: int = DESKS) -> None:
        limits = httpx2.Limits(max_connections=concurrency + 2, max_keepalive_connections=concurrency + 2)
        self.transport = httpx2.AsyncHTTPTransport(limits=limits)
        self.base = f"http://127.0.0.1:{port}"
        self.driver = Driver(concurrency)

    def client(self, cookies: httpx2.Cookies | None = None) -> httpx2.AsyncClient:
        return httpx2.AsyncClient(
            base_url=self.base,
            transport=self.transport,
            timeout=httpx2.Timeout(60),
            trust_env=False,
            cookies=cookies,
        )

    async def aclose(self) -> None:
        await self.transport.aclose()


def phases() -> dict[str, Phase]:
    return {n: Phase(n) for n in ("page", "start", "save", "submit", "roster")}


async def at_desks(officers: Iterable[Officer], work: Callable[[Officer], Awaitable[None]]) -> None:
    """DESKS officers at a time, each working through their attempt; the next one sits down as
    one finishes, so at any moment some have submitted and some are half way."""
    queue = list(officers)

    async def desk() -> None:
        while queue:
            await work(queue.pop(0))

    await asyncio.gather(*(desk() for _ in range(DESKS)))


async def sit_down(site: Site, phase: Phase, exam: Exam) -> list[Officer]:
    """Each officer's logged-in browser: the session made at setup, the page's CSRF token."""
    people = []
    for n, code in enumerate(exam.codes):
        cookies = httpx2.Cookies()
        cookies.set("hocso_session", exam.sessions[code], domain="127.0.0.1")
        people.append(Officer(code, site.client(cookies), random.Random(n)))

    async def page(officer: Officer) -> None:
        reply = await site.driver.send(phase, officer.client, "GET", QUIZ_PAGE)
        found = TOKEN.search(reply.response.text) if reply.response is not None else None
        assert found is not None
        officer.token = found.group(1)

    await asyncio.gather(*(page(o) for o in people))
    return people


async def feed_roster(site: Site, phase: Phase, roster: Roster, stop_feeding: asyncio.Event) -> None:
    client = site.client()
    headers = {"Authorization": f"Bearer {roster.token}"}
    while not stop_feeding.is_set():
        name = roster.new_file()
        roster.sending, roster.sent_at = name, time.perf_counter()
        files = {"file": (name, roster.data[name], "text/csv")}
        reply = await site.driver.send(
            phase, client, "POST", "/api/v1/roster-imports", files=files, headers=headers
        )
        roster.sending = ""
        if reply.response is not None:
            roster.acked.add(name)
            took = time.perf_counter() - roster.sent_at
            roster.last_seconds = min(roster.last_seconds, took) if roster.last_seconds else took
        elif not reply.answered:
            roster.unanswered.add(name)
            return


async def first_sitting(
    port: int, exam: Exam, acked: Acknowledged, roster: Roster, server: subprocess.Popen[bytes]
) -> tuple[dict[str, Phase], list[Officer], int]:
    """The load until the kill: officers take the quiz while roster files are imported; the
    server is killed after KILL_AFTER_SAVES acknowledged saves, halfway through an import."""
    site = Site(port)
    seen = phases()
    people = await sit_down(site, seen["page"], exam)
    killed = asyncio.Event()
    tripwire = Tripwire(lambda: os.killpg(server.pid, signal.SIGKILL))
    acked.saves = tripwire

    # The last officers arrive only after the crash: however the machine's load shifts the pace
    # of the quiz against the roster imports the kill waits for, it finds the exam unfinished.
    late = {officer.code for officer in people[-DESKS:]}

    async def take(officer: Officer) -> None:
        if officer.code in late:
            await killed.wait()
            return
        await start(site.driver, seen["start"], officer, START_URL, acked)
        await save_all(site.driver, seen["save"], officer, acked)
        await submit(site.driver, seen["submit"], officer, acked)

    async def kill_mid_import() -> None:
        # Timed by the fastest import so far: under load one import may take longer than the next,
        # and a kill timed by a slow one would come after the next had already answered.
        while True:
            await asyncio.sleep(0.002)
            if len(acked.saves) < KILL_AFTER_SAVES or not roster.acked or not roster.sending:
                continue
            name = roster.sending
            await asyncio.sleep(max(0.0, roster.sent_at + roster.last_seconds * ARM - time.perf_counter()))
            if roster.sending != name:
                continue
            tripwire.ready = lambda name=name: roster.sending == name  # type: ignore[misc]
            tripwire.armed = True
            # On SQLite no save is acknowledged while the import writes (it holds the write
            # lock): the kill then comes at this point of the import instead.
            fallback = roster.sent_at + roster.last_seconds * FALLBACK
            while tripwire.armed and time.perf_counter() < fallback and roster.sending == name:
                await asyncio.sleep(0.001)
            if not tripwire.armed:
                break
            tripwire.armed = False
            if roster.sending == name:
                os.killpg(server.pid, signal.SIGKILL)
                tripwire.pulled_at = len(tripwire)
                break
            # That import answered first: wait for the next one.
        await asyncio.to_thread(kill, server, port)
        killed.set()

    try:
        async with asyncio.timeout(SITTING_SECONDS):
            await asyncio.gather(
                at_desks(people, take), feed_roster(site, seen["roster"], roster, killed), kill_mid_import()
            )
    finally:
        await site.aclose()
    return seen, people, tripwire.pulled_at


async def second_sitting(
    port: int, people: list[Officer], acked: Acknowledged, roster: Roster
) -> tuple[dict[str, Phase], dict[str, tuple[int, int]]]:
    """After the restart: every officer comes back, resumes their attempt, answers what is not
    saved yet and submits; the integration sends the files it got no answer for again."""
    site = Site(port)
    seen = phases()
    resumed: dict[str, tuple[int, int]] = {}
    for officer in people:
        cut_off = officer.client
        officer.client = site.client(cut_off.cookies)
        await cut_off.aclose()

    async def resume(officer: Officer) -> None:
        before = officer.attempt_id
        if before is not None and before in acked.submits:
            return
        if before is not None and await graded_already(site, seen["page"], officer, before, acked):
            # The kill cut off the answer to a submit it had committed: reloading the attempt, as
            # the browser does, lands on its result. Starting again would be refused, since the
            # quiz allows one attempt.
            return
        officer.attempt_id = None
        await start(site.driver, seen["start"], officer, START_URL, acked)
        if officer.attempt_id is None:
            return
        if before is not None:
            resumed[officer.code] = (before, officer.attempt_id)
        officer.questions = [q for q in officer.questions if q["answer"] is None]
        await save_all(site.driver, seen["save"], officer, acked)
        await submit(site.driver, seen["submit"], officer, acked)

    client = site.client()
    try:
        async with asyncio.timeout(SITTING_SECONDS):
            await at_desks(people, resume)
        for name in sorted(roster.unanswered):
            files = {"file": (name, roster.data[name], "text/csv")}
            headers = {"Authorization": f"Bearer {roster.token}"}
            reply = await site.driver.send(
                seen["roster"], client, "POST", "/api/v1/roster-imports", files=files, headers=headers
            )
            assert reply.response is not None
            body = reply.response.json()
            assert (body["new"], body["unchanged"]) in {(ROSTER_ROWS, 0), (0, ROSTER_ROWS)}, body
            roster.acked.add(name)
    finally:
        for officer in people:
            await officer.client.aclose()
        await site.aclose()
    return seen, resumed


async def graded_already(
    site: Site, phase: Phase, officer: Officer, attempt_id: int, acked: Acknowledged
) -> bool:
    """Whether the officer's attempt has been graded; its result is then what the officer sees."""
    reply = await site.driver.send(phase, officer.client, "GET", f"/api/v1/attempts/{attempt_id}")
    assert reply.response is not None
    body = reply.response.json()
    if body["status"] == "open":
        return False
    acked.submits[attempt_id] = (body["status"], body["score_percent"])
    return True


def assert_rosters_whole(states: dict[str, RosterState], roster: Roster) -> None:
    for name, state in states.items():
        whole = RosterState(ROSTER_ROWS, ROSTER_ROWS, 1)
        if name in roster.acked:
            assert state == whole, name
        else:
            assert state in {whole, RosterState(0, 0, 0)}, (name, state)


def test_a_server_killed_mid_exam_keeps_every_acknowledged_write_and_resumes(
    new_database: Callable[[], AbstractContextManager[str]], tmp_path: Path
) -> None:
    with new_database() as url, worker(url) as db:
        exam = db.submit(prepare_exam, str(tmp_path), OFFICERS, QUESTIONS).result()
        env = {
            **os.environ,
            "HOCSO_DATABASE_URL": url,
            "HOCSO_ENVIRONMENT": "test",
            "HOCSO_JOBS_IN_PROCESS": "true",
        }
        log = tmp_path / "server.log"
        port, server = serve(env, 2, log, port=free_port(), app=APP)
        acked = Acknowledged()
        roster = Roster(exam.hr_token)
        workers_before = _children(server.pid)
        try:
            seen, people, saves_at_kill = asyncio.run(first_sitting(port, exam, acked, roster, server))
        finally:
            if server.poll() is None:
                stop(server)
        assert len(workers_before) >= 2 and not any(_alive(pid) for pid in workers_before)

        # The kill came mid-load: requests were cut off in flight, after others had succeeded.
        cut_off = sum(n for p in seen.values() for kind, n in p.errors.items() if kind in CUT_OFF)
        assert cut_off > 0 and saves_at_kill >= KILL_AFTER_SAVES, (cut_off, saves_at_kill)
        assert 0 < len(acked.submits) <= OFFICERS - DESKS, len(acked.submits)
        assert roster.acked and len(roster.unanswered) == 1, (roster.acked, roster.unanswered)

        # What the killed server left, read before anything runs again.
        assert_rosters_whole(db.submit(roster_states, roster.files).result(), roster)
        checked = db.submit(verify_exam, exam.codes, replace(acked, saves=list(acked.saves))).result()
        assert checked.ok, checked.examples
        assert checked.graded == len(acked.submits)
        assert db.submit(completion_problems, exam.codes).result() == []

        resent = set(roster.unanswered)
        port, server = serve(env, 2, log, port=port, app=APP)
        try:
            after, resumed = asyncio.run(second_sitting(port, people, acked, roster))
        finally:
            stop(server)
        assert {kind: p.errors for kind, p in after.items() if p.errors} == {}
        assert resumed and all(before == now for before, now in resumed.values())

        checked = db.submit(verify_exam, exam.codes, replace(acked, saves=list(acked.saves))).result()
        assert checked.ok, checked.examples
        assert (checked.attempts, checked.graded, len(acked.submits)) == (OFFICERS, OFFICERS, OFFICERS)
        assert db.submit(completion_problems, exam.codes).result() == []
        final = db.submit(roster_states, roster.files).result()
        whole = RosterState(ROSTER_ROWS, ROSTER_ROWS, 1)
        # A file the kill cut off after its commit was sent again and found unchanged, which the
        # audit log records as a second import.
        again = {RosterState(ROSTER_ROWS, ROSTER_ROWS, 2)}
        assert all(state == whole or (name in resent and state in again) for name, state in final.items()), (
            final
        )


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    """Running, as opposed to gone or a zombie waiting to be reaped."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"
