"""reports never reach the runner they are about

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-07 01:20:39.303212

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None

# The admins who may decide a report: the deciding club's owner and admins, the runner it
# is about excepted.
OTHER_ADMINS = (
    "SELECT 1 FROM memberships WHERE memberships.club_id = reports.club_id"
    " AND memberships.role IN ('owner', 'admin') AND memberships.user_id <> reports.subject_id"
)


def upgrade():
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f('uq_comments_id_author_id'), ['id', 'author_id'])

    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subject_id', sa.Integer(), nullable=True))
    # Each report keeps the runner it is about: the item's runner, or the comment's author.
    op.execute(
        "UPDATE reports SET subject_id = COALESCE("
        " (SELECT feed_items.actor_id FROM feed_items WHERE feed_items.id = reports.item_id),"
        " (SELECT comments.author_id FROM comments WHERE comments.id = reports.comment_id))"
    )
    # A report on one's own post (the app never filed one) goes before the check arrives.
    op.execute("DELETE FROM reports WHERE reporter_id = subject_id")
    # A report its own runner decided was never decided: it is open again, for the others.
    op.execute(
        "UPDATE reports SET status = 'open', decided_at = NULL, decided_by_id = NULL"
        " WHERE decided_by_id = subject_id"
    )
    # An open report whose club has no admin but the runner it is about goes to the site's.
    op.execute(
        f"UPDATE reports SET club_id = NULL WHERE status = 'open' AND club_id IS NOT NULL"
        f" AND NOT EXISTS ({OTHER_ADMINS})"
    )
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.alter_column('subject_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint(batch_op.f('fk_reports_item_id_feed_items'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_reports_comment_id_comments'), type_='foreignkey')
        batch_op.create_foreign_key(batch_op.f('fk_reports_item_id_feed_items'), 'feed_items', ['item_id', 'subject_id'], ['id', 'actor_id'], ondelete='CASCADE')
        batch_op.create_foreign_key(batch_op.f('fk_reports_comment_id_comments'), 'comments', ['comment_id', 'subject_id'], ['id', 'author_id'], ondelete='CASCADE')
        batch_op.create_check_constraint(op.f('ck_reports_not_own_post'), 'reporter_id <> subject_id')
        batch_op.create_check_constraint(op.f('ck_reports_not_decided_by_subject'), 'decided_by_id IS NULL OR decided_by_id <> subject_id')


def downgrade():
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_reports_not_decided_by_subject'), type_='check')
        batch_op.drop_constraint(op.f('ck_reports_not_own_post'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_reports_comment_id_comments'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_reports_item_id_feed_items'), type_='foreignkey')
        batch_op.create_foreign_key(batch_op.f('fk_reports_comment_id_comments'), 'comments', ['comment_id'], ['id'], ondelete='CASCADE')
        batch_op.create_foreign_key(batch_op.f('fk_reports_item_id_feed_items'), 'feed_items', ['item_id'], ['id'], ondelete='CASCADE')
        batch_op.drop_column('subject_id')

    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_comments_id_author_id'), type_='unique')
