"""the audit log: every change of a proposal's stage or a vote's status, with who and when; rows never updated

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 16:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op



revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REFUSAL = "the audit log is append-only"


def upgrade() -> None:
    op.create_table(
        'audit_entry',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('place_id', sa.Integer(), nullable=False),
        sa.Column('subject_kind', sa.String(length=12), nullable=False),
        sa.Column('subject_id', sa.Integer(), nullable=False),
        sa.Column('before', sa.String(length=24), nullable=False),
        sa.Column('after', sa.String(length=24), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['actor_id'], ['user.id']),
        sa.ForeignKeyConstraint(['place_id'], ['place.id'], ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_audit_place_at', 'audit_entry', ['place_id', 'id'], unique=False)
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(f"""CREATE FUNCTION audit_entry_refuse_update() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION '{REFUSAL}'; END; $$ LANGUAGE plpgsql""")
        op.execute("""CREATE TRIGGER audit_entry_append_only BEFORE UPDATE ON audit_entry
            FOR EACH ROW EXECUTE FUNCTION audit_entry_refuse_update()""")
    else:
        op.execute(f"""CREATE TRIGGER audit_entry_append_only BEFORE UPDATE ON audit_entry
            BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END""")


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS audit_entry_append_only" + (
        " ON audit_entry" if op.get_bind().dialect.name == 'postgresql' else ""))
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP FUNCTION IF EXISTS audit_entry_refuse_update()")
    op.drop_index('ix_audit_place_at', table_name='audit_entry')
    op.drop_table('audit_entry')
