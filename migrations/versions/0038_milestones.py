"""milestones: earned automatically, once, with the run that earned them

Revision ID: 0038
Revises: 0037
Create Date: 2026-12-07 21:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0038'
down_revision = '0037'
branch_labels = None
depends_on = None

KINDS = (
    "'first_run', 'first_5k', 'first_10k', 'first_half', 'first_marathon', 'total_100',"
    " 'total_500', 'total_1000', 'total_5000', 'longest_run', 'streak_4', 'streak_12',"
    " 'streak_26', 'streak_52', 'first_group_run', 'first_challenge', 'goal_reached',"
    " 'club_anniversary'"
)
def upgrade():
    op.create_table('milestones',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('earned_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN (" + KINDS + ")", name=op.f('ck_milestones_kind_known')),
    sa.CheckConstraint(
        "kind IN ('goal_reached', 'first_challenge') OR run_id IS NOT NULL",
        name=op.f('ck_milestones_run_earns_it'),
    ),
    sa.ForeignKeyConstraint(['run_id'], ['runs.id'], name=op.f('fk_milestones_run_id_runs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_milestones_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_milestones')),
    sa.UniqueConstraint('user_id', 'kind', 'key', name=op.f('uq_milestones_user_id_kind_key'))
    )
    with op.batch_alter_table('milestones', schema=None) as batch_op:
        batch_op.create_index('ix_milestones_run_id', ['run_id'], unique=False)


def downgrade():
    with op.batch_alter_table('milestones', schema=None) as batch_op:
        batch_op.drop_index('ix_milestones_run_id')
    op.drop_table('milestones')
