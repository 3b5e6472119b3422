"""residents' feedback and its events

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21 09:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tracking_code', sa.String(length=20), nullable=False),
    sa.Column('facility_pk', sa.Integer(), nullable=False),
    sa.Column('budget_line_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('public_text', sa.Text(), nullable=True),
    sa.Column('rating', sa.Integer(), nullable=True),
    sa.Column('author_name', sa.String(length=100), nullable=True),
    sa.Column('public_name', sa.String(length=100), nullable=True),
    sa.Column('contact', sa.String(length=200), nullable=True),
    sa.Column('contact_kind', sa.String(length=10), nullable=True),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('photo', sa.LargeBinary(), nullable=True),
    sa.Column('photo_thumb', sa.LargeBinary(), nullable=True),
    sa.Column('photo_type', sa.String(length=20), nullable=True),
    sa.Column('photo_removed', sa.Boolean(), server_default=sa.text('0'), nullable=False),
    sa.Column('ip_hash', sa.String(length=64), nullable=True),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('submitted_at', sa.String(length=32), nullable=False),
    sa.Column('deadline', sa.String(length=10), nullable=False),
    sa.Column('moderation', sa.String(length=20), server_default='pending', nullable=False),
    sa.Column('moderation_reason', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=20), server_default='received', nullable=False),
    sa.Column('status_reason', sa.Text(), nullable=True),
    sa.Column('answer_text', sa.Text(), nullable=True),
    sa.Column('answered_by', sa.String(length=200), nullable=True),
    sa.Column('answered_at', sa.String(length=32), nullable=True),
    sa.Column('responded_at', sa.String(length=32), nullable=True),
    sa.Column('updated_at', sa.String(length=32), nullable=False),
    sa.CheckConstraint("kind IN ('complaint', 'question', 'suggestion', 'praise')", name=op.f('ck_feedback_known_kind')),
    sa.CheckConstraint("moderation IN ('pending', 'published', 'hidden', 'spam')", name=op.f('ck_feedback_known_moderation')),
    sa.CheckConstraint("status IN ('received', 'in_review', 'answered', 'resolved', 'rejected')", name=op.f('ck_feedback_known_status')),
    sa.CheckConstraint('rating IS NULL OR rating BETWEEN 1 AND 5', name=op.f('ck_feedback_rating_range')),
    sa.ForeignKeyConstraint(['budget_line_id'], ['budget_lines.id'], name=op.f('fk_feedback_budget_line_id_budget_lines')),
    sa.ForeignKeyConstraint(['facility_pk'], ['facilities.id'], name=op.f('fk_feedback_facility_pk_facilities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback')),
    sa.UniqueConstraint('tracking_code', name=op.f('uq_feedback_tracking_code'))
    )
    op.create_index('ix_feedback_content', 'feedback', ['content_hash'], unique=False)
    op.create_index('ix_feedback_deadline', 'feedback', ['status', 'deadline'], unique=False)
    op.create_index('ix_feedback_facility', 'feedback', ['facility_pk', 'moderation'], unique=False)
    op.create_table('feedback_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('feedback_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.String(length=32), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('actor_name', sa.String(length=200), nullable=True),
    sa.Column('event', sa.String(length=20), nullable=False),
    sa.Column('from_value', sa.String(length=20), nullable=True),
    sa.Column('to_value', sa.String(length=20), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('details', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['feedback_id'], ['feedback.id'], name=op.f('fk_feedback_events_feedback_id_feedback')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_events'))
    )
    op.create_index('ix_feedback_events_feedback', 'feedback_events', ['feedback_id', 'id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_feedback_events_feedback', table_name='feedback_events')
    op.drop_table('feedback_events')
    op.drop_index('ix_feedback_facility', table_name='feedback')
    op.drop_index('ix_feedback_deadline', table_name='feedback')
    op.drop_index('ix_feedback_content', table_name='feedback')
    op.drop_table('feedback')
