"""Shared fixtures: one migrated database per run (SQLite or PostgreSQL, chosen by
HOCSO_TEST_BACKEND), a rolled-back transaction per test, and an app bound to it."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from functools import cache
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from tests.databases import (
    PostgresUnavailable,
    _pg_bindir,
    fresh_postgres_database,
    fresh_sqlite_database,
    postgres_server,
)
from tests.world import World

BACKEND = os.environ.get("HOCSO_TEST_BACKEND", "sqlite")
ROOT = Path(__file__).resolve().parent.parent
os.environ["HOCSO_ENVIRONMENT"] = "test"
# Each test rolls its data back, so a content cache would serve rows that no longer exist.
os.environ["HOCSO_CONTENT_CACHE_SECONDS"] = "0"
# Tests run jobs themselves; a worker thread polling the test database would wait on its locks.
os.environ["HOCSO_JOBS_IN_PROCESS"] = "false"
# argon2 at its cheapest: at production cost, hashing was two thirds of the suite's time. The
# servers the tests start inherit it. tests/test_config.py pins the production cost.
os.environ.setdefault("HOCSO_PASSWORD_HASH_MEMORY_KIB", "8")
os.environ.setdefault("HOCSO_PASSWORD_HASH_TIME_COST", "1")
os.environ.setdefault("HOCSO_PASSWORD_HASH_PARALLELISM", "1")


def _required(name: str) -> bool:
    return os.environ.get(name, "") == "1"


# The fixtures through which a test reaches the backend under test. A test that uses none of them
# (parsers, grading, text folding, servers on a SQLite file of their own) checks nothing that
# differs between backends, so it runs once, in the SQLite pass.
BACKEND_FIXTURES = frozenset({"new_database", "database_url", "engine", "postgres_server_url"})


@cache
def _postgres_available() -> bool:
    return bool(os.environ.get("HOCSO_TEST_POSTGRES_URL")) or _pg_bindir() is not None


def _in_this_pass(item: pytest.Item) -> bool:
    if "/e2e/" in str(item.path):
        # The browser tests run once, on PostgreSQL (the production backend), or on SQLite where
        # no PostgreSQL can be had; HOCSO_E2E_BOTH=1 runs them in both passes.
        if _required("HOCSO_E2E_BOTH"):
            return True
        return BACKEND == "postgresql" or not _postgres_available()
    if item.get_closest_marker("postgresql") is not None:
        return BACKEND == "postgresql"
    uses_backend = bool(BACKEND_FIXTURES & set(getattr(item, "fixturenames", ())))
    return uses_backend or BACKEND == "sqlite"


def _alone(item: pytest.Item) -> bool:
    """Tests that start real servers and browsers, or time what they do: they share one
    pytest-xdist worker, one after another, so they never compete with each other."""
    path = str(item.path)
    return "/e2e/" in path or "/faults/" in path or item.get_closest_marker("alone") is not None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Select this pass's tests and group the ones that run alone. The group goes first, so the
    longest unit of work starts at once instead of last; the browser tests end it, since
    Playwright runs an event loop in the main thread while its browser is open."""
    kept: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        (kept if _in_this_pass(item) else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
    alone = [item for item in kept if _alone(item)]
    for item in alone:
        item.add_marker(pytest.mark.xdist_group("alone"))
    alone.sort(key=lambda item: "/e2e/" in str(item.path))
    items[:] = alone + [item for item in kept if not _alone(item)]


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str]:
    try:
        with postgres_server() as url:
            yield url
    except PostgresUnavailable as exc:
        if _required("HOCSO_REQUIRE_POSTGRES"):
            pytest.fail(f"PostgreSQL is required but unavailable: {exc}", pytrace=False)
        pytest.exit(f"PostgreSQL run skipped: {exc}", returncode=0)


@pytest.fixture(scope="session")
def new_database(request: pytest.FixtureRequest) -> Callable[[], AbstractContextManager[str]]:
    """Makes empty databases of the backend under test (one for the tests, one per live server)."""
    if BACKEND == "postgresql":
        server = request.getfixturevalue("postgres_server_url")
        return lambda: fresh_postgres_database(server)
    return fresh_sqlite_database


@pytest.fixture(scope="session")
def database_url(new_database: Callable[[], AbstractContextManager[str]]) -> Iterator[str]:
    with new_database() as url:
        yield url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    from app import config, db
    from app.migrate import upgrade_to_head

    os.environ["HOCSO_DATABASE_URL"] = database_url
    config.get_settings.cache_clear()
    db.get_engine.cache_clear()
    db.get_sessionmaker.cache_clear()
    upgrade_to_head()
    engine = db.get_engine()
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session inside an outer transaction that is rolled back after the test; commits in the
    code under test only release savepoints. What a process keeps between requests (the class
    page's suggestions) starts empty, as the test's data does."""
    from app.classrooms.changes import clear_choices

    clear_choices()
    with engine.connect() as connection:
        outer = connection.begin()
        db_session = Session(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        )
        try:
            yield db_session
        finally:
            db_session.close()
            outer.rollback()


@pytest.fixture
def client(session: Session) -> Iterator[TestClient]:
    from app.db import REFUSED, as_domain_error, commit_or_raise, end_after_error
    from app.http.session import request_session
    from app.main import create_app

    app = create_app()

    def bound_session() -> Iterator[Session]:
        # As app.http.session.request_session, over the test's transaction.
        try:
            yield session
            commit_or_raise(session)
        except REFUSED as exc:
            session.rollback()
            raise as_domain_error(exc) from exc
        except BaseException as exc:
            end_after_error(session, exc)
            raise

    app.dependency_overrides[request_session] = bound_session
    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as test_client:
        yield test_client


@pytest.fixture
def catalogue(session: Session) -> None:
    """The three real courses from courses/, imported inside the test's transaction."""
    from app.courses.importer import upsert_course
    from tests.factories import real_course_specs

    for spec in real_course_specs():
        upsert_course(session, spec)
    session.commit()


@pytest.fixture
def world(session: Session) -> World:
    from tests.world import build_world

    built = build_world(session)
    # Release the savepoint: a request that fails later rolls back its own work, not the world.
    session.commit()
    return built
