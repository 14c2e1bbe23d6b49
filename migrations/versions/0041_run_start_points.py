"""where a run started, kept beside its track: the places a runner runs from (their year)

Revision ID: 0041
Revises: 0040
Create Date: 2026-12-07 22:40:00.000000

"""
from alembic import op
import sqlalchemy as sa

from community.activities.tracks import decode_points


# revision identifiers, used by Alembic.
revision = '0041'
down_revision = '0040'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('run_tracks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('start_lat', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('start_lon', sa.Float(), nullable=True))
    # The tracks already kept: their first point with a position, one track at a time.
    connection = op.get_bind()
    ids = [row[0] for row in connection.execute(sa.text("SELECT run_id FROM run_tracks"))]
    for run_id in ids:
        blob = connection.execute(
            sa.text("SELECT points FROM run_tracks WHERE run_id = :id"), {"id": run_id}
        ).scalar()
        try:
            points = decode_points(bytes(blob))
        except ValueError:
            continue
        start = next((p for p in points if p.lat is not None and p.lon is not None), None)
        if start is not None:
            connection.execute(
                sa.text("UPDATE run_tracks SET start_lat = :lat, start_lon = :lon WHERE run_id = :id"),
                {"lat": start.lat, "lon": start.lon, "id": run_id},
            )


def downgrade():
    with op.batch_alter_table('run_tracks', schema=None) as batch_op:
        batch_op.drop_column('start_lon')
        batch_op.drop_column('start_lat')
