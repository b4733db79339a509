"""notifications of votes opened and meetings called; one conversation per proposal

A proposal's plans and the vote on its plans had threads of their own; their comments move into the
proposal's thread, each labelled with the plan or vote it was written about (`about_kind`, `about_id`).
A thread moves whole (answers with what they answer), so the tree, the stances and the helpful marks stay as
they were; the comments keep their ids, so notifications, reports and links to them stay good (an old link to
a plan's or vote's page still shows the thread, now whole).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 11:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('meeting_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_notification_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_foreign_key('fk_notification_meeting_id_meeting', 'meeting', ['meeting_id'], ['id'],
                                    ondelete='CASCADE')

    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('about_kind', sa.String(length=12), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('about_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_comment_about', ['about_kind', 'about_id'], unique=False)
    for statement in INTO_PROPOSAL_THREADS:
        op.execute(statement)


# The right-hand sides read the row as it was, on SQLite and PostgreSQL alike. (tests/discussion reads these.)
INTO_PROPOSAL_THREADS = (
    "UPDATE comment SET about_kind = 'plan', about_id = subject_id, subject_kind = 'proposal',"
    " subject_id = (SELECT plan.proposal_id FROM plan WHERE plan.id = comment.subject_id)"
    " WHERE subject_kind = 'plan' AND EXISTS (SELECT 1 FROM plan WHERE plan.id = comment.subject_id)",
    "UPDATE comment SET about_kind = 'vote', about_id = subject_id, subject_kind = 'proposal',"
    " subject_id = (SELECT vote.subject_id FROM vote WHERE vote.id = comment.subject_id)"
    " WHERE subject_kind = 'vote' AND EXISTS (SELECT 1 FROM vote WHERE vote.id = comment.subject_id"
    " AND vote.subject_kind = 'proposal' AND vote.subject_id IS NOT NULL)",
)
# Back into the plans' and votes' own threads; an answer went with the comment it answers (same label).
OUT_OF_PROPOSAL_THREADS = (
    "UPDATE comment SET subject_kind = about_kind, subject_id = about_id"
    " WHERE about_kind IN ('plan', 'vote') AND about_id IS NOT NULL",
)


def downgrade() -> None:
    for statement in OUT_OF_PROPOSAL_THREADS:
        op.execute(statement)
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_index('ix_comment_about')
        batch_op.drop_column('about_id')
        batch_op.drop_column('about_kind')

    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_constraint('fk_notification_meeting_id_meeting', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_notification_meeting_id'))
        batch_op.drop_column('meeting_id')
