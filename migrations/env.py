"""Alembic environment: runs against the configured database, or a connection handed in."""

from __future__ import annotations

from alembic import context

from app.config import get_settings
from app.db import get_engine
from app.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_offline() -> None:
    context.configure(
        url=get_settings().database_url,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    with get_engine().connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            # SQLite changes a table's constraints only by rebuilding it (copy, drop, rename);
            # with foreign keys on, the drop would delete or refuse the rows that refer to it.
            # The pragma is ignored inside a transaction, so it is set before one begins; a
            # migration that rebuilds tables checks the foreign keys before the commit.
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        try:
            _run(conn)
            conn.commit()
        finally:
            if sqlite:
                conn.exec_driver_sql("PRAGMA foreign_keys=ON")


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
