"""goal cheers: club-mates cheer a goal shared with their club, once each

Revision ID: 0037
Revises: 0036
Create Date: 2026-12-07 18:49:41.800345

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0037'
down_revision = '0036'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('goal_cheers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('goal_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['goal_id'], ['goals.id'], name=op.f('fk_goal_cheers_goal_id_goals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_goal_cheers_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_goal_cheers')),
    sa.UniqueConstraint('goal_id', 'user_id', name=op.f('uq_goal_cheers_goal_id_user_id'))
    )
    with op.batch_alter_table('goal_cheers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_goal_cheers_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('goal_cheers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_goal_cheers_user_id'))

    op.drop_table('goal_cheers')
