"""Uploaded course zips kept between preview and import.

Revision ID: 2026_11_28_course_uploads
Revises: 2026_11_27_progress
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "2026_11_28_course_uploads"
down_revision: str | None = "2026_11_27_progress"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "course_uploads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("course_slug", sa.String(length=80), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_course_uploads_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_course_uploads")),
    )
    with op.batch_alter_table("course_uploads", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_course_uploads_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_course_uploads_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("course_uploads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_course_uploads_user_id"))
        batch_op.drop_index(batch_op.f("ix_course_uploads_created_at"))

    op.drop_table("course_uploads")
