"""Quiz attempts indexed by their round: a class roster reads the best score of each of its
officers' rounds, and without this index it read every graded attempt of the course's quizzes.

Revision ID: 2026_12_03_attempts_by_round
Revises: 2026_12_03_roster_upload_columns
Create Date: 2026-12-03
"""

from collections.abc import Sequence

from alembic import op

revision: str = "2026_12_03_attempts_by_round"
down_revision: str | None = "2026_12_03_roster_upload_columns"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(op.f("ix_quiz_attempts_cycle_id"), "quiz_attempts", ["cycle_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_quiz_attempts_cycle_id"), table_name="quiz_attempts")
