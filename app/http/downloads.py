"""Streaming a report or a finished job's file as an HTTP download, for pages and API alike.

The handler builds the Table with the request's session (rights and scope are checked there),
and returns at once; the response body is produced afterwards by a generator that opens a
session of its own, reads the rows as they stream from the database, and closes it when the
file ends or the client goes away. The request's session is long closed by then."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import AsyncIterator, Callable, Generator, Iterator
from datetime import date
from typing import Annotated
from urllib.parse import quote

from anyio import CancelScope, to_thread
from fastapi import Depends
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session

from app.db import get_sessionmaker
from app.jobs.models import Job
from app.jobs.service import read_chunks
from app.tabular.table import Table
from app.tabular.writers import FORMATS, file_chunks, filename

Sessions = Callable[[], Session]


async def export_sessions() -> Sessions:
    """Where streaming exports get their session (the tests bind it to their transaction)."""
    return get_sessionmaker()


ExportSessionsDep = Annotated[Sessions, Depends(export_sessions)]


def _body(sessions: Sessions, produce: Callable[[Session], Iterator[bytes]]) -> AsyncIterator[bytes]:
    def chunks() -> Generator[bytes]:
        session = sessions()
        try:
            yield from produce(session)
        finally:
            session.close()

    source = chunks()

    async def stream() -> AsyncIterator[bytes]:
        try:
            # Each step reads from the database, so it runs in a worker thread, one at a time.
            while (chunk := await to_thread.run_sync(next, source, None)) is not None:
                yield chunk
        finally:
            # On a client disconnect too: close the generator so its session is closed now.
            with CancelScope(shield=True):
                await to_thread.run_sync(source.close)

    return stream()


def disposition(name: str, *, inline: bool = False) -> str:
    """A Content-Disposition header for any file name: the name itself in filename* (UTF-8, RFC
    6266), and an ASCII fallback for old clients, since a header may only carry Latin-1 and a
    class code such as 'Lớp-Ư1' is not."""
    plain = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    ascii_name = (
        re.sub(r"[^A-Za-z0-9._-]+", "-", plain.encode("ascii", "ignore").decode()).strip("-") or "tep"
    )
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


def _attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": disposition(name), "Cache-Control": "no-store"}


def stream_table(
    table: Table, *, fmt: str, sessions: Sessions, language: str, timezone: str, today: date
) -> StreamingResponse:
    def produce(session: Session) -> Iterator[bytes]:
        return file_chunks(table, table.rows(session), fmt=fmt, language=language, timezone=timezone)

    return StreamingResponse(
        _body(sessions, produce),
        media_type=FORMATS[fmt].media_type,
        headers=_attachment(filename(table, fmt, today)),
    )


def stream_job(job: Job, *, sessions: Sessions) -> StreamingResponse:
    """A finished job's file, read from the database one stored chunk at a time."""
    job_id = job.id
    headers = _attachment(job.filename or f"export-{job_id}")
    if job.size_bytes is not None:
        headers["Content-Length"] = str(job.size_bytes)
    return StreamingResponse(
        _body(sessions, lambda session: read_chunks(session, job_id)),
        media_type=job.media_type or "application/octet-stream",
        headers=headers,
    )
