"""pending uploads

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 09:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('pending_uploads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('file_name', sa.String(length=500), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('uploaded_by', sa.String(length=200), nullable=False),
    sa.Column('uploaded_at', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=20), server_default='pending', nullable=False),
    sa.Column('error_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('warning_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('row_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('facility_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('fiscal_years', sa.String(length=200), server_default='', nullable=False),
    sa.Column('base_version_id', sa.Integer(), nullable=True),
    sa.Column('report', sa.JSON(), nullable=True),
    sa.Column('published_version_id', sa.Integer(), nullable=True),
    sa.Column('decided_by', sa.String(length=200), nullable=True),
    sa.Column('decided_at', sa.String(length=32), nullable=True),
    sa.CheckConstraint("status IN ('pending', 'published', 'cancelled')", name=op.f('ck_pending_uploads_known_status')),
    sa.ForeignKeyConstraint(['base_version_id'], ['versions.id'], name=op.f('fk_pending_uploads_base_version_id_versions')),
    sa.ForeignKeyConstraint(['published_version_id'], ['versions.id'], name=op.f('fk_pending_uploads_published_version_id_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pending_uploads'))
    )
    op.create_index('ix_pending_uploads_status', 'pending_uploads', ['status'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_pending_uploads_status', table_name='pending_uploads')
    op.drop_table('pending_uploads')
