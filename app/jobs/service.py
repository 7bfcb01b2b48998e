"""Asking for a background export, following it, and reading its file: a job belongs to the
person who asked for it, and nobody else sees it (404), whatever their role."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from app.i18n import LANGUAGES, N_, today
from app.jobs.models import Job, JobChunk, JobStatus
from app.jobs.registry import planner
from app.orgs.permissions import Actor
from app.tabular.writers import FORMATS

LISTED = 50
TOKENS_STREAM = N_("Background exports belong to a person; API tokens download the file directly.")


# An export's filters are a handful of ids and dates; one person's exports wait in line a few at a
# time, so nobody can fill the queue (or the jobs table) for everyone else.
MAX_PARAMS = 20
MAX_PARAMS_BYTES = 2000
MAX_WAITING = 5


def create_export(
    session: Session,
    actor: Actor,
    *,
    kind: str,
    params: Mapping[str, Any],
    fmt: str,
    language: str,
    now: datetime,
    timezone: str,
    keep_hours: int,
) -> Job:
    """Queue an export. Its planner runs now too, so a filter outside the actor's units or a
    missing right is refused at once (and checked again, against current grants, when it runs)."""
    if actor.user_id is None:
        raise PermissionDenied(TOKENS_STREAM)
    if fmt not in FORMATS:
        raise InvalidInput("Unknown file format.")
    if len(params) > MAX_PARAMS or len(json.dumps(params, default=str)) > MAX_PARAMS_BYTES:
        raise InvalidInput("Too many or too long export filters.")
    waiting = session.scalar(
        select(func.count())
        .select_from(Job)
        .where(Job.requester_id == actor.user_id, Job.status.in_((JobStatus.QUEUED, JobStatus.RUNNING)))
    )
    if (waiting or 0) >= MAX_WAITING:
        raise Conflict("You already have several exports being prepared; wait until one is ready.")
    planner(kind)(session, actor, params, language=language, today=today(timezone), timezone=timezone)
    job = Job(
        kind=kind,
        requester_id=actor.user_id,
        params={
            "filter": dict(params),
            "format": fmt,
            "language": language if language in LANGUAGES else "vi",
        },
        status=JobStatus.QUEUED,
        rows_done=0,
        attempts=0,
        created_at=now,
        expires_at=now + timedelta(hours=keep_hours),
    )
    session.add(job)
    session.flush()
    return job


def get_job(session: Session, actor: Actor, job_id: int) -> Job:
    job = session.get(Job, job_id)
    if job is None or actor.user_id is None or job.requester_id != actor.user_id:
        raise NotFound("No such export.")
    return job


def my_jobs(session: Session, actor: Actor) -> Sequence[Job]:
    """The actor's exports, newest first."""
    if actor.user_id is None:
        raise PermissionDenied(TOKENS_STREAM)
    return session.scalars(
        select(Job).where(Job.requester_id == actor.user_id).order_by(Job.id.desc()).limit(LISTED)
    ).all()


def finished_job(session: Session, actor: Actor, job_id: int) -> Job:
    """The actor's job, when its file is ready to download."""
    job = get_job(session, actor, job_id)
    if job.status != JobStatus.DONE:
        raise Conflict("The file is not ready yet.")
    return job


def read_chunks(session: Session, job_id: int) -> Iterator[bytes]:
    """The job's file, one stored chunk in memory at a time."""
    seq = 0
    while True:
        data = session.scalar(select(JobChunk.data).where(JobChunk.job_id == job_id, JobChunk.seq == seq))
        if data is None:
            return
        yield bytes(data)
        seq += 1
