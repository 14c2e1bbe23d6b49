"""goals: a runner's own SMART goals (total, weekly, race, habit), steps toward them, shared with a club

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-07 18:15:15.076884

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0035'
down_revision = '0034'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('goals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('club_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('measure', sa.String(length=10), nullable=True),
    sa.Column('target', sa.Float(), nullable=False),
    sa.Column('race_label', sa.String(length=20), nullable=True),
    sa.Column('race_distance_m', sa.Float(), nullable=True),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(kind = 'race' AND race_label IS NOT NULL AND race_distance_m > 0) OR (kind <> 'race' AND race_label IS NULL AND race_distance_m IS NULL)", name=op.f('ck_goals_race_has_distance')),
    sa.CheckConstraint("(kind = 'total' AND measure IS NOT NULL AND measure IN ('distance_m', 'duration_s', 'runs')) OR (kind = 'weekly' AND measure IS NOT NULL AND measure IN ('distance_m', 'duration_s')) OR (kind IN ('race', 'habit') AND measure IS NULL)", name=op.f('ck_goals_measure_fits_kind')),
    sa.CheckConstraint("kind <> 'habit' OR target BETWEEN 1 AND 14", name=op.f('ck_goals_habit_range')),
    sa.CheckConstraint("kind IN ('total', 'weekly', 'race', 'habit')", name=op.f('ck_goals_kind_known')),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_goals_window_not_empty')),
    sa.CheckConstraint('ends_on >= starts_on', name=op.f('ck_goals_ends_after_start')),
    sa.CheckConstraint('target > 0', name=op.f('ck_goals_target_positive')),
    sa.ForeignKeyConstraint(['club_id'], ['clubs.id'], name=op.f('fk_goals_club_id_clubs'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['parent_id'], ['goals.id'], name=op.f('fk_goals_parent_id_goals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_goals_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_goals'))
    )
    with op.batch_alter_table('goals', schema=None) as batch_op:
        batch_op.create_index('ix_goals_club_id', ['club_id'], unique=False)
        batch_op.create_index('ix_goals_parent_id', ['parent_id'], unique=False)
        batch_op.create_index('ix_goals_user_id_ends_at', ['user_id', 'ends_at'], unique=False)



def downgrade():
    with op.batch_alter_table('goals', schema=None) as batch_op:
        batch_op.drop_index('ix_goals_user_id_ends_at')
        batch_op.drop_index('ix_goals_parent_id')
        batch_op.drop_index('ix_goals_club_id')

    op.drop_table('goals')
