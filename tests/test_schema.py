"""The Alembic migrations create exactly the schema the models describe, on both databases."""

from __future__ import annotations

import multiprocessing
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from bot.storage import schema
from bot.storage.database import create_engine
from bot.storage.migrate import SchemaOutOfDate, ensure_schema, upgrade, upgrade_async


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


def _upgrade_new_databases(barrier: Barrier, directory: Path, count: int, failures: Queue[str]) -> None:
    """A process starting together with others on each of ``count`` new databases: everything
    imported, then upgrade with the others."""
    for number in range(count):
        barrier.wait()
        try:
            upgrade(f"sqlite:///{directory / f'new-{number}.db'}")
        except Exception as exc:  # reported to the test, which names it
            failures.put(f"database {number}: {exc!r}")


def test_processes_upgrading_a_new_sqlite_database_at_once_apply_each_migration_once(tmp_path: Path) -> None:
    # Four processes at a barrier, on several new databases: before the upgrade ran in one
    # transaction, about one start in five failed here ("duplicate column name: parts_sent").
    spawn = multiprocessing.get_context("spawn")
    barrier = spawn.Barrier(4)
    failures: Queue[str] = spawn.Queue()
    starting = [spawn.Process(target=_upgrade_new_databases, args=(barrier, tmp_path, 16, failures)) for _ in range(4)]
    for process in starting:
        process.start()
    for process in starting:
        process.join(120)
    assert [process.exitcode for process in starting] == [0, 0, 0, 0]
    assert failures.empty(), failures.get()
