"""The route class of every router: a synchronous handler's unit of work is committed in the
worker thread that ran the handler, as soon as it returns.

The request's session dependency (app.http.session) commits what is left, but it resumes on the
event loop and sends the commit to another worker thread: a second hand-off, during which the
transaction keeps its locks while the loop serves other requests. Under an exam's load that
wait is most of a save's time on SQLite, where the write lock is one for the whole database,
and it holds PostgreSQL's row locks longer too. Committing where the handler ran ends the
transaction at once; the dependency then finds nothing to commit. A failed commit is rolled
back and raised from the handler, so it is answered as before."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from fastapi.routing import APIRoute
from sqlalchemy.orm import Session

from app.db import commit_or_raise

# The parameter name every handler gives the request's session (SessionDep).
SESSION_PARAMETER = "session"


def committing(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """`endpoint`, committing its session when it returns; unchanged when it is a coroutine
    (run on the event loop, it must not block on the database) or takes no session."""
    if (
        inspect.iscoroutinefunction(endpoint)
        or SESSION_PARAMETER not in inspect.signature(endpoint).parameters
    ):
        return endpoint

    @functools.wraps(endpoint)
    def run(*args: Any, **kwargs: Any) -> Any:
        result = endpoint(*args, **kwargs)
        session = kwargs.get(SESSION_PARAMETER)
        if isinstance(session, Session) and session.in_transaction():
            commit_or_raise(session)
        return result

    return run


class UnitOfWorkRoute(APIRoute):
    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, committing(endpoint), **kwargs)
