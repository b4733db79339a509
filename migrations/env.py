"""Alembic environment: targets SQLModel.metadata with every model imported."""

from __future__ import annotations

from alembic import context

from deliberate.db import Database, UTCDateTime
from deliberate.models import metadata
from deliberate.settings import Settings

config = context.config


def _settings() -> Settings:
    settings = Settings.from_env()
    url = config.get_main_option("sqlalchemy.url")
    if url:
        from dataclasses import replace

        settings = replace(settings, database_url=url)
    return settings


def render_item(type_: str, obj: object, autogen_context: object) -> str | bool:
    """Migrations name plain SQLAlchemy types: UTCDateTime is a timezone-aware DateTime."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_offline() -> None:
    context.configure(url=_settings().database_url, target_metadata=metadata, literal_binds=True,
                      render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    database = Database(_settings())
    with database.engine.connect() as connection:
        context.configure(connection=connection, target_metadata=metadata, render_as_batch=True,
                          compare_type=True, render_item=render_item)
        with context.begin_transaction():
            context.run_migrations()
    database.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
