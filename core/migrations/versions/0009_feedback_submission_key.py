"""feedback sent from a phone's offline queue: the key the phone made, so a retry is one item

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-10 10:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('feedback') as batch:
        batch.add_column(sa.Column('submission_key', sa.String(length=64), nullable=True))
        batch.create_unique_constraint('uq_feedback_submission_key', ['submission_key'])


def downgrade() -> None:
    with op.batch_alter_table('feedback') as batch:
        batch.drop_constraint('uq_feedback_submission_key', type_='unique')
        batch.drop_column('submission_key')
