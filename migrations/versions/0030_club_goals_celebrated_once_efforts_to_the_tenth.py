"""club goals celebrated once (feed item kind club_goal); fastest efforts to the tenth

Revision ID: 0030
Revises: 0028
Create Date: 2026-12-08 10:00:00.000000

"""
from collections import Counter

from alembic import op
import sqlalchemy as sa

from community.challenges.counting import EFFORT_DECIMALS
from community.challenges.histogram import bucket_of


# revision identifiers, used by Alembic.
revision = '0030'
down_revision = '0028'
branch_labels = None
depends_on = None


KINDS = "'run', 'challenge_completed', 'new_member', 'personal_best', 'attended', 'post', 'club_goal'"
OLD_KINDS = "'run', 'challenge_completed', 'new_member', 'personal_best', 'attended', 'post'"
CLUB_GOAL_CHECK = "kind <> 'club_goal' OR (club_id IS NOT NULL AND challenge_id IS NOT NULL)"
CLUB_GOAL_ONLY = sa.text("kind = 'club_goal'")


def upgrade():
    with op.batch_alter_table('challenges', schema=None) as batch_op:
        batch_op.add_column(sa.Column('goal_first_reached_at', sa.DateTime(timezone=True), nullable=True))
    # Goals reached already were celebrated (or never will be): not again.
    op.execute("UPDATE challenges SET goal_first_reached_at = goal_reached_at")

    with op.batch_alter_table('feed_items', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_feed_items_kind_known'), type_='check')
        batch_op.create_check_constraint(op.f('ck_feed_items_kind_known'), "kind IN (" + KINDS + ")")
        batch_op.create_check_constraint(
            op.f('ck_feed_items_club_goal_has_club_and_challenge'), CLUB_GOAL_CHECK
        )
        batch_op.create_index(
            'ux_feed_items_club_goal_challenge_id', ['challenge_id'], unique=True,
            sqlite_where=CLUB_GOAL_ONLY, postgresql_where=CLUB_GOAL_ONLY,
        )
    _efforts_to_the_tenth()


def _efforts_to_the_tenth():
    """Fastest-effort standings as counting.py now makes them: to the tenth of a second.
    The boards' score buckets of those challenges are counted again from the new scores."""
    connection = op.get_bind()
    rows = connection.execute(
        sa.text(
            "SELECT e.id, e.challenge_id, e.total, e.score, e.frozen_total, e.frozen_score,"
            " e.hidden FROM challenge_entries AS e JOIN challenges AS c ON c.id = e.challenge_id"
            " WHERE c.kind = 'fastest_effort'"
        )
    ).all()

    def tenth(value):
        return None if value is None else round(value, EFFORT_DECIMALS)

    for entry_id, _, total, score, frozen_total, frozen_score, _ in rows:
        connection.execute(
            sa.text(
                "UPDATE challenge_entries SET total = :total, score = :score,"
                " frozen_total = :frozen_total, frozen_score = :frozen_score WHERE id = :id"
            ),
            {
                "id": entry_id,
                "total": tenth(total),
                "score": tenth(score),
                "frozen_total": tenth(frozen_total),
                "frozen_score": tenth(frozen_score),
            },
        )
    challenges = sorted({row[1] for row in rows})
    if not challenges:
        return
    counted = Counter(
        (row[1], bucket_of(tenth(row[3])))
        for row in rows
        if not row[6] and row[3] is not None
    )
    buckets = sa.table(
        "challenge_score_buckets",
        sa.column("challenge_id"), sa.column("bucket"), sa.column("entrants"),
    )
    connection.execute(
        sa.delete(buckets).where(buckets.c.challenge_id.in_(challenges))
    )
    if counted:
        op.bulk_insert(
            buckets,
            [
                {"challenge_id": challenge_id, "bucket": bucket, "entrants": entrants}
                for (challenge_id, bucket), entrants in sorted(counted.items())
            ],
        )


def downgrade():
    # The efforts stay to the tenth: the finer times are not kept anywhere to go back to.
    op.execute("DELETE FROM feed_items WHERE kind = 'club_goal'")
    with op.batch_alter_table('feed_items', schema=None) as batch_op:
        batch_op.drop_index('ux_feed_items_club_goal_challenge_id')
        batch_op.drop_constraint(op.f('ck_feed_items_club_goal_has_club_and_challenge'), type_='check')
        batch_op.drop_constraint(op.f('ck_feed_items_kind_known'), type_='check')
        batch_op.create_check_constraint(op.f('ck_feed_items_kind_known'), "kind IN (" + OLD_KINDS + ")")
    with op.batch_alter_table('challenges', schema=None) as batch_op:
        batch_op.drop_column('goal_first_reached_at')
