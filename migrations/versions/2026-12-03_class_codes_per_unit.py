"""A class code is unique within its owner unit, not across the site: a coordinator choosing
"K1-2026" is no longer refused because another unit chose it first, and the refusal no longer
tells them what other units have named their classes.

Existing codes are unique across the site, so they are unique per unit too; nothing to check.
On SQLite the table is rebuilt with foreign keys off (see migrations/env.py).

Revision ID: 2026_12_03_class_codes_per_unit
Revises: 2026_12_03_status_checks
Create Date: 2026-12-03
"""

from collections.abc import Sequence

from alembic import op

revision: str = "2026_12_03_class_codes_per_unit"
down_revision: str | None = "2026_12_03_status_checks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("classrooms") as batch:
        batch.drop_constraint(op.f("uq_classrooms_code"), type_="unique")
        batch.create_unique_constraint(op.f("uq_classrooms_owner_unit_id_code"), ["owner_unit_id", "code"])
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        broken = bind.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"Rebuilding the classrooms table broke foreign keys: {broken[:10]}")


def downgrade() -> None:
    # Fails, as it should, once two units use the same code.
    with op.batch_alter_table("classrooms") as batch:
        batch.drop_constraint(op.f("uq_classrooms_owner_unit_id_code"), type_="unique")
        batch.create_unique_constraint(op.f("uq_classrooms_code"), ["code"])
