"""publication modes (update / replace years) and background work on uploads

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 14:30:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

OLD_STATUS = "status IN ('pending', 'published', 'cancelled')"
NEW_STATUS = "status IN ('validating', 'pending', 'publishing', 'published', 'cancelled', 'failed')"


def upgrade() -> None:
    # Every version published before this revision replaced its fiscal years whole.
    with op.batch_alter_table('versions') as batch:
        batch.add_column(sa.Column('mode', sa.String(length=20), nullable=True))
    op.execute("UPDATE versions SET mode = 'replace' WHERE kind != 'rollback'")
    with op.batch_alter_table('pending_uploads') as batch:
        batch.add_column(sa.Column('mode', sa.String(length=20), server_default='replace', nullable=False))
        batch.add_column(sa.Column('stage', sa.String(length=20), nullable=True))
        batch.add_column(sa.Column('progress_done', sa.Integer(), server_default='0', nullable=False))
        batch.add_column(sa.Column('progress_total', sa.Integer(), server_default='0', nullable=False))
        batch.add_column(sa.Column('failure', sa.Text(), nullable=True))
        batch.drop_constraint(op.f('ck_pending_uploads_known_status'), type_='check')
        batch.create_check_constraint('known_status', NEW_STATUS)
        batch.create_check_constraint('known_mode', "mode IN ('update', 'replace')")
    # Uploads stored before were previewed as replacing their years: they keep that meaning,
    # and new ones default to update.
    with op.batch_alter_table('pending_uploads') as batch:
        batch.alter_column('mode', server_default='update')


def downgrade() -> None:
    op.execute("UPDATE pending_uploads SET status = 'cancelled' "
               "WHERE status IN ('validating', 'publishing', 'failed')")
    with op.batch_alter_table('pending_uploads') as batch:
        batch.drop_constraint(op.f('ck_pending_uploads_known_mode'), type_='check')
        batch.drop_constraint(op.f('ck_pending_uploads_known_status'), type_='check')
        batch.create_check_constraint('known_status', OLD_STATUS)
        for name in ('failure', 'progress_total', 'progress_done', 'stage', 'mode'):
            batch.drop_column(name)
    with op.batch_alter_table('versions') as batch:
        batch.drop_column('mode')
