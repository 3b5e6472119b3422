"""risk flags of each version

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21 10:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('risk_checks',
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('as_of', sa.String(length=10), nullable=False),
    sa.Column('thresholds', sa.JSON(), nullable=False),
    sa.Column('flag_count', sa.Integer(), server_default='0', nullable=False),
    sa.ForeignKeyConstraint(['version_id'], ['versions.id'], name=op.f('fk_risk_checks_version_id_versions')),
    sa.PrimaryKeyConstraint('version_id', name=op.f('pk_risk_checks'))
    )
    op.create_table('risk_flags',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('facility_pk', sa.Integer(), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('rule', sa.String(length=40), nullable=False),
    sa.Column('work_type', sa.String(length=20), nullable=True),
    sa.Column('outcome', sa.String(length=20), server_default='raised', nullable=False),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.Column('threshold', sa.Float(), nullable=True),
    sa.CheckConstraint("outcome IN ('raised', 'not_judged')", name=op.f('ck_risk_flags_known_outcome')),
    sa.ForeignKeyConstraint(['facility_pk'], ['facilities.id'], name=op.f('fk_risk_flags_facility_pk_facilities')),
    sa.ForeignKeyConstraint(['version_id'], ['versions.id'], name=op.f('fk_risk_flags_version_id_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_risk_flags'))
    )
    op.create_index('ix_risk_flags_facility', 'risk_flags', ['facility_pk', 'version_id'], unique=False)
    op.create_index('ix_risk_flags_version_year_rule', 'risk_flags', ['version_id', 'fiscal_year', 'rule'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_risk_flags_version_year_rule', table_name='risk_flags')
    op.drop_index('ix_risk_flags_facility', table_name='risk_flags')
    op.drop_table('risk_flags')
    op.drop_table('risk_checks')
