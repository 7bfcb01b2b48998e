"""Test databases: a fresh SQLite file, or a fresh database on PostgreSQL (a configured server,
or a throwaway cluster started from the Debian binaries)."""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


class PostgresUnavailable(RuntimeError):
    pass


# Live servers take ports from a block of this worker's own (pytest-xdist names workers gw0,
# gw1, …), below the kernel's ephemeral range (32768 up on Linux), so two workers never pick the
# same port and no client connection can be holding one; a port still in use is skipped.
_PORT_BASE = 20000
_PORT_BLOCK = 500
_next_port = itertools.count()


def _worker_index() -> int:
    name = os.environ.get("PYTEST_XDIST_WORKER", "")
    return int(name[2:]) if name.startswith("gw") and name[2:].isdigit() else 0


def free_port() -> int:
    """A port on 127.0.0.1 that no other test worker will hand out and nothing listens on now."""
    base = _PORT_BASE + (_worker_index() * _PORT_BLOCK) % (32768 - _PORT_BASE - _PORT_BLOCK)
    for _ in range(_PORT_BLOCK):
        port = base + next(_next_port) % _PORT_BLOCK
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in 127.0.0.1:{base}-{base + _PORT_BLOCK - 1}")


def _pg_bindir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


@contextmanager
def throwaway_cluster() -> Iterator[str]:
    """initdb + pg_ctl in a temporary folder; yields a server URL, removes everything after."""
    bindir = _pg_bindir()
    if bindir is None:
        raise PostgresUnavailable("no PostgreSQL server binaries under /usr/lib/postgresql")
    workdir = Path(tempfile.mkdtemp(prefix="hocso-pg-"))
    data = workdir / "data"
    run_as: list[str] = []
    if os.geteuid() == 0:
        # initdb refuses to run as root; the Debian package brings a 'postgres' user.
        try:
            user = pwd.getpwnam("postgres")
        except KeyError as exc:
            raise PostgresUnavailable("running as root and no 'postgres' user exists") from exc
        os.chown(workdir, user.pw_uid, user.pw_gid)
        run_as = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    log = workdir / "server.log"
    try:
        subprocess.run(
            [
                *run_as,
                str(bindir / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [
                *run_as,
                str(bindir / "pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(log),
                "-w",
                "-o",
                f"-p {port} -k {workdir} -c listen_addresses=127.0.0.1 -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200",
                "start",
            ],
            check=True,
            capture_output=True,
        )
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*run_as, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"], capture_output=True
        )
        shutil.rmtree(workdir, ignore_errors=True)


@contextmanager
def postgres_server() -> Iterator[str]:
    configured = os.environ.get("HOCSO_TEST_POSTGRES_URL")
    if configured:
        yield configured
        return
    with throwaway_cluster() as url:
        yield url


@contextmanager
def fresh_postgres_database(server_url: str) -> Iterator[str]:
    """CREATE DATABASE with a unique name on the server; DROP it afterwards."""
    name = f"hocso_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0"))
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def fresh_sqlite_database() -> Iterator[str]:
    folder = Path(tempfile.mkdtemp(prefix="hocso-sqlite-"))
    try:
        yield f"sqlite:///{folder / 'test.db'}"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def wait_for_port(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")
