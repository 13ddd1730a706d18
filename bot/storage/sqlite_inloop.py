"""SQLite for the asyncio engine, run on the event loop's own thread.

aiosqlite runs every driver call (cursor, execute, fetch, commit) on a worker thread and wakes
the event loop for each result; a message's statements then cost ~100 thread round trips, which
measured as most of MigAssist's latency (docs/performance.md). SQLite answers our small indexed
statements in microseconds, so this driver calls the standard ``sqlite3`` module directly, behind
the awaitable interface SQLAlchemy's asyncio adaptation expects (every call completes at once).

Only one thing makes SQLite wait: another process holding the write lock (another server
worker, or a ``migassist`` command run next to the server). Connections therefore have no busy
timeout on the loop, and ``BEGIN IMMEDIATE`` — where the write lock is taken, once per
transaction — moves to a worker thread that waits for the lock when it is taken
(:func:`begin_immediate`), so the loop never sleeps on a lock.

SQLite's own wait for its lock is a sleep-and-retry loop (1, 2, 5, 10… ms), which leaves the
database idle while waiters sleep. So MigAssist's processes take turns on a *writer lock file*
first (``flock`` on ``<database>-writer``), held from ``BEGIN IMMEDIATE`` to commit or rollback;
SQLite's lock still guards against any other writer. A process that finds the turn taken waits on
a worker thread, which the kernel wakes the moment the holder commits, and then takes the turn on
the loop, when the waiting task runs again — a turn taken by the thread would stay held while the
loop finished other work first (measured: a third of every turn). A turn is waited for without a
time limit: its holder is a MigAssist transaction (of a server or a command), which waits for
nothing but SQLite's lock, and that only up to the lock timeout. Use it through
:func:`bot.storage.database.create_engine`.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import sqlite3
from typing import Any

from sqlalchemy import pool
from sqlalchemy.connectors.asyncio import AsyncAdapt_dbapi_connection, AsyncAdapt_dbapi_module
from sqlalchemy.dialects import registry
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.engine import URL
from sqlalchemy.util.concurrency import await_

DRIVER = "inloop"


class _Cursor:
    """A ``sqlite3`` cursor with awaitable methods."""

    __slots__ = ("_cursor",)

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    async def __aenter__(self) -> _Cursor:
        return self

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value

    async def execute(self, operation: str, parameters: Any = ()) -> None:
        self._cursor.execute(operation, parameters)

    async def executemany(self, operation: str, seq_of_parameters: Any) -> None:
        self._cursor.executemany(operation, seq_of_parameters)

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()


class DriverConnection:
    """A ``sqlite3`` connection (``raw``) with awaitable methods, and its turn on the writer
    lock file: ``writer_lock`` holds the turn, ``release_watch`` (the same file opened again) waits
    for another holder to end its turn; both ``None`` for an in-memory database."""

    __slots__ = ("raw", "writer_lock", "release_watch", "has_turn")

    def __init__(self, raw: sqlite3.Connection, lock_file: str | None) -> None:
        self.raw = raw
        self.writer_lock: int | None = _open_lock_file(lock_file) if lock_file else None
        self.release_watch: int | None = _open_lock_file(lock_file) if lock_file else None
        self.has_turn = lock_file is None

    def cursor(self) -> _Cursor:
        return _Cursor(self.raw.cursor())

    async def commit(self) -> None:
        try:
            self.raw.commit()
        finally:
            self.end_turn()

    async def rollback(self) -> None:
        try:
            self.raw.rollback()
        finally:
            self.end_turn()

    async def close(self) -> None:
        self.raw.close()
        for descriptor in (self.writer_lock, self.release_watch):
            if descriptor is not None:
                os.close(descriptor)  # also ends a turn still held

    def try_turn(self) -> bool:
        """Take this process's turn on the writer lock if it is free (never blocks)."""
        if not self.has_turn:
            try:
                fcntl.flock(self.writer_lock, fcntl.LOCK_EX | fcntl.LOCK_NB)  # type: ignore[arg-type]
            except BlockingIOError:
                return False
            self.has_turn = True
        return True

    def wait_for_release(self) -> None:
        """Block until the turn's holder has ended it (on a worker thread only). The turn is not
        taken: :meth:`try_turn` does that, on the loop."""
        fcntl.flock(self.release_watch, fcntl.LOCK_EX)  # type: ignore[arg-type]
        fcntl.flock(self.release_watch, fcntl.LOCK_UN)  # type: ignore[arg-type]

    def use_write_ahead_log(self) -> None:
        """Put the database in WAL mode (a new file starts in rollback-journal mode).

        The switch needs SQLite's exclusive lock. Two connections switching at once each hold a
        read lock while asking for it, and SQLite fails one of them at once, without waiting
        (it would be a deadlock): processes starting together on a new database (``serve
        --workers N``). So the switch is made in this process's turn on the writer lock, which
        blocks until no other MigAssist transaction or switch holds it; connecting is rare."""
        if self.raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
            return
        if self.writer_lock is not None:
            fcntl.flock(self.writer_lock, fcntl.LOCK_EX)
        try:
            self.raw.execute("PRAGMA journal_mode=WAL")
        finally:
            if self.writer_lock is not None:
                fcntl.flock(self.writer_lock, fcntl.LOCK_UN)

    def end_turn(self) -> None:
        if self.writer_lock is not None and self.has_turn:
            fcntl.flock(self.writer_lock, fcntl.LOCK_UN)
            self.has_turn = False


class _AdaptedConnection(AsyncAdapt_dbapi_connection):
    __slots__ = ()

    _connection: DriverConnection  # type: ignore[assignment]

    @property
    def isolation_level(self) -> str | None:
        return self._connection.raw.isolation_level

    @isolation_level.setter
    def isolation_level(self, value: str | None) -> None:
        # sqlite3 also accepts "" (the default, which SQLAlchemy sets); typeshed's Literal omits it.
        self._connection.raw.isolation_level = value  # type: ignore[assignment]

    def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._connection.raw.create_function(*args, **kwargs)


class _DBAPI(AsyncAdapt_dbapi_module):
    def __init__(self) -> None:
        super().__init__(sqlite3, dbapi_module=sqlite3)
        self.paramstyle = "qmark"
        for name in (
            "DatabaseError", "Error", "IntegrityError", "NotSupportedError", "OperationalError",
            "ProgrammingError", "InterfaceError", "sqlite_version", "sqlite_version_info",
            "PARSE_COLNAMES", "PARSE_DECLTYPES", "Binary",
        ):
            setattr(self, name, getattr(sqlite3, name))

    def connect(self, *args: Any, writer_lock: str | None = None, **kwargs: Any) -> _AdaptedConnection:
        # Made on the loop, but BEGIN may wait for a lock on a worker thread.
        kwargs["check_same_thread"] = False
        # DriverConnection has only the part of SQLAlchemy's private AsyncIODBAPIConnection
        # protocol that this adapter's cursor and connection use.
        return _AdaptedConnection(self, DriverConnection(sqlite3.connect(*args, **kwargs), writer_lock))  # type: ignore[arg-type]


def _open_lock_file(path: str) -> int:
    return os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)


class FirstComeFirstServedPool(pool.AsyncAdaptedQueuePool):
    """The one SQLite connection, handed out strictly in the order it was asked for.

    The queue pool lets a task that asks just as the connection comes back take it ahead of
    the tasks already waiting (and re-queues those at the back), which under load left some
    requests waiting for hundreds of milliseconds. Here every checkout first takes a turn on an
    ``asyncio.Lock``, which serves its waiters in order. Use with ``pool_size=1, max_overflow=0``.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._turn = asyncio.Lock()

    def _do_get(self) -> Any:
        await_(self._turn.acquire())
        try:
            return super()._do_get()
        except BaseException:
            self._turn.release()
            raise

    def _do_return_conn(self, record: Any) -> None:
        try:
            super()._do_return_conn(record)
        finally:
            self._turn.release()


class InLoopSQLiteDialect(SQLiteDialect_pysqlite):
    """The pysqlite dialect over :class:`_DBAPI`, an async driver for ``create_async_engine``."""

    driver = DRIVER
    is_async = True
    supports_statement_cache = True

    @classmethod
    def import_dbapi(cls) -> Any:
        return _DBAPI()

    @classmethod
    def get_pool_class(cls, url: URL) -> type[pool.Pool]:
        return FirstComeFirstServedPool

    def get_driver_connection(self, connection: Any) -> Any:
        return connection._connection


registry.register(f"sqlite.{DRIVER}", __name__, "InLoopSQLiteDialect")


def begin_immediate(connection: DriverConnection, lock_timeout: float) -> None:
    """Start a write transaction: at once if this process's turn and SQLite's write lock are
    free, else wait for them on a worker thread (SQLite's lock up to ``lock_timeout`` seconds)
    while the loop goes on. Call it from SQLAlchemy's ``begin`` event (inside the engine's
    greenlet)."""
    while not connection.try_turn():
        # Cancelled meanwhile, the thread ends on its own: it holds nothing of the connection.
        await_(asyncio.to_thread(connection.wait_for_release))
    try:
        connection.raw.execute("BEGIN IMMEDIATE")
        return
    except sqlite3.OperationalError as exc:
        if exc.sqlite_errorcode & 0xFF != sqlite3.SQLITE_BUSY:
            connection.end_turn()
            raise
    # Another writer (not a MigAssist process: the sqlite3 shell, say) holds SQLite's own lock.
    waiting = asyncio.ensure_future(asyncio.to_thread(_begin_waiting, connection.raw, lock_timeout))
    try:
        await_(asyncio.shield(waiting))
    except asyncio.CancelledError:
        _abandon(waiting, connection)
        raise
    except BaseException:
        connection.end_turn()  # the lock timed out
        raise


def _abandon(waiting: asyncio.Future[None], connection: DriverConnection) -> None:
    """The caller was cancelled (say, its HTTP client went away) while a worker thread waits for
    SQLite's lock on its connection: let the thread finish before the connection goes back to
    the pool, and undo the transaction it may have begun meanwhile (ending the turn)."""
    while not waiting.done():  # also when cancelled again: the thread still holds the connection
        with contextlib.suppress(asyncio.CancelledError, sqlite3.Error):
            await_(asyncio.shield(waiting))
    waiting.exception()  # retrieved: a BEGIN that failed (the lock timed out) leaves nothing to undo
    if connection.raw.in_transaction:
        connection.raw.rollback()
    connection.end_turn()


def _begin_waiting(connection: sqlite3.Connection, lock_timeout: float) -> None:
    connection.execute(f"PRAGMA busy_timeout={int(lock_timeout * 1000)}")
    try:
        connection.execute("BEGIN IMMEDIATE")
    finally:
        connection.execute("PRAGMA busy_timeout=0")
