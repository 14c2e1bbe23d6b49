"""why I run: a runner's short statement, private unless shown on their profile

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-07 18:50:00.000000

"""

import sqlalchemy as sa
from alembic import op

revision = "0036"
down_revision = "0035"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(
            sa.Column("why_i_run", sa.String(length=280), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("why_i_run_public", sa.Boolean(), server_default="0", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("why_i_run_public")
        batch_op.drop_column("why_i_run")
