"""reflections: a runner's look back at their week, kept with a run, one a week

Revision ID: 0039
Revises: 0038
Create Date: 2026-12-07 22:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0039'
down_revision = '0038'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('reflections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('week_start', sa.Date(), nullable=False),
    sa.Column('feeling', sa.SmallInteger(), nullable=False),
    sa.Column('went_well', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('feeling BETWEEN 1 AND 5', name=op.f('ck_reflections_feeling_known')),
    sa.CheckConstraint('length(went_well) <= 500', name=op.f('ck_reflections_went_well_short')),
    sa.ForeignKeyConstraint(['run_id'], ['runs.id'], name=op.f('fk_reflections_run_id_runs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_reflections_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reflections')),
    sa.UniqueConstraint('run_id', name=op.f('uq_reflections_run_id')),
    sa.UniqueConstraint('user_id', 'week_start', name=op.f('uq_reflections_user_id_week_start'))
    )


def downgrade():
    op.drop_table('reflections')
