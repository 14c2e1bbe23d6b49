"""year shares: a runner's year in running shown to everyone, when they choose

Revision ID: 0040
Revises: 0039
Create Date: 2026-12-07 22:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0040'
down_revision = '0039'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('year_shares',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('year BETWEEN 2000 AND 2100', name=op.f('ck_year_shares_year_plausible')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_year_shares_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_year_shares')),
    sa.UniqueConstraint('user_id', 'year', name=op.f('uq_year_shares_user_id_year'))
    )


def downgrade():
    op.drop_table('year_shares')
