"""arrival numbers under the pace group's lock: the waitlist's order is the order places went in

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07 01:20:33.884377

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None

# Rows already in a group are numbered there: those going first, then those waiting, each
# in the order they were shown in (queued_at, id). Going first: the old order could show a
# waiting runner ahead of someone who had got a place, the new one never does; the waitlist
# keeps the order it was shown in.
NUMBERED = (
    "SELECT id, row_number() OVER (PARTITION BY pace_group_id ORDER BY"
    " CASE WHEN status = 'waitlisted' THEN 1 ELSE 0 END, queued_at, id) AS ticket"
    " FROM rsvps WHERE pace_group_id IS NOT NULL"
)


def upgrade():
    with op.batch_alter_table('pace_groups', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_ticket', sa.Integer(), server_default='0', nullable=False))

    with op.batch_alter_table('rsvps', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ticket', sa.Integer(), nullable=True))
    op.execute(
        f"UPDATE rsvps SET ticket = (SELECT numbered.ticket FROM ({NUMBERED}) AS numbered"
        " WHERE numbered.id = rsvps.id) WHERE pace_group_id IS NOT NULL"
    )
    op.execute(
        "UPDATE pace_groups SET last_ticket = COALESCE((SELECT max(ticket) FROM rsvps"
        " WHERE rsvps.pace_group_id = pace_groups.id), 0)"
    )
    with op.batch_alter_table('rsvps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rsvps_pace_group_id_status_queued_at'))
        batch_op.create_index('ix_rsvps_pace_group_id_status_ticket', ['pace_group_id', 'status', 'ticket'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_rsvps_pace_group_id_ticket'), ['pace_group_id', 'ticket'])
        batch_op.create_check_constraint(op.f('ck_rsvps_ticket_in_its_group'), "(pace_group_id IS NULL) = (ticket IS NULL)")


def downgrade():
    with op.batch_alter_table('rsvps', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_rsvps_ticket_in_its_group'), type_='check')
        batch_op.drop_constraint(batch_op.f('uq_rsvps_pace_group_id_ticket'), type_='unique')
        batch_op.drop_index('ix_rsvps_pace_group_id_status_ticket')
        batch_op.create_index(batch_op.f('ix_rsvps_pace_group_id_status_queued_at'), ['pace_group_id', 'status', 'queued_at'], unique=False)
        batch_op.drop_column('ticket')

    with op.batch_alter_table('pace_groups', schema=None) as batch_op:
        batch_op.drop_column('last_ticket')
