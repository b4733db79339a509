"""a vote keeps its turnout from its close: the heads on its roll and the heads who voted, for the statistics

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 11:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0016'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('vote') as batch:
        batch.add_column(sa.Column('roll_heads', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('voted_heads', sa.Integer(), nullable=True))
    # Votes closed before this revision: counted once from their rolls, which no longer change.
    op.execute(
        "UPDATE vote SET "
        "roll_heads = (SELECT COALESCE(SUM(heads), 0) FROM roll_entry WHERE roll_entry.vote_id = vote.id), "
        "voted_heads = (SELECT COALESCE(SUM(heads), 0) FROM roll_entry "
        "WHERE roll_entry.vote_id = vote.id AND roll_entry.has_voted) "
        "WHERE status IN ('closed', 'certified')"
    )


def downgrade() -> None:
    with op.batch_alter_table('vote') as batch:
        batch.drop_column('voted_heads')
        batch.drop_column('roll_heads')
