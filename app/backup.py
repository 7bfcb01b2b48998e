"""Backing up and restoring the whole database: SQLite through its online backup API, PostgreSQL
through pg_dump / pg_restore in custom format. Knows nothing of the domains."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import URL, make_url

from app.db import make_engine

SQLITE_HEADER = b"SQLite format 3\x00"
PG_HEADER = b"PGDMP"


class BackupError(RuntimeError):
    """A backup or restore that cannot be done; the message says why, for the operator."""


@dataclass(frozen=True)
class Summary:
    tables: int
    rows: int | None  # None when counting would mean reading the dump (PostgreSQL)
    size: int
    revision: str | None


def _sqlite_file(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("An in-memory SQLite database cannot be backed up.")
    return Path(url.database)


def _is_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite"


def _code_revisions() -> tuple[set[str], str]:
    from alembic.script import ScriptDirectory

    from app.migrate import alembic_config

    script = ScriptDirectory.from_config(alembic_config())
    head = script.get_current_head()
    assert head is not None
    return {rev.revision for rev in script.walk_revisions()}, head


def check_revision(revision: str | None) -> bool:
    """Refuses a backup made by newer code; True when it is older than the code (needs upgrade)."""
    known, head = _code_revisions()
    if revision is None:
        raise BackupError(
            "The backup has no migration revision (alembic_version); it is not a Học Số backup."
        )
    if revision not in known:
        raise BackupError(
            f"The backup is at migration revision {revision}, which this version of Học Số does not "
            "know (it was made by a newer version). Restore it with that version."
        )
    return revision != head


# SQLite ---------------------------------------------------------------------------------------


def _sqlite_summary(path: Path) -> Summary:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        names = [
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        # The names come from sqlite_master, not from input.
        counts = [f'SELECT count(*) FROM "{name}"' for name in names]  # noqa: S608
        rows = sum(conn.execute(query).fetchone()[0] for query in counts)
        revision = None
        if "alembic_version" in names:
            found = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = found[0] if found else None
    conn.close()
    return Summary(tables=len(names), rows=rows, size=path.stat().st_size, revision=revision)


def _sqlite_backup(source: Path, target: Path) -> None:
    if not source.exists():
        raise BackupError(f"The database file {source} does not exist.")
    fd, tmp_name = tempfile.mkstemp(prefix=".hocso-backup-", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        src = sqlite3.connect(source)
        dst = sqlite3.connect(tmp)
        try:
            # pages=-1 copies everything in one step under one read snapshot: in WAL mode the app
            # keeps writing meanwhile and the copy is the database as of one commit.
            src.backup(dst, pages=-1)
            # A self-contained single file: no -wal beside it is needed to read the copy.
            dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
            src.close()
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def _sqlite_restore(backup: Path, target: Path) -> None:
    with backup.open("rb") as handle:
        if handle.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise BackupError(f"{backup} is not a SQLite backup of Học Số.")
    src = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    dst = sqlite3.connect(target, timeout=30)
    try:
        # The backup API writes the live file inside one write transaction of the destination:
        # connections the app holds open see the restored contents, and a failure midway
        # leaves the database as it was.
        src.backup(dst, pages=-1)
    except sqlite3.Error as exc:
        raise BackupError(f"Restoring from {backup} failed, the database is unchanged: {exc}") from exc
    finally:
        dst.close()
        src.close()


# PostgreSQL -----------------------------------------------------------------------------------


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq URI without the password, and an environment that carries it (never argv)."""
    uri = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    return uri, env


def _run(args: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    # Arguments are a list (no shell); the tools are found on PATH, the paths are the operator's.
    return subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603


def _major(version_text: str) -> int:
    found = re.search(r"(\d+)(?:\.\d+)?", version_text)
    if found is None:
        raise BackupError(f"Cannot read a version from {version_text!r}.")
    return int(found.group(1))


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} is not on PATH. Install the PostgreSQL client tools (Debian: postgresql-client) "
            "of the server's major version or newer."
        )
    return found


def _check_pg_dump(url: URL) -> str:
    pg_dump = _tool("pg_dump")
    tool_major = _major(_run([pg_dump, "--version"]).stdout)
    engine = make_engine(url.render_as_string(hide_password=False))
    try:
        with engine.connect() as conn:
            server_major = int(conn.execute(text("SHOW server_version_num")).scalar_one()) // 10000
    finally:
        engine.dispose()
    if tool_major < server_major:
        raise BackupError(
            f"pg_dump is version {tool_major} but the server is version {server_major}; "
            f"install pg_dump {server_major} or newer."
        )
    return pg_dump


def _pg_revision(pg_restore: str, backup: Path) -> str | None:
    listed = _run([pg_restore, "--list", str(backup)])
    if listed.returncode != 0:
        raise BackupError(f"{backup} is not a PostgreSQL backup of Học Số: {listed.stderr.strip()}")
    data = _run(
        [pg_restore, "--data-only", "--table=alembic_version", "--file=-", str(backup)],
    )
    lines = data.stdout.splitlines()
    for index, line in enumerate(lines):
        if line.startswith("COPY ") and "alembic_version" in line and index + 1 < len(lines):
            value = lines[index + 1]
            return None if value == "\\." else value.strip()
    return None


def _pg_tables(pg_restore: str, backup: Path) -> int:
    listed = _run([pg_restore, "--list", str(backup)])
    return sum(1 for line in listed.stdout.splitlines() if " TABLE DATA " in line)


def _pg_table_names(pg_restore: str, backup: Path) -> set[str]:
    # A --list line for a table: "218; 1259 16390 TABLE public audit_events owner".
    listed = _run([pg_restore, "--list", str(backup)]).stdout.splitlines()
    return {line.split()[5] for line in listed if len(line.split()) > 5 and line.split()[3] == "TABLE"}


def _drop_tables_not_in(url: URL, kept: set[str]) -> None:
    """pg_restore --clean drops only what the backup has: tables added by later migrations would
    stay and make `hocso db upgrade` fail, so they go too (as SQLite's whole-file copy does)."""
    engine = make_engine(url.render_as_string(hide_password=False))
    try:
        with engine.begin() as conn:
            present = conn.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
            ).scalars()
            for name in sorted(set(present) - kept):
                conn.execute(text(f'DROP TABLE IF EXISTS "{name}" CASCADE'))
    finally:
        engine.dispose()


def _pg_backup(url: URL, target: Path) -> Summary:
    pg_dump = _check_pg_dump(url)
    uri, env = _libpq(url)
    fd, tmp_name = tempfile.mkstemp(prefix=".hocso-backup-", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        # pg_dump reads in one repeatable-read snapshot: consistent while the app writes.
        done = _run([pg_dump, "--format=custom", f"--file={tmp}", f"--dbname={uri}"], env)
        if done.returncode != 0:
            raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    pg_restore = _tool("pg_restore")
    return Summary(
        tables=_pg_tables(pg_restore, target),
        rows=None,
        size=target.stat().st_size,
        revision=_pg_revision(pg_restore, target),
    )


def _pg_restore(url: URL, backup: Path) -> Summary:
    pg_restore = _tool("pg_restore")
    with backup.open("rb") as handle:
        if handle.read(len(PG_HEADER)) != PG_HEADER:
            raise BackupError(f"{backup} is not a PostgreSQL backup of Học Số (pg_dump --format=custom).")
    revision = _pg_revision(pg_restore, backup)
    check_revision(revision)
    uri, env = _libpq(url)
    done = _run(
        [
            pg_restore,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={uri}",
            str(backup),
        ],
        env,
    )
    if done.returncode != 0:
        raise BackupError(f"pg_restore failed, the database is unchanged: {done.stderr.strip()}")
    _drop_tables_not_in(url, _pg_table_names(pg_restore, backup))
    return Summary(
        tables=_pg_tables(pg_restore, backup), rows=None, size=backup.stat().st_size, revision=revision
    )


# Entry points ---------------------------------------------------------------------------------


def backup(database_url: str, target: Path) -> Summary:
    """Writes a consistent copy of the database to target (atomically: a temp file, then rename)."""
    url = make_url(database_url)
    target = target.resolve()
    if not target.parent.is_dir():
        raise BackupError(f"The folder {target.parent} does not exist.")
    if _is_sqlite(url):
        _sqlite_backup(_sqlite_file(url), target)
        return _sqlite_summary(target)
    return _pg_backup(url, target)


def restore(database_url: str, source: Path) -> tuple[Summary, bool]:
    """Replaces the database's contents with the backup; (summary, whether `db upgrade` is due)."""
    url = make_url(database_url)
    if not source.is_file():
        raise BackupError(f"{source} does not exist.")
    if _is_sqlite(url):
        with source.open("rb") as handle:
            if handle.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
                raise BackupError(f"{source} is not a SQLite backup of Học Số.")
        try:
            summary = _sqlite_summary(source)
        except sqlite3.Error as exc:
            raise BackupError(f"{source} is not a readable SQLite backup: {exc}") from exc
        older = check_revision(summary.revision)
        _sqlite_restore(source, _sqlite_file(url))
        return summary, older
    summary = _pg_restore(url, source)
    return summary, summary.revision != _code_revisions()[1]
