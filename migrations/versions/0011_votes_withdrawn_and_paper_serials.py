"""a vote can be withdrawn with a reason; paper serials are unique per vote; paper ballot corrections are kept

`vote` gains who withdrew it, when and why; `paper_serial` holds one keyed digest per serial entered (no rowid,
no time); `paper_correction` is the log of paper ballots voided and entered again; a notification can point at a
vote (its withdrawal is told to everyone on the roll).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 11:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('vote', schema=None) as batch_op:
        batch_op.add_column(sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('withdrawn_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('withdrawal_reason', sa.Text(), nullable=False, server_default=''))
        batch_op.create_foreign_key('fk_vote_withdrawn_by_id_user', 'user', ['withdrawn_by_id'], ['id'])
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('vote_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_notification_vote_id'), ['vote_id'], unique=False)
        batch_op.create_foreign_key('fk_notification_vote_id_vote', 'vote', ['vote_id'], ['id'], ondelete='CASCADE')
    op.create_table(
        'paper_serial',
        sa.Column('vote_id', sa.Integer(), nullable=False),
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(['vote_id'], ['vote.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('vote_id', 'digest'),
        sqlite_with_rowid=False,
    )
    op.create_table(
        'paper_correction',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('vote_id', sa.Integer(), nullable=False),
        sa.Column('by_id', sa.Integer(), nullable=True),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('old_serial', sa.String(length=40), nullable=False),
        sa.Column('new_serial', sa.String(length=40), nullable=False),
        sa.Column('old_voter', sa.String(length=300), nullable=False),
        sa.Column('new_voter', sa.String(length=300), nullable=False),
        sa.Column('old_choice', sa.Text(), nullable=False),
        sa.Column('new_choice', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['by_id'], ['user.id']),
        sa.ForeignKeyConstraint(['vote_id'], ['vote.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_paper_correction_vote_id'), 'paper_correction', ['vote_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_paper_correction_vote_id'), table_name='paper_correction')
    op.drop_table('paper_correction')
    op.drop_table('paper_serial')
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_constraint('fk_notification_vote_id_vote', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_notification_vote_id'))
        batch_op.drop_column('vote_id')
    with op.batch_alter_table('vote', schema=None) as batch_op:
        batch_op.drop_constraint('fk_vote_withdrawn_by_id_user', type_='foreignkey')
        batch_op.drop_column('withdrawal_reason')
        batch_op.drop_column('withdrawn_by_id')
        batch_op.drop_column('withdrawn_at')
