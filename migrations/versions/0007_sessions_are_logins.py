"""sessions are logins only: no flashes or CSRF tokens in the database

Messages shown after a form (which once carried a secret ballot's receipt beside the voter's account) and
the CSRF seed now travel in the signed cookie; anonymous visitors have no row at all.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 04:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("DELETE FROM web_session WHERE user_id IS NULL")
    with op.batch_alter_table('web_session', schema=None) as batch_op:
        batch_op.drop_column('flashes')
        batch_op.drop_column('csrf_token')


def downgrade() -> None:
    with op.batch_alter_table('web_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('csrf_token', sa.String(length=64), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('flashes', sa.Text(), nullable=False, server_default='[]'))
