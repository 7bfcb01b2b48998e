"""Progress cycles and lesson completions.

Revision ID: 2026_11_27_progress
Revises: 2026_11_27_classrooms
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "2026_11_27_progress"
down_revision: str | None = "2026_11_27_classrooms"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "progress_cycles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_activity_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["course_id"], ["courses.id"], name=op.f("fk_progress_cycles_course_id_courses")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_progress_cycles_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_progress_cycles")),
        sa.UniqueConstraint(
            "user_id", "course_id", "number", name=op.f("uq_progress_cycles_user_id_course_id_number")
        ),
    )
    with op.batch_alter_table("progress_cycles", schema=None) as batch_op:
        batch_op.create_index(
            "ix_progress_cycles_course_id_completed_at", ["course_id", "completed_at"], unique=False
        )

    op.create_table(
        "lesson_completions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("lesson_id", sa.Integer(), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["cycle_id"], ["progress_cycles.id"], name=op.f("fk_lesson_completions_cycle_id_progress_cycles")
        ),
        sa.ForeignKeyConstraint(
            ["lesson_id"], ["lessons.id"], name=op.f("fk_lesson_completions_lesson_id_lessons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lesson_completions")),
        sa.UniqueConstraint("cycle_id", "lesson_id", name=op.f("uq_lesson_completions_cycle_id_lesson_id")),
    )


def downgrade() -> None:
    op.drop_table("lesson_completions")
    with op.batch_alter_table("progress_cycles", schema=None) as batch_op:
        batch_op.drop_index("ix_progress_cycles_course_id_completed_at")

    op.drop_table("progress_cycles")
