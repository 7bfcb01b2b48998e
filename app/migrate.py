"""Running the Alembic migrations from code (the CLI, the tests and the benchmarks)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection

from app.config import ROOT, get_settings


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade_to_head(connection: Connection | None = None) -> None:
    settings = get_settings()
    if settings.is_sqlite and connection is None:
        db_file = settings.database_url.split("///", 1)[-1]
        if db_file and db_file != ":memory:":
            from pathlib import Path

            Path(db_file).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(connection), "head")


def schema_state(connection: Connection) -> tuple[str | None, str]:
    """(the database's migration revision, or None before the first; the code's head revision)."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    current = MigrationContext.configure(connection).get_current_revision()
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return current, head
