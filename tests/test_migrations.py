import os
import re
import subprocess
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import CheckConstraint, Engine, func, insert, inspect, select, update
from sqlalchemy.exc import IntegrityError

from app.db import make_engine, utcnow
from app.jobs.models import Job, JobChunk
from app.migrate import alembic_config
from app.models import Base
from app.orgs.models import OrgUnit


def test_models_and_migrations_do_not_drift(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_database_is_at_the_single_head(engine: Engine) -> None:
    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1
    with engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_heads() == tuple(script.get_heads())


def test_migration_files_are_named_by_date_and_slug() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    for revision in script.walk_revisions():
        name = revision.path.rsplit("/", 1)[-1]
        assert name[:11].count("-") == 2 and name[10] == "_", name


def _at_revision_before_checks(url: str, *, unit_status: str) -> None:
    """A database one revision before the CHECK constraints, with a unit, and a job whose
    file chunk refers to it with ON DELETE CASCADE (what a careless table rebuild would lose)."""
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            command.upgrade(alembic_config(conn), "2026_11_28_jobs")
            conn.execute(
                insert(OrgUnit).values(
                    id=1, code="T", name="Tỉnh", name_folded="tinh", path="/1/", status=unit_status
                )
            )
            conn.execute(
                insert(Job).values(
                    id=7, kind="reports.enrolments", requester_id=1, status="done", expires_at=utcnow()
                )
            )
            conn.execute(insert(JobChunk).values(job_id=7, seq=0, data=b"x"))
    finally:
        engine.dispose()


def _upgrade_by_command(url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HOCSO_DATABASE_URL": url}
    return subprocess.run(
        [str(Path(sys.executable).parent / "hocso"), "db", "upgrade"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_status_checks_keep_every_row_and_refuse_unknown_values(
    new_database: Callable[[], AbstractContextManager[str]],
) -> None:
    with new_database() as url:
        _at_revision_before_checks(url, unit_status="active")
        done = _upgrade_by_command(url)
        assert done.returncode == 0, done.stderr
        engine = make_engine(url)
        try:
            with engine.connect() as conn:
                assert conn.scalar(select(func.count()).select_from(JobChunk.__table__)) == 1
                assert conn.scalar(select(OrgUnit.__table__.c.status)) == "active"
                if conn.dialect.name == "sqlite":
                    index = conn.exec_driver_sql(
                        "SELECT sql FROM sqlite_master WHERE name = 'uq_quiz_attempts_one_open'"
                    ).scalar_one()
                    assert "WHERE status = 'open'" in index
                    assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
            with pytest.raises(IntegrityError, match="ck_org_units_status"), engine.begin() as conn:
                conn.execute(update(OrgUnit).values(status="gone"))
        finally:
            engine.dispose()


def test_status_checks_stop_on_a_value_the_code_does_not_know(
    new_database: Callable[[], AbstractContextManager[str]],
) -> None:
    with new_database() as url:
        _at_revision_before_checks(url, unit_status="dissolved")
        failed = _upgrade_by_command(url)
        assert failed.returncode != 0
        assert "org_units.status = 'dissolved'" in failed.stderr
        engine = make_engine(url)
        try:
            with engine.connect() as conn:
                assert MigrationContext.configure(conn).get_current_revision() == "2026_11_28_jobs"
                assert conn.scalar(select(func.count()).select_from(JobChunk.__table__)) == 1
        finally:
            engine.dispose()


def test_every_stored_status_and_role_is_checked_by_the_database_as_the_code_defines_it(
    engine: Engine,
) -> None:
    """A value added to an enum without a migration would be refused by the database: the
    migrated CHECK constraints must allow exactly what the models' constraints allow."""
    inspector = inspect(engine)
    expected = {
        (table.name, constraint.name): set(re.findall(r"'([^']+)'", str(constraint.sqltext)))
        for table in Base.metadata.tables.values()
        for constraint in table.constraints
        if isinstance(constraint, CheckConstraint)
    }
    assert len(expected) >= 9
    found = {
        (table, check["name"]): set(re.findall(r"'([^']+)'", check["sqltext"]))
        for table, _ in expected
        for check in inspector.get_check_constraints(table)
    }
    assert found == expected
