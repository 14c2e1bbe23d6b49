"""runs per week range

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01 11:25:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    # The form's rule (1 to 14 runs a week) held by the database too.
    with op.batch_alter_table('challenges') as batch:
        batch.create_check_constraint(
            'runs_per_week_range', 'runs_per_week IS NULL OR runs_per_week BETWEEN 1 AND 14'
        )


def downgrade():
    with op.batch_alter_table('challenges') as batch:
        batch.drop_constraint(op.f('ck_challenges_runs_per_week_range'), type_='check')
