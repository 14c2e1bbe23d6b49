"""avatars and club images: an images table (each size of each picture), and the key of the
current picture on users and clubs

Revision ID: 0032
Revises: 0030
Create Date: 2026-12-08 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0032'
down_revision = '0030'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('avatar_key', sa.String(length=16), nullable=True))
    with op.batch_alter_table('clubs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('image_key', sa.String(length=16), nullable=True))
    op.create_table(
        'images',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('club_id', sa.Integer(), nullable=True),
        sa.Column('variant', sa.String(length=10), nullable=False),
        sa.Column('content_type', sa.String(length=20), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.Column('content_hash', sa.String(length=64), nullable=False),
        sa.Column('width', sa.Integer(), nullable=False),
        sa.Column('height', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('(user_id IS NULL) <> (club_id IS NULL)', name=op.f('ck_images_one_owner')),
        sa.CheckConstraint(
            "(user_id IS NOT NULL AND variant IN ('lg', 'sm'))"
            " OR (club_id IS NOT NULL AND variant IN ('banner', 'sm'))",
            name=op.f('ck_images_variant_known'),
        ),
        sa.CheckConstraint(
            "content_type IN ('image/webp', 'image/jpeg')", name=op.f('ck_images_content_type_known')
        ),
        sa.CheckConstraint('length(data) > 0', name=op.f('ck_images_data_not_empty')),
        sa.ForeignKeyConstraint(['club_id'], ['clubs.id'], name=op.f('fk_images_club_id_clubs'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_images_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_images')),
        sa.UniqueConstraint('club_id', 'variant', name=op.f('uq_images_club_id_variant')),
        sa.UniqueConstraint('user_id', 'variant', name=op.f('uq_images_user_id_variant')),
    )


def downgrade():
    op.drop_table('images')
    with op.batch_alter_table('clubs', schema=None) as batch_op:
        batch_op.drop_column('image_key')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('avatar_key')
