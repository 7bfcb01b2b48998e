"""A staged roster keeps the columns chosen on the mapping page, and what its import did for the
page that follows the confirmation.

Revision ID: 2026_12_03_roster_upload_columns
Revises: 2026_12_03_password_resets
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "2026_12_03_roster_upload_columns"
down_revision: str | None = "2026_12_03_password_resets"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("roster_uploads", sa.Column("fields", sa.JSON(none_as_null=True), nullable=True))
    op.add_column("roster_uploads", sa.Column("outcome", sa.JSON(none_as_null=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("roster_uploads") as batch:
        batch.drop_column("outcome")
        batch.drop_column("fields")
