"""a place's settings (规则设置): one row per place and setting, inherited by the places inside; the proposals'
rules move there from proposal_rules, and a vote keeps whether its non-voters join the majority

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 11:30:00
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KIND_CODES = {"count": "count", "share_of_households": "households", "share_of_adults": "adults", "owners": "owners"}


def upgrade() -> None:
    op.create_table('place_setting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('place_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('value', sa.String(length=24), nullable=True),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['place_id'], ['place.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('place_id', 'key', name='uq_place_setting_key')
    )
    connection = op.get_bind()
    now = datetime.now(UTC)
    if connection.dialect.name == 'sqlite':  # stored as UTC without a zone, as deliberate.db.UTCDateTime does
        now = now.replace(tzinfo=None)
    rows = connection.execute(sa.text(
        "SELECT place_id, threshold_kind, threshold_count, threshold_numerator, threshold_denominator, "
        "review_days, disclosure_days, rating_days, satisfaction_formula, plan_days FROM proposal_rules")).all()
    setting = sa.table('place_setting', sa.column('place_id', sa.Integer()), sa.column('key', sa.String()),
                       sa.column('value', sa.String()), sa.column('changed_at', sa.DateTime(timezone=True)))
    for place_id, kind, count, numerator, denominator, review, disclosure, rating, formula, plan in rows:
        threshold = f"count:{count}" if kind == "count" else f"{KIND_CODES[kind]}:{numerator}/{denominator}"
        values = {"proposals.threshold": threshold, "proposals.review_days": str(review),
                  "proposals.disclosure_days": str(disclosure), "proposals.rating_days": str(rating),
                  "proposals.satisfaction_formula": formula, "proposals.plan_days": str(plan)}
        op.bulk_insert(setting, [{"place_id": place_id, "key": key, "value": value, "changed_at": now}
                                 for key, value in values.items()])
    op.drop_table('proposal_rules')
    op.add_column('vote', sa.Column('non_voters_with_majority', sa.Boolean(), nullable=False, server_default='0'))


def downgrade() -> None:
    with op.batch_alter_table('vote', schema=None) as batch_op:
        batch_op.drop_column('non_voters_with_majority')
    op.create_table('proposal_rules',
    sa.Column('place_id', sa.Integer(), nullable=False),
    sa.Column('threshold_kind', sa.String(length=24), nullable=False),
    sa.Column('threshold_count', sa.Integer(), nullable=False),
    sa.Column('threshold_numerator', sa.Integer(), nullable=False),
    sa.Column('threshold_denominator', sa.Integer(), nullable=False),
    sa.Column('review_days', sa.Integer(), nullable=False),
    sa.Column('disclosure_days', sa.Integer(), nullable=False),
    sa.Column('rating_days', sa.Integer(), nullable=False),
    sa.Column('satisfaction_formula', sa.String(length=24), nullable=False),
    sa.Column('plan_days', sa.Integer(), nullable=False, server_default='30'),
    sa.ForeignKeyConstraint(['place_id'], ['place.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('place_id')
    )
    op.drop_table('place_setting')
