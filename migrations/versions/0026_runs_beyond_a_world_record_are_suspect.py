"""runs beyond a world record are suspect: no personal best, no fastest-effort standing

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07 02:10:41.512245

"""
from collections import defaultdict

from alembic import op
import sqlalchemy as sa

from community.activities.analysis import BEST_EFFORT_DISTANCES
from community.activities.records import WORLD_RECORDS, efforts_reason, pace_reason


# revision identifiers, used by Alembic.
revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None

# The slowest record pace (the marathon's): a run slower on average is beyond no record.
SLOWEST_RECORD_SPEED = min(
    BEST_EFFORT_DISTANCES[label] / record.seconds for label, record in WORLD_RECORDS.items()
)


def upgrade():
    with op.batch_alter_table('runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('suspect_reason', sa.String(length=200), nullable=True))

    # Runs already logged: from files, by their best efforts (those beyond a record are
    # few, so only they are read); by hand, by their pace.
    connection = op.get_bind()
    efforts = defaultdict(dict)
    beyond = sa.or_(
        *(
            sa.and_(sa.column('label') == label, sa.column('duration_s') < record.seconds)
            for label, record in WORLD_RECORDS.items()
        )
    )
    suspects = sorted(set(connection.execute(
        sa.select(sa.column('run_id')).select_from(sa.table('best_efforts')).where(beyond)
    ).scalars()))
    if suspects:
        for run_id, label, seconds in connection.execute(
            sa.text(
                "SELECT run_id, label, duration_s FROM best_efforts"
                " WHERE run_id IN :ids ORDER BY run_id, distance_m"
            ).bindparams(sa.bindparam('ids', expanding=True)),
            {'ids': suspects},
        ):
            efforts[run_id][label] = seconds
    reasons = {run_id: efforts_reason(found) for run_id, found in efforts.items()}
    for run_id, distance_m, duration_s in connection.execute(
        sa.text(
            "SELECT id, distance_m, duration_s FROM runs WHERE source = 'manual'"
            " AND distance_m >= 400 AND distance_m > :speed * duration_s"
        ),
        {'speed': SLOWEST_RECORD_SPEED},
    ):
        reasons[run_id] = pace_reason(distance_m, duration_s)
    flagged = [{'run_id': run_id, 'reason': reason} for run_id, reason in reasons.items() if reason]
    if flagged:
        connection.execute(
            sa.text("UPDATE runs SET suspect_reason = :reason WHERE id = :run_id"), flagged
        )


def downgrade():
    with op.batch_alter_table('runs', schema=None) as batch_op:
        batch_op.drop_column('suspect_reason')
