"""Uploaded rosters kept between preview and confirmation.

Revision ID: 2026_11_27_roster_uploads
Revises: 2026_11_27_people
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "2026_11_27_roster_uploads"
down_revision: str | None = "2026_11_27_people"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "roster_uploads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("deactivate_missing", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_roster_uploads_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roster_uploads")),
    )
    with op.batch_alter_table("roster_uploads", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_roster_uploads_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("roster_uploads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_roster_uploads_user_id"))

    op.drop_table("roster_uploads")
