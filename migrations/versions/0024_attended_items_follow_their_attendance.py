"""attended items follow their attendance; feed and report rules in the database

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-01 16:40:13.644031

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None

# "Ran together" items whose attendance is gone (unlinked, or its run deleted), and second
# copies (linked again): what they had goes with them. SQLite migrates with foreign keys
# off (migrations/env.py), so nothing cascades by itself here.
GONE = "SELECT id FROM feed_items WHERE kind = 'attended' AND attendance_id IS NULL"


def upgrade():
    with op.batch_alter_table('feed_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attendance_id', sa.Integer(), nullable=True))
    op.execute(
        "UPDATE feed_items SET attendance_id = ("
        " SELECT attendances.id FROM attendances"
        " WHERE attendances.group_run_id = feed_items.group_run_id"
        " AND attendances.user_id = feed_items.actor_id)"
        " WHERE kind = 'attended' AND id = ("
        " SELECT min(other.id) FROM feed_items AS other WHERE other.kind = 'attended'"
        " AND other.group_run_id = feed_items.group_run_id"
        " AND other.actor_id = feed_items.actor_id)"
    )
    op.execute(
        f"DELETE FROM reports WHERE item_id IN ({GONE})"
        f" OR comment_id IN (SELECT id FROM comments WHERE item_id IN ({GONE}))"
    )
    op.execute(f"DELETE FROM kudos WHERE item_id IN ({GONE})")
    op.execute(f"DELETE FROM comments WHERE item_id IN ({GONE})")
    op.execute(f"DELETE FROM feed_items WHERE id IN ({GONE})")
    with op.batch_alter_table('feed_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feed_items_challenge_id'), ['challenge_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feed_items_group_run_id'), ['group_run_id'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_feed_items_attendance_id'), ['attendance_id'])
        batch_op.create_unique_constraint(batch_op.f('uq_feed_items_run_id_kind'), ['run_id', 'kind'])
        batch_op.create_foreign_key(batch_op.f('fk_feed_items_attendance_id_attendances'), 'attendances', ['attendance_id'], ['id'], ondelete='CASCADE')
        batch_op.create_check_constraint(op.f('ck_feed_items_attended_has_attendance'), "kind <> 'attended' OR attendance_id IS NOT NULL")

    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.create_check_constraint(op.f('ck_reports_decided_unless_open'), "(status = 'open') = (decided_at IS NULL)")


def downgrade():
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_reports_decided_unless_open'), type_='check')

    with op.batch_alter_table('feed_items', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_feed_items_attended_has_attendance'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_feed_items_attendance_id_attendances'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_feed_items_run_id_kind'), type_='unique')
        batch_op.drop_constraint(batch_op.f('uq_feed_items_attendance_id'), type_='unique')
        batch_op.drop_index(batch_op.f('ix_feed_items_group_run_id'))
        batch_op.drop_index(batch_op.f('ix_feed_items_challenge_id'))
        batch_op.drop_column('attendance_id')
