"""an owner's identity beyond the name (a keyed hash, never the ID digits); what the register said of a claim when
staff decided it, and whether they confirmed approving a mismatch

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 11:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('owner', schema=None) as batch_op:
        batch_op.add_column(sa.Column('identity', sa.String(length=64), nullable=False, server_default=''))
        batch_op.create_index(batch_op.f('ix_owner_identity'), ['identity'], unique=False)
    with op.batch_alter_table('residency_claim', schema=None) as batch_op:
        batch_op.add_column(sa.Column('register_match', sa.String(length=16), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('mismatch_confirmed', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('residency_claim', schema=None) as batch_op:
        batch_op.drop_column('mismatch_confirmed')
        batch_op.drop_column('register_match')
    with op.batch_alter_table('owner', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_owner_identity'))
        batch_op.drop_column('identity')
