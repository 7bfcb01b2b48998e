"""CHECK constraints on every stored status and role: the database refuses a value the code does
not know (a typo in a script, a hand-edited row), whoever writes it.

A row that already holds an unknown value stops the migration with a message that names the
table, the column and the values, before anything is changed.

SQLite adds a constraint only by rebuilding the table (Alembic's batch mode: copy, drop,
rename). The migration environment turns foreign keys off around the transaction on SQLite, so
dropping a table does not cascade to the rows that refer to it (job chunks would be deleted
with their job); it checks every foreign key before the commit. The values are written out
here rather than read from the code, so that this migration means the same thing after the
code's enums grow.

Revision ID: 2026_12_03_status_checks
Revises: 2026_11_28_jobs
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "2026_12_03_status_checks"
down_revision: str | None = "2026_11_28_jobs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLES = ("coordinator", "hr", "admin")

CHECKS: dict[str, tuple[str, tuple[str, ...]]] = {
    "org_units": ("status", ("active", "closed", "merged")),
    "role_grants": ("role", ROLES),
    "api_tokens": ("role", ROLES),
    "classrooms": ("status", ("open", "closed")),
    "enrolments": ("status", ("active", "withdrawn")),
    "quiz_attempts": ("status", ("open", "graded")),
    "certificates": ("status", ("valid", "revoked")),
    "jobs": ("status", ("queued", "running", "done", "failed")),
    "outbox_messages": ("status", ("pending", "sending", "sent", "failed")),
}


def _allowed(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{value}'" for value in values)


def _refuse_unknown_values() -> None:
    bind = op.get_bind()
    found = []
    for table, (column, values) in CHECKS.items():
        stored: sa.ColumnClause[str] = sa.column(column)
        unknown = bind.execute(
            sa.select(stored).distinct().select_from(sa.table(table)).where(stored.not_in(values))
        ).scalars()
        found += [f"{table}.{column} = {value!r}" for value in unknown]
    if found:
        raise RuntimeError(
            "Rows hold values the application does not know; correct them and migrate again: "
            + "; ".join(found)
        )


def _partial_index_of_open_attempts() -> None:
    # SQLite's rebuild copies indexes from reflection, which may lose an index's WHERE clause;
    # this one must stay partial (at most one OPEN attempt per officer and quiz), so it is
    # made again as it was first made.
    with op.batch_alter_table("quiz_attempts") as batch:
        batch.drop_index("uq_quiz_attempts_one_open")
        batch.create_index(
            "uq_quiz_attempts_one_open",
            ["user_id", "quiz_id"],
            unique=True,
            sqlite_where=sa.text("status = 'open'"),
            postgresql_where=sa.text("status = 'open'"),
        )


def upgrade() -> None:
    _refuse_unknown_values()
    for table, (column, values) in CHECKS.items():
        with op.batch_alter_table(table) as batch:
            batch.create_check_constraint(
                op.f(f"ck_{table}_{column}"), sa.text(f"{column} IN ({_allowed(values)})")
            )
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        _partial_index_of_open_attempts()
        broken = bind.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"Rebuilding tables broke foreign keys: {broken[:10]}")


def downgrade() -> None:
    for table, (column, _values) in reversed(CHECKS.items()):
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(op.f(f"ck_{table}_{column}"), type_="check")
