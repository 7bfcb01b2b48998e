import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.orm import Session

from app.accounts.grants import revoke_grant
from app.config import Settings, get_settings
from app.db import transaction
from app.errors import Conflict, InvalidInput, NotFound
from app.jobs import registry, service
from app.jobs.models import Job, JobChunk
from app.jobs.worker import MAX_ATTEMPTS, Claimed, Worker, claim, run_claimed, sweep, work
from app.orgs.models import RoleGrant
from app.orgs.permissions import Actor
from app.reports.enrolments import EnrolmentFilter, filter_params
from app.tabular.plans import ExportPlan
from app.tabular.table import Column, Table
from tests.reports.data import Enrolled
from tests.world import World

T0 = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)
LEASE = timedelta(seconds=120)
UnitOfWork = Callable[[], AbstractContextManager[Session]]
SEEN_PROGRESS: list[int] = []


def plan_numbers(
    session: Session, actor: Actor, params: Mapping[str, Any], *, language: str, today: date, timezone: str
) -> ExportPlan:
    """A test kind: `count` numbered rows; it records the job's progress as the worker stored it."""
    count = int(params["count"])
    if params.get("boom"):
        raise RuntimeError("boom")

    def rows(rows_session: Session) -> Iterator[Sequence[object]]:
        for n in range(count):
            stored = rows_session.scalar(select(Job.rows_done).where(Job.id == params["job"]))
            SEEN_PROGRESS.append(stored or 0)
            yield (n,)

    table = Table("so", "Numbers", (Column("n", "n", "int"),), rows)
    return ExportPlan(table, lambda _s: count)


@pytest.fixture
def numbers_kind(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(registry.KINDS, "test.numbers", plan_numbers)
    SEEN_PROGRESS.clear()


def _queue(session: Session, requester_id: int, *, kind: str = "reports.enrolments", **params: object) -> Job:
    job = Job(
        kind=kind,
        requester_id=requester_id,
        params={"filter": params, "format": "csv", "language": "vi"},
        status="queued",
        rows_done=0,
        attempts=0,
        created_at=T0,
        expires_at=T0 + timedelta(hours=24),
    )
    session.add(job)
    session.commit()
    return job


def _settings() -> Settings:
    return get_settings().model_copy(update={"jobs_lease_seconds": 120, "jobs_keep_hours": 24})


class TestClaim:
    def test_a_job_is_claimed_once_and_again_only_after_its_lease_runs_out(
        self, session: Session, world: World
    ) -> None:
        job = _queue(session, world.hr_a.id)
        first = claim(session, now=T0, lease=LEASE)
        assert first is not None and (first.id, first.attempts) == (job.id, 1)
        assert claim(session, now=T0 + timedelta(seconds=30), lease=LEASE) is None
        again = claim(session, now=T0 + LEASE + timedelta(seconds=1), lease=LEASE)
        assert again is not None and (again.id, again.attempts) == (job.id, 2)

    def test_a_job_orphaned_too_often_is_given_up_with_an_error(self, session: Session, world: World) -> None:
        job = _queue(session, world.hr_a.id)
        now = T0
        for _ in range(MAX_ATTEMPTS):
            assert claim(session, now=now, lease=LEASE) is not None
            now += LEASE + timedelta(seconds=1)
        assert claim(session, now=now, lease=LEASE) is None
        sweep(session, _settings(), now=now)
        session.refresh(job)
        assert (job.status, job.error) == ("failed", "The export stopped too many times; ask for it again.")

    def test_expired_jobs_and_their_files_are_deleted(self, session: Session, world: World) -> None:
        job = _queue(session, world.hr_a.id)
        session.execute(insert(JobChunk).values(job_id=job.id, seq=0, data=b"x"))
        assert sweep(session, _settings(), now=T0 + timedelta(hours=23)) == 0
        assert sweep(session, _settings(), now=T0 + timedelta(hours=25)) == 1
        assert session.scalar(select(JobChunk.job_id)) is None


class TestRun:
    def test_the_enrolment_export_runs_as_its_requester_and_stores_the_file(
        self, session: Session, world: World, enrolled: Enrolled, unit_of_work: UnitOfWork
    ) -> None:
        job = service.create_export(
            session,
            world.actor(session, world.hr_a),
            kind="reports.enrolments",
            params=filter_params(EnrolmentFilter()),
            fmt="csv",
            language="vi",
            now=T0,
            timezone="Asia/Ho_Chi_Minh",
            keep_hours=24,
        )
        session.commit()
        assert work(unit_of_work, _settings(), now=lambda: T0) == 1
        session.refresh(job)
        assert (job.status, job.rows_done, job.rows_total, job.error) == ("done", 3, 3, None)
        assert job.filename is not None and job.filename.endswith(".csv")
        data = b"".join(service.read_chunks(session, job.id))
        assert job.size_bytes == len(data)
        lines = data.decode("utf-8-sig").splitlines()
        assert sorted(line.split(",")[0] for line in lines[1:]) == ["DPA", "HRA", "HVA"]
        assert job.expires_at == T0 + timedelta(hours=24)

    def test_progress_is_stored_as_rows_are_written(
        self, session: Session, world: World, numbers_kind: None, unit_of_work: UnitOfWork
    ) -> None:
        job = _queue(session, world.hr_a.id, kind="test.numbers", count=7)
        job.params = {**job.params, "filter": {"count": 7, "job": job.id}}
        session.commit()
        claimed = claim(session, now=T0, lease=LEASE)
        assert claimed is not None
        assert run_claimed(unit_of_work, _settings(), claimed, now=lambda: T0, progress_every=2) == "done"
        assert SEEN_PROGRESS == [0, 0, 2, 2, 4, 4, 6]
        session.refresh(job)
        assert (job.rows_done, job.rows_total) == (7, 7)
        assert b"".join(service.read_chunks(session, job.id)).decode("utf-8-sig").split("\r\n")[1:-1] == [
            str(n) for n in range(7)
        ]

    def test_a_failing_job_records_its_error(
        self, session: Session, world: World, numbers_kind: None, unit_of_work: UnitOfWork
    ) -> None:
        job = _queue(session, world.hr_a.id, kind="test.numbers", count=1, boom=True)
        assert work(unit_of_work, _settings(), now=lambda: T0) == 1
        session.refresh(job)
        assert (job.status, job.error, job.finished_at) == ("failed", "RuntimeError: boom", T0)

    def test_the_scope_is_checked_again_when_the_job_runs(
        self, session: Session, world: World, enrolled: Enrolled, unit_of_work: UnitOfWork
    ) -> None:
        job = _queue(session, world.hr_a.id, unit_id=world.dept_a.id)
        grant = session.scalar(select(RoleGrant).where(RoleGrant.user_id == world.hr_a.id))
        assert grant is not None
        revoke_grant(session, world.actor(session, world.admin), grant_id=grant.id)
        session.commit()
        work(unit_of_work, _settings(), now=lambda: T0)
        session.refresh(job)
        assert (job.status, job.error) == ("failed", "Your role does not allow this.")
        assert session.scalar(select(JobChunk.job_id).where(JobChunk.job_id == job.id)) is None

    def test_a_worker_that_lost_its_claim_stops_without_writing(
        self, session: Session, world: World, numbers_kind: None, unit_of_work: UnitOfWork
    ) -> None:
        job = _queue(session, world.hr_a.id, kind="test.numbers", count=3)
        job.params = {**job.params, "filter": {"count": 3, "job": job.id}}
        session.commit()
        stale = claim(session, now=T0, lease=LEASE)
        assert stale is not None
        fresh = claim(session, now=T0 + LEASE * 2, lease=LEASE)
        assert fresh is not None
        assert run_claimed(unit_of_work, _settings(), stale, now=lambda: T0 + LEASE * 2) == "lost"
        session.refresh(job)
        assert (job.status, job.attempts) == ("running", 2)
        assert run_claimed(unit_of_work, _settings(), fresh, now=lambda: T0 + LEASE * 2) == "done"


class TestOwnership:
    def test_only_the_requester_sees_a_job(self, session: Session, world: World) -> None:
        job = _queue(session, world.hr_a.id)
        assert service.get_job(session, world.actor(session, world.hr_a), job.id).id == job.id
        for other in (world.admin, world.coord_a):
            with pytest.raises(NotFound):
                service.get_job(session, world.actor(session, other), job.id)
        assert [j.id for j in service.my_jobs(session, world.actor(session, world.admin))] == []


def test_two_workers_at_once_run_each_job_exactly_once(engine: Engine) -> None:
    """Real commits on the test database (not the rolled-back test transaction): two threads,
    each with its own sessions, claim from the same queue."""
    settings = _settings()
    with transaction() as session:
        ids = [
            session.execute(
                insert(Job)
                .values(
                    kind="test.none",
                    requester_id=1,
                    params={},
                    status="queued",
                    rows_done=0,
                    attempts=0,
                    created_at=T0,
                    expires_at=datetime.now(UTC) + timedelta(hours=1),
                )
                .returning(Job.id)
            ).scalar_one()
            for _ in range(30)
        ]
    ran: list[int] = []
    lock = threading.Lock()

    def run(unit_of_work: UnitOfWork, settings: Settings, job: Claimed, now: Callable[[], datetime]) -> str:
        time.sleep(0.005)
        with lock:
            ran.append(job.id)
        with unit_of_work() as session:
            session.execute(update(Job).where(Job.id == job.id).values(status="done"))
        return "done"

    counts: list[int] = []
    threads = [
        threading.Thread(target=lambda: counts.append(work(transaction, settings, run=run))) for _ in range(2)
    ]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert sorted(ran) == sorted(ids)
        assert sum(counts) == len(ids)
    finally:
        with transaction() as session:
            session.execute(delete(Job).where(Job.id.in_(ids)))


def test_the_command_runs_waiting_jobs_once_and_deletes_expired_ones(engine: Engine) -> None:
    from typer.testing import CliRunner

    from app.cli import app

    with transaction() as session:
        session.execute(
            insert(Job).values(
                kind="reports.enrolments",
                requester_id=1,
                params={},
                status="done",
                rows_done=0,
                attempts=1,
                created_at=T0,
                expires_at=datetime.now(UTC) - timedelta(minutes=1),
            )
        )
    result = CliRunner().invoke(app, ["jobs", "run", "--once"])
    assert result.exit_code == 0, result.output
    assert "Ran 0 jobs; deleted 1 expired ones." in result.output
    with transaction() as session:
        assert session.scalar(select(Job.id)) is None


def test_a_poll_that_keeps_failing_is_logged_in_full_once(caplog: pytest.LogCaptureFixture) -> None:
    polls = threading.Semaphore(0)

    @contextmanager
    def broken() -> Iterator[Session]:
        polls.release()
        raise RuntimeError("no such table: jobs")
        yield  # pragma: no cover

    worker = Worker(broken, get_settings().model_copy(update={"jobs_poll_seconds": 0.01}))
    with caplog.at_level("WARNING", logger="hocso.jobs"):
        worker.start()
        for _ in range(5):
            assert polls.acquire(timeout=10)
        worker.stop()
    failures = [r for r in caplog.records if r.name == "hocso.jobs"]
    assert [(r.levelname, r.getMessage(), r.exc_info is not None) for r in failures] == [
        ("ERROR", "background jobs: poll failed", True)
    ]


def test_one_person_queues_a_few_exports_with_small_filters_at_a_time(
    session: Session, world: World, enrolled: Enrolled
) -> None:
    hr = world.actor(session, world.hr_a)

    def ask(params: Mapping[str, Any]) -> Job:
        return service.create_export(
            session,
            hr,
            kind="reports.enrolments",
            params=params,
            fmt="csv",
            language="vi",
            now=T0,
            timezone="Asia/Ho_Chi_Minh",
            keep_hours=24,
        )

    with pytest.raises(InvalidInput, match="Too many or too long"):
        ask({"unit_id": world.dept_a.id, "note": "x" * 5000})
    for _ in range(service.MAX_WAITING):
        ask(filter_params(EnrolmentFilter()))
    with pytest.raises(Conflict, match="several exports"):
        ask(filter_params(EnrolmentFilter()))
