"""hocso backup / restore: a round trip restores every table row by row, on both backends."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import (
    CheckConstraint,
    Column,
    Connection,
    Engine,
    Enum,
    MetaData,
    Table,
    inspect,
    select,
    text,
)
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from app.backup import BackupError, backup, restore
from app.cli import app
from app.db import UTCDateTime, make_engine
from app.migrate import upgrade_to_head
from app.models import Base
from tests.world import build_world

runner = CliRunner()


def _tables(engine: Engine) -> list[Table]:
    reflected = MetaData()
    reflected.reflect(engine, only=["alembic_version"])
    return [*Base.metadata.sorted_tables, reflected.tables["alembic_version"]]


def _snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    state: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as conn:
        for table in _tables(engine):
            order = list(table.primary_key.columns) or list(table.columns)
            state[table.name] = [tuple(row) for row in conn.execute(select(table).order_by(*order))]
    return state


def _value(column: Column[Any], conn: Connection) -> Any:
    """A plausible value for a column of a table the world leaves empty: an existing row for a
    foreign key, the first allowed value of an enum, something of the column's type otherwise."""
    for fk in column.foreign_keys:
        return conn.execute(select(fk.column).limit(1)).scalar_one()
    kind = column.type
    if isinstance(kind, Enum) and kind.enums:
        return kind.enums[0]
    for check in column.table.constraints:
        # A status or role column checked against the values the code knows (app.db.one_of).
        if isinstance(check, CheckConstraint) and check.name and str(check.name).endswith(f"_{column.name}"):
            return re.findall(r"'([^']+)'", str(check.sqltext))[0]
    if isinstance(kind, UTCDateTime):
        return datetime(2026, 11, 28, 1, 2, 3, tzinfo=UTC)
    try:
        python = kind.python_type
    except NotImplementedError:
        python = str
    if python is bool:
        return True
    if python is int:
        return 1
    if python is float:
        return 1.5
    if python is datetime:
        return datetime(2026, 11, 28, 1, 2, 3, tzinfo=UTC)
    if python is date:
        return date(2026, 11, 28)
    if python is bytes:
        return b"\x00\x01"
    if python is dict:
        return {"k": "v"}
    if python is list:
        return ["v"]
    return f"{column.table.name}-{column.name}"[: getattr(kind, "length", None) or 200]


def _fill(engine: Engine) -> None:
    with Session(engine) as session:
        build_world(session)
        session.commit()
    with engine.begin() as conn:
        for table in Base.metadata.sorted_tables:
            if conn.execute(select(table).limit(1)).first() is not None:
                continue
            row = {
                column.name: _value(column, conn)
                for column in table.columns
                if column is not table.autoincrement_column
                and not (column.nullable and not column.foreign_keys and column.server_default is not None)
            }
            conn.execute(table.insert().values(**row))


@pytest.fixture
def filled(new_database: Callable[[], AbstractContextManager[str]]) -> Any:
    with new_database() as url:
        engine = make_engine(url)
        with engine.begin() as conn:
            upgrade_to_head(conn)
        _fill(engine)
        yield url, engine
        engine.dispose()


def test_round_trip_restores_every_table_row_by_row(filled: Any, tmp_path: Path) -> None:
    url, engine = filled
    before = _snapshot(engine)
    empty = sorted(name for name, rows in before.items() if not rows)
    assert empty == []
    summary = backup(url, tmp_path / "hocso.backup")
    assert summary.revision == before["alembic_version"][0][0]
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events"))
        conn.execute(text("DELETE FROM attempt_answers"))
    assert _snapshot(engine) != before
    restored, older = restore(url, tmp_path / "hocso.backup")
    assert older is False
    assert restored.revision == summary.revision
    assert _snapshot(engine) == before


def test_backup_while_another_thread_writes_is_consistent(filled: Any, tmp_path: Path) -> None:
    url, engine = filled
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE pair_writes (n INTEGER NOT NULL, side INTEGER NOT NULL)"))
    stop = threading.Event()

    def write() -> None:
        n = 0
        while not stop.is_set():
            n += 1
            with engine.begin() as conn:
                conn.execute(text("INSERT INTO pair_writes VALUES (:n, 1)"), {"n": n})
                conn.execute(text("INSERT INTO pair_writes VALUES (:n, 2)"), {"n": n})

    writer = threading.Thread(target=write)
    writer.start()
    try:
        for index in range(3):
            backup(url, tmp_path / f"b{index}")
    finally:
        stop.set()
        writer.join()
    restore(url, tmp_path / "b2")
    with engine.connect() as conn:
        sides = conn.execute(text("SELECT side, count(*) FROM pair_writes GROUP BY side ORDER BY side")).all()
    assert len(sides) in (0, 2)
    if sides:
        assert sides[0][1] == sides[1][1]


def test_restore_refuses_without_yes(engine: Engine, tmp_path: Path) -> None:
    result = runner.invoke(app, ["restore", str(tmp_path / "x")])
    assert result.exit_code == 2
    assert "--yes" in result.output


def test_restore_of_a_garbage_file_fails_clearly_and_changes_nothing(filled: Any, tmp_path: Path) -> None:
    url, engine = filled
    before = _snapshot(engine)
    garbage = tmp_path / "garbage"
    garbage.write_bytes(b"not a backup at all" * 100)
    with pytest.raises(BackupError, match="is not a"):
        restore(url, garbage)
    assert _snapshot(engine) == before


def test_backup_and_restore_from_the_command_line(engine: Engine, tmp_path: Path) -> None:
    written = runner.invoke(app, ["backup", str(tmp_path / "cli.backup")])
    assert written.exit_code == 0, written.output
    assert "Backup written to" in written.output
    garbage = tmp_path / "garbage"
    garbage.write_text("hello")
    refused = runner.invoke(app, ["restore", str(garbage), "--yes"])
    assert refused.exit_code == 1
    assert "is not a" in refused.output


def _set_revision(engine: Engine, revision: str) -> None:
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = :rev"), {"rev": revision})


def test_backup_from_newer_code_is_refused_and_changes_nothing(filled: Any, tmp_path: Path) -> None:
    url, engine = filled
    head = _snapshot(engine)["alembic_version"][0][0]
    _set_revision(engine, "2099_01_01_future")
    backup(url, tmp_path / "future.backup")
    _set_revision(engine, head)
    before = _snapshot(engine)
    with pytest.raises(BackupError, match="2099_01_01_future, which this version of Học Số does not know"):
        restore(url, tmp_path / "future.backup")
    assert _snapshot(engine) == before


def test_backup_from_older_code_is_restored_and_asks_for_an_upgrade(filled: Any, tmp_path: Path) -> None:
    from alembic.script import ScriptDirectory

    from app.migrate import alembic_config

    url, engine = filled
    script = ScriptDirectory.from_config(alembic_config())
    head = script.get_current_head()
    assert head is not None
    previous = script.get_revision(head).down_revision
    assert isinstance(previous, str)
    _set_revision(engine, previous)
    backup(url, tmp_path / "old.backup")
    _set_revision(engine, head)
    summary, older = restore(url, tmp_path / "old.backup")
    assert (summary.revision, older) == (previous, True)
    assert _snapshot(engine)["alembic_version"] == [(previous,)]


def test_backup_of_the_other_kind_of_database_is_refused(filled: Any, tmp_path: Path) -> None:
    url, _engine = filled
    other = tmp_path / "other.backup"
    other.write_bytes(
        b"PGDMP" + b"\x00" * 200 if url.startswith("sqlite") else b"SQLite format 3\x00" + b"\x00" * 200
    )
    with pytest.raises(BackupError, match="is not a"):
        restore(url, other)


def test_restore_removes_tables_the_backup_does_not_have(filled: Any, tmp_path: Path) -> None:
    url, engine = filled
    backup(url, tmp_path / "before.backup")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE added_later (n INTEGER)"))
    restore(url, tmp_path / "before.backup")
    assert "added_later" not in inspect(engine).get_table_names()


def test_a_missing_or_too_old_pg_dump_is_named_and_sqlite_needs_none(
    filled: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, _engine = filled
    tools = tmp_path / "bin"
    tools.mkdir()
    monkeypatch.setenv("PATH", str(tools))
    if url.startswith("sqlite"):
        backup(url, tmp_path / "sqlite.backup")
        assert (tmp_path / "sqlite.backup").stat().st_size > 0
        return
    with pytest.raises(BackupError, match="pg_dump is not on PATH"):
        backup(url, tmp_path / "none.backup")
    old = tools / "pg_dump"
    old.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n")
    old.chmod(0o755)
    with pytest.raises(BackupError, match=r"pg_dump is version 9 but the server is version \d+"):
        backup(url, tmp_path / "old.backup")
    assert not (tmp_path / "old.backup").exists()
