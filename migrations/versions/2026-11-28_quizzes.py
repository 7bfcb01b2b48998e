"""Quiz settings, attempts, saved answers and class overrides.

Revision ID: 2026_11_28_quizzes
Revises: 2026_11_28_notifications
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "2026_11_28_quizzes"
down_revision: str | None = "2026_11_28_notifications"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "quiz_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("quiz_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("classroom_id", sa.Integer(), nullable=True),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deadline_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_by", sa.String(length=10), nullable=True),
        sa.Column("points", sa.Float(), nullable=True),
        sa.Column("max_points", sa.Float(), nullable=True),
        sa.Column("score_percent", sa.Float(), nullable=True),
        sa.Column("passed", sa.Boolean(), nullable=True),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("layout", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["classroom_id"], ["classrooms.id"], name=op.f("fk_quiz_attempts_classroom_id_classrooms")
        ),
        sa.ForeignKeyConstraint(
            ["cycle_id"], ["progress_cycles.id"], name=op.f("fk_quiz_attempts_cycle_id_progress_cycles")
        ),
        sa.ForeignKeyConstraint(["quiz_id"], ["quizzes.id"], name=op.f("fk_quiz_attempts_quiz_id_quizzes")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_quiz_attempts_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quiz_attempts")),
        sa.UniqueConstraint(
            "user_id",
            "quiz_id",
            "cycle_id",
            "number",
            name=op.f("uq_quiz_attempts_user_id_quiz_id_cycle_id_number"),
        ),
    )
    with op.batch_alter_table("quiz_attempts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_quiz_attempts_classroom_id"), ["classroom_id"], unique=False)
        batch_op.create_index("ix_quiz_attempts_quiz_id_status", ["quiz_id", "status"], unique=False)
        batch_op.create_index("ix_quiz_attempts_status_deadline_at", ["status", "deadline_at"], unique=False)
        batch_op.create_index(
            "uq_quiz_attempts_one_open",
            ["user_id", "quiz_id"],
            unique=True,
            sqlite_where=sa.text("status = 'open'"),
            postgresql_where=sa.text("status = 'open'"),
        )

    op.create_table(
        "quiz_overrides",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("classroom_id", sa.Integer(), nullable=False),
        sa.Column("quiz_id", sa.Integer(), nullable=False),
        sa.Column("pass_mark", sa.Integer(), nullable=True),
        sa.Column("time_limit_minutes", sa.Integer(), nullable=True),
        sa.Column("max_attempts", sa.Integer(), nullable=True),
        sa.Column("grading", sa.String(length=10), nullable=True),
        sa.Column("draw_count", sa.Integer(), nullable=True),
        sa.Column("shuffle_questions", sa.Boolean(), nullable=True),
        sa.Column("shuffle_choices", sa.Boolean(), nullable=True),
        sa.Column("review", sa.String(length=20), nullable=True),
        sa.Column("opens_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["classroom_id"], ["classrooms.id"], name=op.f("fk_quiz_overrides_classroom_id_classrooms")
        ),
        sa.ForeignKeyConstraint(["quiz_id"], ["quizzes.id"], name=op.f("fk_quiz_overrides_quiz_id_quizzes")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quiz_overrides")),
        sa.UniqueConstraint("classroom_id", "quiz_id", name=op.f("uq_quiz_overrides_classroom_id_quiz_id")),
    )
    op.create_table(
        "attempt_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("answer", sa.JSON(), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("credit", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["attempt_id"], ["quiz_attempts.id"], name=op.f("fk_attempt_answers_attempt_id_quiz_attempts")
        ),
        sa.ForeignKeyConstraint(
            ["question_id"], ["questions.id"], name=op.f("fk_attempt_answers_question_id_questions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attempt_answers")),
        sa.UniqueConstraint(
            "attempt_id", "question_id", name=op.f("uq_attempt_answers_attempt_id_question_id")
        ),
    )
    with op.batch_alter_table("attempt_answers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attempt_answers_question_id"), ["question_id"], unique=False)

    with op.batch_alter_table("quizzes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("time_limit_minutes", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("max_attempts", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("grading", sa.String(length=10), server_default="highest", nullable=False)
        )
        batch_op.add_column(sa.Column("draw_count", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("shuffle_questions", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("shuffle_choices", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("review", sa.String(length=20), server_default="immediately", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("quizzes", schema=None) as batch_op:
        batch_op.drop_column("review")
        batch_op.drop_column("shuffle_choices")
        batch_op.drop_column("shuffle_questions")
        batch_op.drop_column("draw_count")
        batch_op.drop_column("grading")
        batch_op.drop_column("max_attempts")
        batch_op.drop_column("time_limit_minutes")

    with op.batch_alter_table("attempt_answers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attempt_answers_question_id"))

    op.drop_table("attempt_answers")
    op.drop_table("quiz_overrides")
    with op.batch_alter_table("quiz_attempts", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_quiz_attempts_one_open",
            sqlite_where=sa.text("status = 'open'"),
            postgresql_where=sa.text("status = 'open'"),
        )
        batch_op.drop_index("ix_quiz_attempts_status_deadline_at")
        batch_op.drop_index("ix_quiz_attempts_quiz_id_status")
        batch_op.drop_index(batch_op.f("ix_quiz_attempts_classroom_id"))

    op.drop_table("quiz_attempts")
