"""an index on runs by start time: a club's week board reads the week's runs

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-07 13:50:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0034"
down_revision = "0033"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_runs_start_time", "runs", ["start_time"])


def downgrade():
    op.drop_index("ix_runs_start_time", table_name="runs")
