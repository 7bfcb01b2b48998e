"""Races between real transactions: each test gets a fresh migrated database of the backend under
test, and threads with sessions of their own commit to it for real, started together by a
barrier (the rolled-back test session would serialise everything on one connection)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar, cast

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from app.courses import service as courses
from app.db import REFUSED, as_domain_error, commit_or_raise, end_after_error, make_engine
from app.errors import DomainError
from app.migrate import upgrade_to_head
from tests.factories import write_course
from tests.notifications.conftest import smtp
from tests.world import World, build_world

__all__ = ["smtp"]

T = TypeVar("T")
_PENDING = object()
# Long enough for a loaded CI machine, short enough that a deadlock fails the test quickly.
TIMEOUT = 30.0


@dataclass
class Db:
    engine: Engine

    @contextmanager
    def work(self) -> Iterator[Session]:
        """One unit of work as a request has it: commit on success; a lost race or a locked
        database becomes the domain error the user is shown."""
        session = Session(self.engine, expire_on_commit=False)
        try:
            yield session
            commit_or_raise(session)
        except REFUSED as exc:
            session.rollback()
            raise as_domain_error(exc) from exc
        except BaseException as exc:
            end_after_error(session, exc)
            raise
        finally:
            session.close()


@pytest.fixture
def db(new_database: Callable[[], AbstractContextManager[str]]) -> Iterator[Db]:
    with new_database() as url:
        engine = make_engine(url)
        with engine.begin() as connection:
            upgrade_to_head(connection)
        try:
            yield Db(engine)
        finally:
            engine.dispose()


@pytest.fixture
def world(db: Db) -> World:
    with db.work() as session:
        return build_world(session)


@pytest.fixture
def course(db: Db, world: World, tmp_path: Path) -> str:
    """The sample course (two lessons and a quiz to pass), committed; returns its slug."""
    with db.work() as session:
        courses.import_course_dir(session, write_course(tmp_path), max_asset_bytes=1 << 20)
    return "khoa-hoc-mau"


def race(*actions: Callable[[], T]) -> list[T | DomainError]:
    """Run the actions in threads released together; each gives its result or the domain error
    it raised. Anything else (a crash, a deadlock reported by the database) fails the test."""
    barrier = threading.Barrier(len(actions))
    results: list[object] = [_PENDING] * len(actions)
    crashes: list[BaseException] = []

    def run(index: int, action: Callable[[], T]) -> None:
        barrier.wait(TIMEOUT)
        try:
            results[index] = action()
        except DomainError as exc:
            results[index] = exc
        except BaseException as exc:
            crashes.append(exc)

    threads = [threading.Thread(target=run, args=(i, a), daemon=True) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    assert not any(t.is_alive() for t in threads), "a racer is still waiting: deadlock"
    if crashes:
        raise crashes[0]
    assert _PENDING not in results
    return cast(list[T | DomainError], results)
