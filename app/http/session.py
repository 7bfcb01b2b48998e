"""The request's database session: admitted on the event loop, committed before the response is
sent, rolled back on error. Both adapters take it as SessionDep."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from anyio import CapacityLimiter, to_thread
from fastapi import Depends
from sqlalchemy.orm import Session

from app.db import (
    MAX_CONNECTIONS,
    REFUSED,
    as_domain_error,
    commit_or_raise,
    end_after_error,
    get_sessionmaker,
)

# Request sessions are admitted here, on the event loop, up to the number of connections the
# pool hands out, so no worker thread ever waits for a connection. A thread waiting there can
# deadlock the server until the pool's timeout: every worker thread waits for a connection,
# while the connections are held by requests whose handlers are done and need a worker thread
# to validate their response and commit before they give their connection back.
_ADMITTED = CapacityLimiter(MAX_CONNECTIONS)


async def request_session() -> AsyncIterator[Session]:
    """The request owns the transaction: commit on success, roll back on error.

    Creating a Session does no I/O, so it happens on the event loop; only a session that has
    actually begun a transaction is committed, in a worker thread. Requests served from the
    content cache thus never touch a thread or the database for their session."""
    admission = object()
    await _ADMITTED.acquire_on_behalf_of(admission)
    session = get_sessionmaker()()
    try:
        yield session
        if session.in_transaction():
            await to_thread.run_sync(commit_or_raise, session)
    except REFUSED as exc:
        # Raised by a flush inside the handler rather than by the commit: the same answer as a
        # failed commit.
        if session.in_transaction():
            await to_thread.run_sync(session.rollback)
        raise as_domain_error(exc) from exc
    except BaseException as exc:
        if session.in_transaction():
            await to_thread.run_sync(end_after_error, session, exc)
        raise
    finally:
        try:
            if session.in_transaction():
                await to_thread.run_sync(session.close)
            else:
                session.close()
        finally:
            _ADMITTED.release_on_behalf_of(admission)


# scope="function": the commit runs before the response is sent, so a failed commit becomes an
# error response instead of a success the database never kept.
SessionDep = Annotated[Session, Depends(request_session, scope="function")]
