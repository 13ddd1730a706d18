"""The Alembic migrations create exactly the schema the models describe, on both databases."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from bot.storage import schema
from bot.storage.database import create_engine
from bot.storage.migrate import SchemaOutOfDate, ensure_schema, upgrade, upgrade_async
from tests.starting_together import failures_starting_together


@pytest.fixture(params=["sqlite", "postgres"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'schema.db'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.mark.asyncio
async def test_migrations_match_models(url: str) -> None:
    await upgrade_async(url)
    await upgrade_async(url)  # repeating is harmless
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            diff = await connection.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync), schema.metadata())
            )
    finally:
        await engine.dispose()
    assert diff == []


@pytest.mark.asyncio
async def test_postgres_schema_is_checked_not_silently_upgraded(postgres_url: str) -> None:
    with pytest.raises(SchemaOutOfDate, match="migassist db upgrade"):
        await ensure_schema(postgres_url, upgrade=False)
    await upgrade_async(postgres_url)
    await ensure_schema(postgres_url, upgrade=False)


def _upgrade_new_database(path: Path) -> None:
    upgrade(f"sqlite:///{path}")


def test_processes_upgrading_a_new_sqlite_database_at_once_apply_each_migration_once(tmp_path: Path) -> None:
    # Before the upgrade ran in one transaction, about one start in five failed here
    # ("duplicate column name: parts_sent").
    assert failures_starting_together(_upgrade_new_database, tmp_path, databases=16) == []
