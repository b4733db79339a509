"""plan drafting has a deadline: a place's number of days after acceptance, and each accepted proposal's due time

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 11:15:00
"""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DEFAULT_DAYS = 30


def upgrade() -> None:
    with op.batch_alter_table('proposal_rules') as batch:
        batch.add_column(sa.Column('plan_days', sa.Integer(), nullable=False, server_default='30'))
    with op.batch_alter_table('proposal') as batch:
        batch.add_column(sa.Column('plan_due_at', sa.DateTime(timezone=True), nullable=True))
    # Proposals already accepted and waiting for their plans are due 30 days after they were accepted.
    proposal = sa.table('proposal', sa.column('id', sa.Integer()), sa.column('stage', sa.String()),
                        sa.column('stage_changed_at', sa.DateTime(timezone=True)),
                        sa.column('plan_due_at', sa.DateTime(timezone=True)))
    connection = op.get_bind()
    waiting = connection.execute(sa.select(proposal.c.id, proposal.c.stage_changed_at)
                                 .where(proposal.c.stage == 'accepted')).all()
    for proposal_id, since in waiting:
        if isinstance(since, str):  # SQLite hands back its text
            since = datetime.fromisoformat(since)
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        due = since + timedelta(days=DEFAULT_DAYS)
        if connection.dialect.name == 'sqlite':  # kept as naive UTC there, as the models' UTCDateTime does
            due = due.astimezone(UTC).replace(tzinfo=None)
        connection.execute(sa.update(proposal).where(proposal.c.id == proposal_id).values(plan_due_at=due))


def downgrade() -> None:
    with op.batch_alter_table('proposal') as batch:
        batch.drop_column('plan_due_at')
    with op.batch_alter_table('proposal_rules') as batch:
        batch.drop_column('plan_days')
