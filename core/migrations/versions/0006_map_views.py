"""the map's default view of each version, stored by its publication

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-21 12:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Versions published before this table existed have no stored view: the app builds theirs
    # when asked for, as for any filtered view.
    op.create_table('map_views',
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('facilities_gzip', sa.LargeBinary(), nullable=False),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['version_id'], ['versions.id'], name=op.f('fk_map_views_version_id_versions')),
    sa.PrimaryKeyConstraint('version_id', 'fiscal_year', name=op.f('pk_map_views'))
    )


def downgrade() -> None:
    op.drop_table('map_views')
