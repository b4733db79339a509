"""The migrations build exactly the schema the models describe: nothing left for autogenerate to do."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from deliberate.models import metadata


def test_migrations_and_models_agree(database):
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)
    assert differences == []
