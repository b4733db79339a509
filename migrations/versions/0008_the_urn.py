"""secret ballots go through an urn: sealed when cast, published in shuffled batches, kept in no rowid order

`sealed_ballot` holds ballots cast but not yet mixed (encrypted, under a random key); `secret_ballot` is
rebuilt without a rowid on SQLite and its rows copied in receipt order, so that neither the order of its
rows nor (on PostgreSQL) their place in the heap follows the order in which residents voted.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 15:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _secret_ballot(name: str, *, with_rowid: bool) -> None:
    op.create_table(
        name,
        sa.Column('receipt', sa.String(length=24), nullable=False),
        sa.Column('vote_id', sa.Integer(), nullable=False),
        sa.Column('choice', sa.Text(), nullable=False),
        sa.Column('heads', sa.Integer(), nullable=False),
        sa.Column('area_centi', sa.Integer(), nullable=False),
        sa.Column('paper_serial', sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(['vote_id'], ['vote.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('receipt', 'vote_id', name=f'pk_{name}'),
        sqlite_with_rowid=with_rowid,
    )


def _rebuild(*, with_rowid: bool) -> None:
    _secret_ballot('secret_ballot_new', with_rowid=with_rowid)
    op.execute(
        "INSERT INTO secret_ballot_new (receipt, vote_id, choice, heads, area_centi, paper_serial) "
        "SELECT receipt, vote_id, choice, heads, area_centi, paper_serial FROM secret_ballot ORDER BY receipt"
    )
    op.drop_table('secret_ballot')
    op.rename_table('secret_ballot_new', 'secret_ballot')
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("ALTER TABLE secret_ballot RENAME CONSTRAINT pk_secret_ballot_new TO secret_ballot_pkey")


def upgrade() -> None:
    op.create_table(
        'sealed_ballot',
        sa.Column('token', sa.String(length=32), nullable=False),
        sa.Column('vote_id', sa.Integer(), nullable=False),
        sa.Column('sealed', sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(['vote_id'], ['vote.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('token'),
        sqlite_with_rowid=False,
    )
    op.create_index(op.f('ix_sealed_ballot_vote_id'), 'sealed_ballot', ['vote_id'], unique=False)
    _rebuild(with_rowid=False)


def downgrade() -> None:
    # Ballots still sealed cannot be opened here (the key is the server's): close their votes first.
    op.drop_index(op.f('ix_sealed_ballot_vote_id'), table_name='sealed_ballot')
    op.drop_table('sealed_ballot')
    _rebuild(with_rowid=True)
