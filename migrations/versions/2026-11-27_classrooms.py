"""Classes, enrolments and assignment batches.

Revision ID: 2026_11_27_classrooms
Revises: 2026_11_27_api_tokens
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "2026_11_27_classrooms"
down_revision: str | None = "2026_11_27_api_tokens"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "classrooms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=50), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("owner_unit_id", sa.Integer(), nullable=False),
        sa.Column("opens_on", sa.Date(), nullable=False),
        sa.Column("closes_on", sa.Date(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("self_enrol", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["course_id"], ["courses.id"], name=op.f("fk_classrooms_course_id_courses")),
        sa.ForeignKeyConstraint(
            ["owner_unit_id"], ["org_units.id"], name=op.f("fk_classrooms_owner_unit_id_org_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_classrooms")),
        sa.UniqueConstraint("code", name=op.f("uq_classrooms_code")),
    )
    with op.batch_alter_table("classrooms", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_classrooms_course_id"), ["course_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_classrooms_owner_unit_id"), ["owner_unit_id"], unique=False)

    op.create_table(
        "assignment_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("classroom_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("undone_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["classroom_id"], ["classrooms.id"], name=op.f("fk_assignment_batches_classroom_id_classrooms")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignment_batches")),
    )
    with op.batch_alter_table("assignment_batches", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assignment_batches_classroom_id"), ["classroom_id"], unique=False
        )

    op.create_table(
        "enrolments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("classroom_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("enrolled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("enrolled_by_id", sa.Integer(), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_by_id", sa.Integer(), nullable=True),
        sa.Column("withdrawn_reason", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["assignment_batches.id"], name=op.f("fk_enrolments_batch_id_assignment_batches")
        ),
        sa.ForeignKeyConstraint(
            ["classroom_id"], ["classrooms.id"], name=op.f("fk_enrolments_classroom_id_classrooms")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_enrolments_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrolments")),
        sa.UniqueConstraint("classroom_id", "user_id", name=op.f("uq_enrolments_classroom_id_user_id")),
    )
    with op.batch_alter_table("enrolments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_enrolments_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index("ix_enrolments_user_id_status", ["user_id", "status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("enrolments", schema=None) as batch_op:
        batch_op.drop_index("ix_enrolments_user_id_status")
        batch_op.drop_index(batch_op.f("ix_enrolments_batch_id"))

    op.drop_table("enrolments")
    with op.batch_alter_table("assignment_batches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assignment_batches_classroom_id"))

    op.drop_table("assignment_batches")
    with op.batch_alter_table("classrooms", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_classrooms_owner_unit_id"))
        batch_op.drop_index(batch_op.f("ix_classrooms_course_id"))

    op.drop_table("classrooms")
