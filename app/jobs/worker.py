"""Running background jobs: claim one, plan it as its requester, write its file into the
database chunk by chunk, and record progress, the result or the error.

A claim is one conditional UPDATE … RETURNING, so of two workers (threads, processes or
machines) racing for a job only one gets it, on SQLite and PostgreSQL alike. A running job
renews its heartbeat as it goes; a job whose heartbeat is older than the lease is taken to be
orphaned by a crashed worker and claimed again, at most MAX_ATTEMPTS times. A worker that finds
it has lost its claim (the lease ran out and another worker took over) stops writing."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, insert, or_, select, update
from sqlalchemy.orm import Session

from app.accounts.grants import actor_for
from app.accounts.models import User
from app.config import Settings
from app.db import utcnow
from app.errors import DomainError, PermissionDenied
from app.i18n import N_, today
from app.jobs.models import Job, JobChunk, JobStatus
from app.jobs.registry import planner
from app.tabular.writers import FORMATS, file_chunks, filename

log = logging.getLogger("hocso.jobs")

MAX_ATTEMPTS = 3
# Stored chunks are larger than the writers' 64 KiB pieces: fewer rows, fewer round trips.
STORE_BYTES = 1024 * 1024
PROGRESS_EVERY = 5000
GIVEN_UP = N_("The export stopped too many times; ask for it again.")
UnitOfWork = Callable[[], AbstractContextManager[Session]]


class LeaseLost(Exception):
    """Another worker has claimed the job since: this one must stop writing."""


@dataclass(frozen=True)
class Claimed:
    id: int
    kind: str
    requester_id: int
    params: dict[str, Any]
    attempts: int


def _claimable(now: datetime, lease: timedelta) -> ColumnElement[bool]:
    return and_(
        Job.attempts < MAX_ATTEMPTS,
        Job.expires_at > now,
        or_(
            Job.status == JobStatus.QUEUED,
            (Job.status == JobStatus.RUNNING) & (Job.heartbeat_at < now - lease),
        ),
    )


def claim(session: Session, *, now: datetime, lease: timedelta) -> Claimed | None:
    """Claim the oldest claimable job. The UPDATE checks the condition again, so a job another
    worker took in the meantime is not taken twice; then the next candidate is tried."""
    while True:
        candidate = session.scalar(select(Job.id).where(_claimable(now, lease)).order_by(Job.id).limit(1))
        if candidate is None:
            return None
        row = session.execute(
            update(Job)
            .where(Job.id == candidate, _claimable(now, lease))
            .values(
                status=JobStatus.RUNNING,
                started_at=now,
                heartbeat_at=now,
                attempts=Job.attempts + 1,
                rows_done=0,
                error=None,
            )
            .returning(Job.id, Job.kind, Job.requester_id, Job.params, Job.attempts)
            .execution_options(synchronize_session=False)
        ).one_or_none()
        if row is not None:
            return Claimed(row.id, row.kind, row.requester_id, dict(row.params), row.attempts)


def _touch(session: Session, job: Claimed, now: datetime, **values: object) -> None:
    """Renew the heartbeat (and set values) if the job is still this worker's claim."""
    done = session.execute(
        update(Job)
        .where(Job.id == job.id, Job.status == JobStatus.RUNNING, Job.attempts == job.attempts)
        .values(heartbeat_at=now, **values)
        .execution_options(synchronize_session=False)
    )
    if getattr(done, "rowcount", 0) != 1:
        raise LeaseLost


def run_claimed(
    unit_of_work: UnitOfWork,
    settings: Settings,
    job: Claimed,
    now: Callable[[], datetime] = utcnow,
    *,
    progress_every: int = PROGRESS_EVERY,
) -> str:
    """Run one claimed job to its end; return its final status ("done", "failed" or "lost")."""
    fmt = str(job.params.get("format", "csv"))
    language = str(job.params.get("language", "vi"))
    tz = settings.timezone
    try:
        with unit_of_work() as session:
            # A job claimed again after a crash starts over.
            session.execute(delete(JobChunk).where(JobChunk.job_id == job.id))
            user = session.get(User, job.requester_id)
            if user is None or not user.active:
                raise PermissionDenied("The person who asked for this export can no longer sign in.")
            actor = actor_for(session, user, ip=None)
            plan = planner(job.kind)(
                session, actor, job.params.get("filter", {}), language=language, today=today(tz), timezone=tz
            )
            total = plan.count(session) if plan.count else None
            _touch(session, job, now(), rows_total=total)
        counted = 0

        def rows(rows_session: Session) -> Iterator[Sequence[object]]:
            nonlocal counted
            for row in plan.table.rows(rows_session):
                yield row
                counted += 1
                if counted % progress_every == 0:
                    with unit_of_work() as session:
                        _touch(session, job, now(), rows_done=counted)

        seq = size = 0
        pending = bytearray()

        def store(data: bytes) -> None:
            nonlocal seq, size
            with unit_of_work() as session:
                _touch(session, job, now(), rows_done=counted)
                session.execute(insert(JobChunk).values(job_id=job.id, seq=seq, data=data))
            seq += 1
            size += len(data)

        with unit_of_work() as rows_session:
            for chunk in file_chunks(plan.table, rows(rows_session), fmt=fmt, language=language, timezone=tz):
                pending += chunk
                if len(pending) >= STORE_BYTES:
                    store(bytes(pending))
                    pending = bytearray()
        if pending or seq == 0:
            store(bytes(pending))
        finished = now()
        with unit_of_work() as session:
            _touch(
                session,
                job,
                finished,
                status=JobStatus.DONE,
                rows_done=counted,
                filename=filename(plan.table, fmt, today(tz)),
                media_type=FORMATS[fmt].media_type,
                size_bytes=size,
                finished_at=finished,
                expires_at=finished + timedelta(hours=settings.jobs_keep_hours),
            )
        return JobStatus.DONE
    except LeaseLost:
        log.warning("job %s was claimed by another worker; this run stops", job.id)
        return "lost"
    except Exception as exc:
        if isinstance(exc, DomainError):
            error = exc.message
        else:
            log.exception("job %s failed", job.id)
            error = f"{type(exc).__name__}: {exc}"
        try:
            with unit_of_work() as session:
                _touch(session, job, now(), status=JobStatus.FAILED, error=error[:500], finished_at=now())
        except LeaseLost:
            return "lost"
        return JobStatus.FAILED


Runner = Callable[[UnitOfWork, Settings, Claimed, Callable[[], datetime]], str]


def work(
    unit_of_work: UnitOfWork,
    settings: Settings,
    *,
    now: Callable[[], datetime] = utcnow,
    run: Runner = run_claimed,
    stop: threading.Event | None = None,
) -> int:
    """Run claimable jobs one after another until none is left; return how many ran."""
    lease = timedelta(seconds=settings.jobs_lease_seconds)
    ran = 0
    while stop is None or not stop.is_set():
        with unit_of_work() as session:
            job = claim(session, now=now(), lease=lease)
        if job is None:
            return ran
        run(unit_of_work, settings, job, now)
        ran += 1
    return ran


def sweep(session: Session, settings: Settings, *, now: datetime) -> int:
    """Give up on jobs orphaned too often, and delete expired jobs with their files."""
    lease = timedelta(seconds=settings.jobs_lease_seconds)
    given_up = and_(
        Job.status == JobStatus.RUNNING, Job.heartbeat_at < now - lease, Job.attempts >= MAX_ATTEMPTS
    )
    # Read first: an idle poll should not take SQLite's write lock every few seconds.
    if session.scalar(select(Job.id).where(or_(given_up, Job.expires_at < now)).limit(1)) is None:
        return 0
    session.execute(
        update(Job)
        .where(given_up)
        .values(status=JobStatus.FAILED, error=GIVEN_UP, finished_at=now)
        .execution_options(synchronize_session=False)
    )
    expired = select(Job.id).where(Job.expires_at < now).scalar_subquery()
    session.execute(delete(JobChunk).where(JobChunk.job_id.in_(expired)))
    result = session.execute(
        delete(Job).where(Job.expires_at < now).execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


class Worker:
    """A daemon thread in an app process that polls for jobs (HOCSO_JOBS_IN_PROCESS)."""

    def __init__(self, unit_of_work: UnitOfWork, settings: Settings) -> None:
        self._unit_of_work = unit_of_work
        self._settings = settings
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="hocso-jobs", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _loop(self) -> None:
        # A poll that keeps failing the same way (a server started before its migrations, a
        # database that is down) is logged in full once, then as one short line per minute.
        last_failure, last_logged = "", 0.0
        while not self._stop.is_set():
            try:
                with self._unit_of_work() as session:
                    sweep(session, self._settings, now=utcnow())
                work(self._unit_of_work, self._settings, stop=self._stop)
                last_failure = ""
            except Exception as exc:  # the loop outlives a bad poll; the job is retried
                failure = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
                if failure != last_failure:
                    log.exception("background jobs: poll failed")
                    last_failure, last_logged = failure, time.monotonic()
                elif time.monotonic() - last_logged >= 60:
                    log.warning("background jobs: poll still failing: %s", failure)
                    last_logged = time.monotonic()
            self._stop.wait(self._settings.jobs_poll_seconds)
