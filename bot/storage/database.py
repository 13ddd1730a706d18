"""Engine and session factory for SQLite (the default; run on the event loop, see
:mod:`bot.storage.sqlite_inloop`) and PostgreSQL (asyncpg)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from bot.storage import sqlite_inloop, wal

#: The first key of MigAssist's PostgreSQL advisory locks, so they never collide with another
#: application's. Second keys: a conversation's id (its units of work), 0 (the queue sweeper),
#: -1 (seeding the content on first start).
ADVISORY_NAMESPACE = 0x4D41  # "MA"

#: How long a SQLite transaction waits for another process's write lock (a CLI command).
SQLITE_LOCK_TIMEOUT = 30.0


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def sqlite_file(url: str) -> str | None:
    """The database file of a SQLite URL; ``None`` for an in-memory SQLite database (private to
    one process) or another database."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return parsed.database


def session_dialect(session: AsyncSession) -> Dialect:
    """The database dialect ``session`` is bound to."""
    if session.bind is None:
        raise RuntimeError("the session is not bound to an engine")
    return session.bind.dialect


def dialect_name(session: AsyncSession) -> str:
    """The name of the database dialect ``session`` is bound to (``"sqlite"``, ``"postgresql"``)."""
    return session_dialect(session).name


async def advisory_lock(session: AsyncSession, key: int) -> None:
    """Wait for MigAssist's transaction-level advisory lock ``key`` (PostgreSQL; held until the
    transaction ends). On SQLite nothing: ``BEGIN IMMEDIATE`` already serialises every writer, of
    every process."""
    if dialect_name(session) == "postgresql":
        await session.execute(select(func.pg_advisory_xact_lock(ADVISORY_NAMESPACE, key)))


async def try_advisory_lock(session: AsyncSession, key: int) -> bool:
    """Take MigAssist's transaction-level advisory lock ``key`` if nobody holds it (PostgreSQL);
    always true on SQLite (see :func:`advisory_lock`)."""
    if dialect_name(session) != "postgresql":
        return True
    return bool(await session.scalar(select(func.pg_try_advisory_xact_lock(ADVISORY_NAMESPACE, key))))


def create_engine(url: str, echo: bool = False, checkpoint_in_background: bool = False) -> AsyncEngine:
    """Create the async engine. Any SQLite URL (``sqlite:///path``, also with a driver such as
    ``+aiosqlite``) uses the in-loop driver: the directory is created, and every connection gets
    WAL, foreign keys and ``BEGIN IMMEDIATE`` transactions. ``checkpoint_in_background``: the
    caller runs :func:`bot.storage.wal.checkpoint_forever`, so commits leave the log's checkpoints
    to it (a server)."""
    parsed = make_url(url)
    kwargs: dict[str, Any] = {"echo": echo}
    if is_sqlite(url):
        kwargs["connect_args"] = {"timeout": SQLITE_LOCK_TIMEOUT}
        database = sqlite_file(url)
        if database is not None:
            Path(database).parent.mkdir(parents=True, exist_ok=True)
            # Processes sharing the file take turns on this lock file (sqlite_inloop).
            kwargs["connect_args"]["writer_lock"] = f"{database}-writer"
        parsed = parsed.set(drivername=f"sqlite+{sqlite_inloop.DRIVER}")
        # One connection, handed out first come, first served (the dialect's pool): SQLite has
        # a single writer anyway.
        kwargs.update(pool_size=1, max_overflow=0)
    else:
        kwargs.update(pool_size=10, max_overflow=10, pool_pre_ping=True)
    engine = create_async_engine(parsed, **kwargs)
    if is_sqlite(url):

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            # Connecting waits for locks (the connect-time timeout); afterwards only BEGIN
            # may wait, off the loop (sqlite_inloop.begin_immediate).
            dbapi_connection.driver_connection.use_write_ahead_log()
            dbapi_connection.execute("PRAGMA synchronous=NORMAL")
            if checkpoint_in_background:
                dbapi_connection.execute(f"PRAGMA wal_autocheckpoint={wal.COMMIT_CHECKPOINT_PAGES}")
            dbapi_connection.execute("PRAGMA foreign_keys=ON")
            dbapi_connection.execute("PRAGMA busy_timeout=0")
            # Let SQLAlchemy's "begin" below open transactions instead of the driver.
            dbapi_connection.isolation_level = None

        @event.listens_for(engine.sync_engine, "begin")
        def _sqlite_begin_immediate(connection: Any) -> None:
            # Take the write lock at BEGIN so two units of work never fail on a lock upgrade.
            sqlite_inloop.begin_immediate(connection.connection.driver_connection, SQLITE_LOCK_TIMEOUT)

    return engine


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions for ``engine``; on SQLite they end in the calling task (:class:`SQLiteSession`)."""
    session_class = SQLiteSession if engine.dialect.name == "sqlite" else AsyncSession
    return async_sessionmaker(engine, class_=session_class, expire_on_commit=False)


class SQLiteSession(AsyncSession):
    """A session whose ``async with`` blocks end — commit or rollback, and the connection back
    in the pool — in the calling task, before anything else runs.

    SQLAlchemy ends them in a task of its own, so that a cancellation cannot interrupt the
    clean-up, and the caller waits for that task: a turn of the event loop, in which every other
    ready request runs first while the transaction stays open — and with it SQLite's write lock,
    which all processes share (measured: most of a transaction's time). The in-loop driver ends
    a transaction without suspending, so no cancellation can interrupt it here either.
    """

    async def __aexit__(self, type_: Any, value: Any, traceback: Any) -> None:
        await self.close()

    def _maker_context_manager(self) -> Any:
        return _SQLiteTransactionBlock(self)


class _SQLiteTransactionBlock:
    """``async with sessionmaker.begin()`` for :class:`SQLiteSession`: commit (or roll back)
    and close in the calling task."""

    __slots__ = ("session", "transaction")

    def __init__(self, session: SQLiteSession) -> None:
        self.session = session

    async def __aenter__(self) -> SQLiteSession:
        self.transaction = self.session.begin()
        await self.transaction.__aenter__()
        return self.session

    async def __aexit__(self, type_: Any, value: Any, traceback: Any) -> None:
        try:
            await self.transaction.__aexit__(type_, value, traceback)
        finally:
            await self.session.close()
