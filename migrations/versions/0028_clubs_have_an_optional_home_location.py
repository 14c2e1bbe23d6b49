"""clubs have an optional home location (latitude and longitude), shown on their page's map

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-07 05:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('clubs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('latitude', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('longitude', sa.Float(), nullable=True))
        batch_op.create_check_constraint(op.f('ck_clubs_latitude_range'), 'latitude IS NULL OR latitude BETWEEN -90 AND 90')
        batch_op.create_check_constraint(op.f('ck_clubs_longitude_range'), 'longitude IS NULL OR longitude BETWEEN -180 AND 180')
        batch_op.create_check_constraint(op.f('ck_clubs_home_whole'), '(latitude IS NULL AND longitude IS NULL) OR (latitude IS NOT NULL AND longitude IS NOT NULL)')


def downgrade():
    with op.batch_alter_table('clubs', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_clubs_home_whole'), type_='check')
        batch_op.drop_constraint(op.f('ck_clubs_longitude_range'), type_='check')
        batch_op.drop_constraint(op.f('ck_clubs_latitude_range'), type_='check')
        batch_op.drop_column('longitude')
        batch_op.drop_column('latitude')
