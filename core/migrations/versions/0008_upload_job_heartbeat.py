"""background work on uploads: which attempt runs, and when it last showed life

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 10:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('pending_uploads') as batch:
        batch.add_column(sa.Column('job_token', sa.String(length=40), nullable=True))
        batch.add_column(sa.Column('heartbeat_at', sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('pending_uploads') as batch:
        batch.drop_column('heartbeat_at')
        batch.drop_column('job_token')
