"""Database plumbing: the declarative Base, engines, sessions and the request transaction."""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from enum import StrEnum
from functools import lru_cache
from typing import Any, TypeVar

from sqlalchemy import CheckConstraint, DateTime, MetaData, create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DataError, DisconnectionError, IntegrityError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from app.config import get_settings
from app.errors import Conflict, DomainError, InvalidInput, Unavailable

log = logging.getLogger("hocso")
_Row = TypeVar("_Row")

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def one_of(column: str, values: type[StrEnum]) -> CheckConstraint:
    """A CHECK that the column holds one of an enum's values, named ck_<table>_<column>: the
    database refuses a status or role the code does not know, whoever writes it."""
    allowed = ", ".join(f"'{value}'" for value in values)
    return CheckConstraint(f"{column} IN ({allowed})", name=column)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every backend (SQLite stores no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where UTC is required")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


# Statements that only read. Anything else (a write, DDL, a SAVEPOINT) takes the write lock first.
_READS = ("SELECT", "PRAGMA")


class _WriteLockedConnection(sqlite3.Connection):
    """A SQLite connection whose write transactions first take a lock shared by the engine's
    connections in this process, and give it back when they end.

    SQLite lets one transaction write at a time. A connection that finds the write lock taken
    sleeps in SQLite's busy handler for growing spells (up to 100 ms) before it looks again, so
    under load the lock lies idle between writers while they sleep, and throughput falls as
    requests are added. Waiting on a Python lock instead hands the write lock over the moment
    it is released. Processes still meet at SQLite's own lock, one waiter each."""

    write_lock: threading.Lock
    lock_timeout: float
    holds_write_lock = False

    def begin_immediate(self) -> None:
        if not self.holds_write_lock:
            # As long as SQLite's busy timeout, and the same error when it runs out.
            if not self.write_lock.acquire(timeout=self.lock_timeout):
                raise sqlite3.OperationalError("database is locked")
            self.holds_write_lock = True
        try:
            self.execute("BEGIN IMMEDIATE")
        except BaseException:
            self._release()
            raise

    def _release(self, *, closing: bool = False) -> None:
        if self.holds_write_lock and (closing or not self.in_transaction):
            self.holds_write_lock = False
            self.write_lock.release()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._release()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._release()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._release(closing=True)


def _connection_class(busy_timeout_ms: int) -> type[_WriteLockedConnection]:
    """A connection class with a write lock of its own: one per engine, so two databases (or a
    test's and a live server's) never wait for each other."""
    return type(
        "WriteLockedConnection",
        (_WriteLockedConnection,),
        {"write_lock": threading.Lock(), "lock_timeout": busy_timeout_ms / 1000},
    )


def _begin_immediate(dbapi_connection: Any) -> None:
    if isinstance(dbapi_connection, _WriteLockedConnection):
        dbapi_connection.begin_immediate()
    else:
        dbapi_connection.execute("BEGIN IMMEDIATE")


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    """SQLite with foreign keys, WAL, a busy timeout, and transactions that take the write lock
    before their first write.

    A transaction reads in autocommit, each statement seeing the latest commit (as READ
    COMMITTED does on PostgreSQL), and issues BEGIN IMMEDIATE just before its first write or
    savepoint. SQLite cannot turn a read transaction into a write transaction while another
    connection writes: it answers "database is locked" at once, without waiting for the busy
    timeout, and always once another write has committed since the read began. BEGIN
    IMMEDIATE waits for the lock like any statement, so concurrent writers queue instead of
    failing, and the lock is held only from the first write to the commit: a login's password
    check, made between its reads and its writes, holds nothing."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite's own BEGIN handling breaks SAVEPOINTs; transactions are begun below instead.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA journal_mode=WAL")
        # A commit reaches the WAL file before it returns: safe against any process kill; only
        # a power cut or kernel crash may lose the last commits (README: crash safety).
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "before_cursor_execute")
    def _lock_before_writing(
        conn: Any, _cursor: Any, statement: str, _parameters: Any, _context: Any, _executemany: bool
    ) -> None:
        dbapi_connection = conn.connection.dbapi_connection
        if not dbapi_connection.in_transaction and not statement.lstrip()[:6].upper().startswith(_READS):
            _begin_immediate(dbapi_connection)


# Connections each process keeps, and may open beyond those under load; request sessions are
# admitted up to their sum (app.http.session).
POOL_SIZE = 10
POOL_OVERFLOW = 20
MAX_CONNECTIONS = POOL_SIZE + POOL_OVERFLOW


def make_engine(url: str) -> Engine:
    settings = get_settings()
    # A database error's message would otherwise carry the statement's values (password and
    # token hashes, session ids, names) into the log.
    common: dict[str, Any] = {"pool_size": POOL_SIZE, "max_overflow": POOL_OVERFLOW, "hide_parameters": True}
    if url.startswith("sqlite"):
        factory = _connection_class(settings.sqlite_busy_timeout_ms)
        engine = create_engine(url, connect_args={"check_same_thread": False, "factory": factory}, **common)
        _configure_sqlite(engine, settings.sqlite_busy_timeout_ms)
        return engine
    engine = create_engine(url, **common)
    _ping_when_idle(engine)
    return engine


# A pooled connection unused for this long is pinged before it is handed out.
PING_AFTER_IDLE_SECONDS = 10.0


def _ping_when_idle(engine: Engine) -> None:
    """Check a connection that sat idle in the pool before handing it out, and replace it when
    the server no longer answers (PostgreSQL restarted, a proxy closed it).

    SQLAlchemy's pool_pre_ping does this on every checkout: a round trip per request, a fifth of
    an answer save's cost on PostgreSQL. A connection in steady use is known to be alive, so only
    one that has rested is pinged. Should the server restart under load, requests that were
    using its connections fail once (an error response, nothing acknowledged) and SQLAlchemy
    drops the whole pool on that first disconnect, so the next requests connect afresh."""

    @event.listens_for(engine, "checkin")
    def _rested_from(_dbapi_connection: Any, record: Any) -> None:
        record.info["checked_in"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        checked_in = record.info.get("checked_in")
        if checked_in is None or time.monotonic() - checked_in < PING_AFTER_IDLE_SECONDS:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:
            # The pool retries the checkout with a new connection.
            raise DisconnectionError from exc
        if not alive:
            raise DisconnectionError


@lru_cache
def get_engine(url: str | None = None) -> Engine:
    return make_engine(url or get_settings().database_url)


@lru_cache
def get_sessionmaker(url: str | None = None) -> sessionmaker[Session]:
    return sessionmaker(bind=get_engine(url), expire_on_commit=False)


# What the database may refuse in a request that is otherwise fine: a lost race, a locked
# database, or a value it cannot store (PostgreSQL refuses a NUL in text, and text longer than
# its column) that got past the checks before it.
REFUSED = (IntegrityError, OperationalError, DataError)


def as_domain_error(
    exc: IntegrityError | OperationalError | DataError,
) -> Conflict | Unavailable | InvalidInput:
    """A lost race, a locked database or an unstorable value as the domain error the user is
    told about. It is logged (the driver's message and the statement, never its parameters)
    for the operator."""
    statement = " ".join((exc.statement or "").split())[:120]
    log.warning("database refused a request (%s): %s [%s]", type(exc).__name__, exc.orig, statement)
    if isinstance(exc, IntegrityError):
        return Conflict("The change conflicts with data saved at the same time; try again.")
    if isinstance(exc, DataError):
        return InvalidInput("A value is too long or holds a character that cannot be stored.")
    return Unavailable("The database is busy; try again in a moment.")


def commit_or_raise(session: Session) -> None:
    """Commit, turning a lost race or a locked database into a domain error, not a crash."""
    try:
        session.commit()
    except REFUSED as exc:
        session.rollback()
        raise as_domain_error(exc) from exc


def end_after_error(session: Session, error: BaseException) -> None:
    """End a unit of work that raised: roll back, unless the error is a domain error that keeps
    its changes, which are then committed."""
    if isinstance(error, DomainError) and error.keep_changes:
        commit_or_raise(session)
    else:
        session.rollback()


def _sqlite_write_lock(session: Session) -> bool:
    """On SQLite, take the database's write lock now (as a write would); False on PostgreSQL."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return False
    dbapi_connection = connection.connection.dbapi_connection
    assert dbapi_connection is not None
    if not dbapi_connection.in_transaction:
        _begin_immediate(dbapi_connection)
    return True


def get_locked(session: Session, entity: type[_Row], ident: int) -> _Row | None:
    """Load a row already held as lock_row holds it, in one read instead of a read and a
    reload: on SQLite after taking the write lock, on PostgreSQL with FOR NO KEY UPDATE."""
    session.flush()
    if _sqlite_write_lock(session):
        return session.get(entity, ident, populate_existing=True)
    return session.get(entity, ident, populate_existing=True, with_for_update={"key_share": True})


def lock_row(session: Session, instance: object) -> None:
    """Hold `instance`'s row until the transaction ends, and reload it as last committed, so a
    check made next cannot be overtaken by a concurrent writer: SELECT … FOR NO KEY UPDATE on
    PostgreSQL; on SQLite, which locks the whole database for writing, the write lock.

    FOR NO KEY UPDATE is the lock an UPDATE of the row takes. A transaction that updated the row
    already holds it; asking for the stronger FOR UPDATE then would queue behind any other
    transaction waiting for the row, which waits for us: a deadlock."""
    session.flush()
    if _sqlite_write_lock(session):
        session.refresh(instance)
    else:
        session.refresh(instance, with_for_update={"key_share": True})


def serialise(session: Session, topic: str) -> None:
    """Make the transactions that call this with the same topic run one after another, from
    here to their end: a transaction-scoped advisory lock on PostgreSQL, the write lock on
    SQLite. For work that plans from what it reads and has no single row to lock."""
    if not _sqlite_write_lock(session):
        key = int.from_bytes(hashlib.sha256(topic.encode()).digest()[:8], "big", signed=True)
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


@contextmanager
def transaction() -> Iterator[Session]:
    """One unit of work: commit when the block succeeds, roll back when it raises."""
    session = get_sessionmaker()()
    try:
        yield session
        commit_or_raise(session)
    except BaseException as exc:
        end_after_error(session, exc)
        raise
    finally:
        session.close()
