"""Group commit: small writes that arrive together share one transaction.

Some writes are many, small and independent — a delivery status a platform reports, the outcome
of one delivery attempt — and each must be committed before its caller goes on (a webhook is
acknowledged, the next reply is sent). A transaction costs mostly its fixed part (on SQLite
~200 µs of session machinery around ~20 µs of SQL), so :class:`GroupCommit` runs the writes
that arrive while it is busy, or in the same turn of the event loop, in one transaction; every
caller still returns only once its write is committed.

A write that fails must not take the others down with it: when a shared transaction fails, each
of its writes is run again in a transaction of its own, and only the failing one's caller gets
the error. Writes are therefore run again after a rollback, and must not do anything outside
the transaction.

This pays on SQLite, where every transaction takes the one write lock all processes share, in
turn anyway. On PostgreSQL transactions run side by side over the connection pool, each with
its network round trips and its commit's flush: funnelled through one writer they queued
behind each other (WhatsApp, c=8: p99 93–96 → 310–335 ms), so there every write keeps a
transaction of its own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

Item = TypeVar("Item")
Result = TypeVar("Result")


class GroupCommit(Generic[Item, Result]):
    """Runs ``write(session, item)`` for each item, several items per transaction when they
    arrive together, in the order they arrived."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], write: Callable[[AsyncSession, Item], Awaitable[Result]], name: str
    ) -> None:
        self._sessions = sessions
        self._write = write
        self._name = name
        self._shared = sessions.kw["bind"].dialect.name == "sqlite"
        self._waiting: list[tuple[Item, asyncio.Future[Result]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def run(self, item: Item) -> Result:
        """Write ``item``; return the write's result once it is committed."""
        if not self._shared:
            async with self._sessions.begin() as session:
                return await self._write(session, item)
        done: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, done))
        if self._writer is None:
            # Runs after the tasks already scheduled: those that write meanwhile join its batch.
            self._writer = asyncio.create_task(self._write_waiting(), name=self._name)
        return await done

    async def _write_waiting(self) -> None:
        batch: list[tuple[Item, asyncio.Future[Result]]] = []
        try:
            while self._waiting:
                batch, self._waiting = self._waiting, []
                await self._commit(batch)
                batch = []
        except BaseException:
            # Cancelled (the loop is shutting down): nobody may wait for ever on a write that
            # will not happen.
            for _, done in batch + self._waiting:
                done.cancel()
            self._waiting = []
            raise
        finally:
            self._writer = None

    async def _commit(self, batch: list[tuple[Item, asyncio.Future[Result]]]) -> None:
        try:
            async with self._sessions.begin() as session:
                results = [await self._write(session, item) for item, _ in batch]
        except Exception as error:
            if len(batch) > 1:
                for waiting in batch:  # each alone: only a write that fails gets the error
                    await self._commit([waiting])
            elif not batch[0][1].done():
                batch[0][1].set_exception(error)
            return
        for (_, done), result in zip(batch, results, strict=True):
            if not done.done():  # else its caller was cancelled meanwhile (say, its client went away)
                done.set_result(result)
