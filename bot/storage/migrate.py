"""Schema upgrades with Alembic, configured in code (no alembic.ini needed)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at ``url`` to ``revision``. Must be called outside a running event loop."""
    command.upgrade(alembic_config(url), revision)


async def upgrade_async(url: str) -> None:
    """Run :func:`upgrade` from async code (Alembic's env starts its own event loop)."""
    await asyncio.to_thread(upgrade, url)


class SchemaOutOfDate(Exception):
    """The database is not at the latest migration and may not be upgraded automatically."""


async def ensure_schema(url: str, *, upgrade: bool) -> None:
    """Upgrade the schema (SQLite: automatic on ``serve``) or check it is current (PostgreSQL,
    where several workers start at once and upgrades are an explicit ``migassist db upgrade``)."""
    if upgrade:
        await upgrade_async(url)
        return
    current, head = await _revisions(url)
    if current != head:
        raise SchemaOutOfDate(
            f"database schema is at revision {current or 'none'}, expected {head}: run 'migassist db upgrade'"
        )


async def _revisions(url: str) -> tuple[str | None, str | None]:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from bot.storage.database import create_engine

    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            current = await connection.run_sync(lambda c: MigrationContext.configure(c).get_current_revision())
        return current, head
    finally:
        await engine.dispose()
