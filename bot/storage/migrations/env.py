"""Alembic environment: runs migrations on the async engine named in the Alembic config."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from bot.storage import schema
from bot.storage.database import create_engine

config = context.config
target_metadata = schema.metadata()


def _run(connection: Connection) -> None:
    # One transaction for the whole upgrade, begun before Alembic reads the current revision.
    # Alembic runs each SQLite migration in a transaction of its own (it assumes no transactional
    # DDL there), so processes starting together on a new database (serve --workers N) read the
    # revision between each other's migrations and applied one twice. On SQLite the transaction
    # begins with BEGIN IMMEDIATE: the others wait, then find the schema current.
    with connection.begin():
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        context.run_migrations()


async def _run_async() -> None:
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "")
    async with engine.connect() as connection:
        await connection.run_sync(_run)
    await engine.dispose()


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(_run_async())
