"""an index on proposals by place and stage: the tracking page reads each section off it, only in its subtree

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 18:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_proposal_place_stage', 'proposal', ['place_id', 'stage'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_proposal_place_stage', table_name='proposal')
