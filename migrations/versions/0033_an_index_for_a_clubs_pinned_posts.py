"""an index for a club's pinned posts: PostgreSQL read a whole index of the feed for them

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-07 13:20:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0033"
down_revision = "0032"
branch_labels = None
depends_on = None

def upgrade():
    op.create_index(
        "ix_feed_items_club_id_kind_pinned_id", "feed_items", ["club_id", "kind", "pinned", "id"]
    )


def downgrade():
    op.drop_index("ix_feed_items_club_id_kind_pinned_id", table_name="feed_items")
