"""The request owns the transaction: a commit that fails is an error response, never a success."""

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from anyio import CapacityLimiter, to_thread
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, delete, event, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from app.courses.models import Course
from app.db import _WriteLockedConnection, make_engine
from app.errors import Conflict
from app.http.session import SessionDep
from app.main import create_app


def _course(slug: str) -> Course:
    return Course(
        slug=slug,
        version=1,
        language="vi",
        title_vi="T",
        title_en="T",
        summary_vi="",
        summary_en="",
        training_minutes=60,
        pass_mark=50,
        completion_lessons="all",
        completion_quizzes="passed",
        content_hash="x",
        search_text="t",
    )


def _duplicate_course(session: Session) -> None:
    session.add_all([_course("trung"), _course("trung")])


@pytest.fixture
def failing_client(client: TestClient) -> Iterator[TestClient]:
    app = client.app
    assert isinstance(app, FastAPI)

    @app.post("/api/v1/_test/duplicate")
    def duplicate(session: SessionDep) -> dict[str, bool]:
        _duplicate_course(session)
        return {"ok": True}

    @app.post("/_test/duplicate")
    def duplicate_page(session: SessionDep) -> dict[str, bool]:
        _duplicate_course(session)
        return {"ok": True}

    yield client


def test_failed_commit_is_a_conflict_in_json(failing_client: TestClient) -> None:
    response = failing_client.post("/api/v1/_test/duplicate")
    assert response.status_code == 409
    assert response.json()["message"] == "The change conflicts with data saved at the same time; try again."


def test_failed_commit_in_a_form_goes_back_with_the_reason(failing_client: TestClient) -> None:
    response = failing_client.post("/_test/duplicate", headers={"referer": "http://testserver/?q=x"})
    assert response.status_code == 303
    assert response.headers["location"] == "/?q=x"
    page = failing_client.get("/?q=x")
    assert "Thay đổi trùng với dữ liệu vừa được lưu cùng lúc; hãy thử lại." in page.text


class TestRealSessionDependency:
    """The production dependency, against the test database, committing for real."""

    @pytest.fixture
    def live_client(self, engine: Engine) -> Iterator[TestClient]:
        app = create_app()

        @app.post("/api/v1/_test/course/{slug}")
        def add_course(session: SessionDep, slug: str) -> dict[str, bool]:
            session.add(_course(slug))
            return {"ok": True}

        @app.post("/api/v1/_test/duplicate")
        def duplicate(session: SessionDep) -> dict[str, bool]:
            _duplicate_course(session)
            return {"ok": True}

        @app.post("/api/v1/_test/duplicate-flushed")
        def duplicate_flushed(session: SessionDep) -> dict[str, bool]:
            session.add(_course("giu-lai"))
            _duplicate_course(session)
            session.flush()
            return {"ok": True}

        @app.post("/api/v1/_test/locked")
        def locked(session: SessionDep) -> dict[str, bool]:
            session.add(_course("bi-khoa"))
            session.flush()
            # What SQLite raises when a read transaction cannot become a write transaction.
            raise OperationalError("INSERT …", {}, Exception("database is locked"))

        @app.post("/api/v1/_test/refused/{keep}")
        def refused(session: SessionDep, keep: bool) -> dict[str, bool]:
            session.add(_course("da-lam"))
            session.flush()
            raise Conflict("Refused after doing some work.", keep_changes=keep)

        @app.get("/api/v1/_test/read-only")
        def read_only(session: SessionDep) -> dict[str, int]:
            return {"n": len(session.scalars(select(Course.id)).all())}

        with TestClient(app, raise_server_exceptions=False) as client:
            yield client
        with engine.begin() as conn:
            conn.execute(delete(Course))

    def test_success_is_committed_before_the_response(self, live_client: TestClient, engine: Engine) -> None:
        assert live_client.post("/api/v1/_test/course/da-luu").status_code == 200
        with engine.connect() as conn:
            assert conn.scalars(select(Course.slug)).all() == ["da-luu"]

    def test_failed_commit_is_rolled_back_and_reported(self, live_client: TestClient, engine: Engine) -> None:
        response = live_client.post("/api/v1/_test/duplicate")
        assert response.status_code == 409
        with engine.connect() as conn:
            assert conn.scalars(select(Course.slug)).all() == []

    def test_a_conflict_raised_by_a_flush_in_the_handler_is_a_conflict(
        self, live_client: TestClient, engine: Engine
    ) -> None:
        response = live_client.post("/api/v1/_test/duplicate-flushed")
        assert response.status_code == 409
        with engine.connect() as conn:
            assert conn.scalars(select(Course.slug)).all() == []

    def test_a_locked_database_in_the_handler_is_unavailable_not_a_crash(
        self, live_client: TestClient, engine: Engine, caplog: pytest.LogCaptureFixture
    ) -> None:
        response = live_client.post("/api/v1/_test/locked")
        assert response.status_code == 503
        assert response.json()["message"] == "The database is busy; try again in a moment."
        assert "database refused a request (OperationalError): database is locked [INSERT …]" in caplog.text
        with engine.connect() as conn:
            assert conn.scalars(select(Course.slug)).all() == []

    @pytest.mark.parametrize(("keep", "kept"), [(False, []), (True, ["da-lam"])])
    def test_a_refusal_rolls_back_unless_it_keeps_its_changes(
        self, live_client: TestClient, engine: Engine, keep: bool, kept: list[str]
    ) -> None:
        response = live_client.post(f"/api/v1/_test/refused/{str(keep).lower()}")
        assert response.status_code == 409
        with engine.connect() as conn:
            assert conn.scalars(select(Course.slug)).all() == kept

    def test_reading_needs_no_commit(self, live_client: TestClient) -> None:
        assert live_client.get("/api/v1/_test/read-only").json() == {"n": 0}


def test_oversized_bodies_are_refused_before_parsing(client: TestClient) -> None:
    response = client.post(
        "/login",
        content=b"x" * (20 * 1024 * 1024 + 1),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 413


class TestSqliteWriters:
    """SQLite takes the write lock before a transaction's first write, so writers queue for it
    (up to the busy timeout) instead of failing when another connection wrote meanwhile."""

    @pytest.fixture
    def sqlite_engine(self, tmp_path: Path) -> Iterator[Engine]:
        engine = make_engine(f"sqlite:///{tmp_path / 'writers.db'}")
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE t (x INTEGER)"))
        yield engine
        engine.dispose()

    def test_a_transaction_that_read_before_another_commit_can_still_write(
        self, sqlite_engine: Engine
    ) -> None:
        with sqlite_engine.connect() as reader, sqlite_engine.connect() as writer:
            assert reader.execute(text("SELECT count(*) FROM t")).scalar() == 0
            writer.execute(text("INSERT INTO t VALUES (1)"))
            writer.commit()
            # With a deferred BEGIN this read a stale snapshot and failed at once: database is locked.
            reader.execute(text("INSERT INTO t VALUES (2)"))
            reader.commit()
            assert reader.execute(text("SELECT count(*) FROM t")).scalar() == 2

    def test_a_writer_waits_for_the_lock_held_by_another(self, sqlite_engine: Engine) -> None:
        with sqlite_engine.connect() as first, sqlite_engine.connect() as second:
            second.execute(text("SELECT count(*) FROM t")).all()
            first.execute(text("INSERT INTO t VALUES (1)"))
            releasing = threading.Timer(0.2, first.commit)
            releasing.start()
            started = time.monotonic()
            second.execute(text("INSERT INTO t VALUES (2)"))
            second.commit()
            releasing.join()
            assert time.monotonic() - started >= 0.15
            assert second.execute(text("SELECT count(*) FROM t")).scalar() == 2

    def test_the_lock_is_given_back_by_a_commit_a_rollback_and_a_close(self, sqlite_engine: Engine) -> None:
        with sqlite_engine.connect() as other:
            for end in ("commit", "rollback", "close"):
                conn = sqlite_engine.connect()
                conn.execute(text("INSERT INTO t VALUES (1)"))
                getattr(conn, end)()
                # Taken at once: a lock still held would wait for the busy timeout (20 s).
                other.execute(text("INSERT INTO t VALUES (2)"))
                other.commit()
                conn.close()
            # The committed row and the three of the other connection.
            assert other.execute(text("SELECT count(*) FROM t")).scalar() == 4

    def test_a_writer_gives_up_after_the_busy_timeout_with_sqlites_own_error(
        self, sqlite_engine: Engine
    ) -> None:
        with sqlite_engine.connect() as first, sqlite_engine.connect() as second:
            first.execute(text("INSERT INTO t VALUES (1)"))
            connection_class = type(second.connection.dbapi_connection)
            assert issubclass(connection_class, _WriteLockedConnection)
            connection_class.lock_timeout = 0.2
            with pytest.raises(OperationalError, match="database is locked"):
                second.execute(text("INSERT INTO t VALUES (2)"))
            second.rollback()
            first.commit()
            second.execute(text("INSERT INTO t VALUES (2)"))
            second.commit()
            assert second.execute(text("SELECT count(*) FROM t")).scalar() == 2

    def test_many_writers_at_once_all_write(self, sqlite_engine: Engine) -> None:
        def write(n: int) -> None:
            for i in range(20):
                with sqlite_engine.begin() as conn:
                    conn.execute(text("INSERT INTO t VALUES (:x)"), {"x": n * 100 + i})

        threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        with sqlite_engine.connect() as conn:
            assert conn.execute(text("SELECT count(DISTINCT x) FROM t")).scalar() == 160


def test_a_handler_s_work_is_committed_in_the_thread_that_ran_it(client: TestClient) -> None:
    """The route class commits where the handler ran, before the session dependency resumes on
    the event loop, so a transaction's locks are not held across a second hand-off."""
    app = client.app
    assert isinstance(app, FastAPI)
    threads: dict[str, int] = {}

    @app.post("/api/v1/_test/where")
    def where(session: SessionDep) -> dict[str, bool]:
        threads["handler"] = threading.get_ident()
        event.listen(session, "after_commit", lambda _s: threads.setdefault("commit", threading.get_ident()))
        session.add(_course("o-day"))
        return {"ok": True}

    assert client.post("/api/v1/_test/where").status_code == 200
    assert threads["commit"] == threads["handler"]


@pytest.mark.alone
def test_requests_wait_for_a_connection_on_the_event_loop_not_in_a_worker_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One pooled connection and one worker thread. Were the second request's handler to take
    the thread and wait there for the connection, the first request could not validate its
    response and commit, which gives the connection back, until the pool's timeout. Sessions
    are admitted on the event loop instead, so both succeed at once."""
    from app.http import session as deps

    engine = create_engine(f"sqlite:///{tmp_path / 'pool.db'}", pool_size=1, max_overflow=0, pool_timeout=2)
    monkeypatch.setattr(deps, "get_sessionmaker", lambda: sessionmaker(bind=engine))
    monkeypatch.setattr(deps, "_ADMITTED", CapacityLimiter(1))
    app = create_app()

    @app.get("/_test/one-handler-thread")
    async def one_handler_thread() -> dict[str, bool]:
        to_thread.current_default_thread_limiter().total_tokens = 1
        return {"ok": True}

    @app.get("/_test/hold")
    def hold(session: SessionDep, seconds: float = 0) -> dict[str, bool]:
        session.execute(text("SELECT 1"))
        time.sleep(seconds)
        return {"ok": True}

    with TestClient(app, raise_server_exceptions=False) as client:
        client.get("/_test/one-handler-thread")
        statuses: list[int] = []
        first = threading.Thread(
            target=lambda: statuses.append(client.get("/_test/hold?seconds=0.6").status_code)
        )
        first.start()
        time.sleep(0.2)
        started = time.monotonic()
        second = client.get("/_test/hold").status_code
        first.join()
    engine.dispose()
    assert (statuses, second) == ([200], 200)
    assert time.monotonic() - started < 1.5


@pytest.mark.postgresql
def test_a_pooled_connection_that_rested_is_checked_and_replaced_if_dead(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a ping on every checkout, a connection the server dropped while it rested in the
    pool must still not reach a request."""
    import app.db

    monkeypatch.setattr(app.db, "PING_AFTER_IDLE_SECONDS", 0.0)
    pooled = make_engine(engine.url.render_as_string(hide_password=False))
    try:
        with pooled.connect() as conn:
            backend = conn.execute(text("SELECT pg_backend_pid()")).scalar()
        with engine.connect() as admin:
            admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
            admin.commit()
        with pooled.connect() as conn:
            assert conn.execute(text("SELECT pg_backend_pid()")).scalar() != backend
    finally:
        pooled.dispose()
