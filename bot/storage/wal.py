"""Checkpoints of SQLite's write-ahead log, off the request path.

In WAL mode a commit appends pages to ``<database>-wal``; a *checkpoint* copies them back into the
database file and syncs it. By default the commit that takes the log past 1000 pages runs the
checkpoint itself, inside its transaction — on the event loop, holding the write lock every worker
waits for (measured: the largest single cost of a commit under load). A server therefore leaves
checkpoints to :func:`checkpoint_forever`, which runs a ``PASSIVE`` checkpoint — it waits for no
reader and blocks no writer — on its own connection in a worker thread every
:data:`CHECKPOINT_INTERVAL` seconds; commits still checkpoint themselves past
:data:`COMMIT_CHECKPOINT_PAGES`, should the background ones ever fall behind.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from concurrent.futures import ThreadPoolExecutor

log = logging.getLogger(__name__)

CHECKPOINT_INTERVAL = 0.25
#: A server's commits checkpoint themselves only once the log is this long (64 MiB of 4 KiB pages).
COMMIT_CHECKPOINT_PAGES = 16384


async def checkpoint_forever(database: str, interval: float = CHECKPOINT_INTERVAL) -> None:
    """Checkpoint the log of ``database`` (a file path) every ``interval`` seconds until cancelled.

    The connection lives on one thread of its own: a checkpoint still running when the task is
    cancelled finishes before the connection is closed there."""
    loop = asyncio.get_running_loop()
    thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="wal-checkpoints")
    try:
        connection = await loop.run_in_executor(thread, sqlite3.connect, database)
        try:
            while True:
                await asyncio.sleep(interval)
                try:
                    await loop.run_in_executor(thread, checkpoint, connection)
                except sqlite3.Error:
                    log.warning("WAL checkpoint failed; will retry", exc_info=True)
        finally:
            thread.submit(connection.close)
    finally:
        thread.shutdown(wait=False)


def checkpoint(connection: sqlite3.Connection) -> tuple[int, int]:
    """One ``PASSIVE`` checkpoint: the log's length and how much of it is now in the database
    file (both in pages; ``-1`` when the database is not in WAL mode)."""
    _, logged, copied = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    return int(logged), int(copied)
