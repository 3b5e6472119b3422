"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-21 05:15:48.425792
"""
import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.String(length=32), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('action', sa.String(length=50), nullable=False),
    sa.Column('target_type', sa.String(length=50), nullable=True),
    sa.Column('target_id', sa.String(length=100), nullable=True),
    sa.Column('details', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index('ix_audit_log_at', ['at'], unique=False)

    op.create_table('districts',
    sa.Column('kato', sa.String(length=9), nullable=False),
    sa.Column('name_kk', sa.String(length=200), nullable=False),
    sa.Column('name_ru', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('unit_type', sa.String(length=20), nullable=False),
    sa.Column('population', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('kato', name=op.f('pk_districts'))
    )
    op.create_table('versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('file_name', sa.String(length=500), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.Column('row_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('facility_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('new_facility_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('warning_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('fiscal_years', sa.String(length=200), server_default='', nullable=False),
    sa.Column('rollback_of', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['rollback_of'], ['versions.id'], name=op.f('fk_versions_rollback_of_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_versions'))
    )
    op.create_table('facilities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('facility_id', sa.String(length=64), nullable=False),
    sa.Column('name_kk', sa.String(length=300), nullable=True),
    sa.Column('name_ru', sa.String(length=300), nullable=True),
    sa.Column('name_en', sa.String(length=300), nullable=True),
    sa.Column('facility_type', sa.String(length=20), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.Column('district_kato', sa.String(length=9), nullable=False),
    sa.Column('in_overlap', sa.Boolean(), server_default=sa.text('0'), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=True),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('capacity_unit', sa.String(length=40), nullable=True),
    sa.Column('floor_area_m2', sa.Float(), nullable=True),
    sa.Column('first_version_id', sa.Integer(), nullable=False),
    sa.Column('updated_version_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['district_kato'], ['districts.kato'], name=op.f('fk_facilities_district_kato_districts')),
    sa.ForeignKeyConstraint(['first_version_id'], ['versions.id'], name=op.f('fk_facilities_first_version_id_versions')),
    sa.ForeignKeyConstraint(['updated_version_id'], ['versions.id'], name=op.f('fk_facilities_updated_version_id_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_facilities')),
    sa.UniqueConstraint('facility_id', name=op.f('uq_facilities_facility_id'))
    )
    with op.batch_alter_table('facilities', schema=None) as batch_op:
        batch_op.create_index('ix_facilities_district', ['district_kato'], unique=False)

    op.create_table('version_state',
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('source_version_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['source_version_id'], ['versions.id'], name=op.f('fk_version_state_source_version_id_versions')),
    sa.ForeignKeyConstraint(['version_id'], ['versions.id'], name=op.f('fk_version_state_version_id_versions')),
    sa.PrimaryKeyConstraint('version_id', 'fiscal_year', name=op.f('pk_version_state'))
    )
    op.create_table('budget_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('facility_pk', sa.Integer(), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('work_type', sa.String(length=20), nullable=False),
    sa.Column('funding_source', sa.String(length=20), nullable=True),
    sa.Column('budget_program_code', sa.String(length=64), nullable=True),
    sa.Column('allocated_tiyn', sa.BigInteger(), nullable=False),
    sa.Column('contracted_tiyn', sa.BigInteger(), nullable=True),
    sa.Column('paid_tiyn', sa.BigInteger(), nullable=True),
    sa.Column('contractor_name', sa.String(length=300), nullable=True),
    sa.Column('contractor_bin', sa.String(length=12), nullable=True),
    sa.Column('procurement_ref', sa.String(length=100), nullable=True),
    sa.Column('start_date', sa.String(length=10), nullable=True),
    sa.Column('end_date', sa.String(length=10), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=True),
    sa.Column('physical_progress_pct', sa.Float(), nullable=True),
    sa.Column('source_url', sa.String(length=500), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('source_row', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['facility_pk'], ['facilities.id'], name=op.f('fk_budget_lines_facility_pk_facilities')),
    sa.ForeignKeyConstraint(['version_id'], ['versions.id'], name=op.f('fk_budget_lines_version_id_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_lines'))
    )
    with op.batch_alter_table('budget_lines', schema=None) as batch_op:
        batch_op.create_index('ix_budget_lines_facility', ['facility_pk'], unique=False)
        batch_op.create_index('ix_budget_lines_version_year', ['version_id', 'fiscal_year'], unique=False)

    op.create_table('facility_snapshots',
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('facility_pk', sa.Integer(), nullable=False),
    sa.Column('name_kk', sa.String(length=300), nullable=True),
    sa.Column('name_ru', sa.String(length=300), nullable=True),
    sa.Column('name_en', sa.String(length=300), nullable=True),
    sa.Column('facility_type', sa.String(length=20), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.Column('district_kato', sa.String(length=9), nullable=False),
    sa.Column('in_overlap', sa.Boolean(), server_default=sa.text('0'), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=True),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('capacity_unit', sa.String(length=40), nullable=True),
    sa.Column('floor_area_m2', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['district_kato'], ['districts.kato'], name=op.f('fk_facility_snapshots_district_kato_districts')),
    sa.ForeignKeyConstraint(['facility_pk'], ['facilities.id'], name=op.f('fk_facility_snapshots_facility_pk_facilities')),
    sa.ForeignKeyConstraint(['version_id'], ['versions.id'], name=op.f('fk_facility_snapshots_version_id_versions')),
    sa.PrimaryKeyConstraint('version_id', 'facility_pk', name=op.f('pk_facility_snapshots'))
    )
    with op.batch_alter_table('facility_snapshots', schema=None) as batch_op:
        batch_op.create_index('ix_facility_snapshots_facility', ['facility_pk', 'version_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('facility_snapshots', schema=None) as batch_op:
        batch_op.drop_index('ix_facility_snapshots_facility')

    op.drop_table('facility_snapshots')
    with op.batch_alter_table('budget_lines', schema=None) as batch_op:
        batch_op.drop_index('ix_budget_lines_version_year')
        batch_op.drop_index('ix_budget_lines_facility')

    op.drop_table('budget_lines')
    op.drop_table('version_state')
    with op.batch_alter_table('facilities', schema=None) as batch_op:
        batch_op.drop_index('ix_facilities_district')

    op.drop_table('facilities')
    op.drop_table('versions')
    op.drop_table('districts')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_log_at')

    op.drop_table('audit_log')
