"""Core statements of the message path, prepared once and run with as little machinery as the
database allows.

Every message runs about seven small statements. Through ``session.execute`` each costs some
80 µs of SQLAlchemy (ORM execution options, execution context, result objects, a greenlet per
call) against ~10 µs in SQLite itself, and on SQLite all of it happens while the write lock that
every worker shares is held. So on the in-loop SQLite driver a :class:`Prepared` statement is
compiled once (per set of parameter names) and run straight on the ``sqlite3`` connection of the
session's transaction, with the type processing SQLAlchemy would apply: the dialect's bind and
result processors, and Python-side column defaults (``default=``/``onupdate=``). On any other
database it goes through the session as usual.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Column, Insert, Select, Update
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.compiler import SQLCompiler

from bot.storage import sqlite_inloop
from bot.storage.database import session_dialect

Params = Mapping[str, Any]
Processor = Callable[[Any], Any] | None
Statement = Select[Any] | Insert | Update


class Prepared:
    """One Core statement (``select``/``insert``/``update`` with named ``bindparam``\\ s)."""

    __slots__ = ("statement", "_forms")

    def __init__(self, statement: Statement) -> None:
        self.statement = statement
        self._forms: dict[tuple[str, ...], _SQLiteForm] = {}

    async def rows(self, session: AsyncSession, params: Params) -> list[tuple[Any, ...]]:
        """All result rows, as tuples."""
        connection = await _sqlite_connection(session)
        if connection is None:
            return [tuple(row) for row in await session.execute(self.statement, params)]
        form = self._form(session, params)
        return [form.row(raw) for raw in connection.execute(form.sql, form.parameters(params)).fetchall()]

    async def scalar(self, session: AsyncSession, params: Params) -> Any:
        """The first column of the first row, or ``None`` without rows."""
        connection = await _sqlite_connection(session)
        if connection is None:
            return await session.scalar(self.statement, params)
        form = self._form(session, params)
        raw = connection.execute(form.sql, form.parameters(params)).fetchone()
        return None if raw is None else form.row(raw)[0]

    async def scalar_each(self, session: AsyncSession, rows: Sequence[Params]) -> list[Any]:
        """Run an ``INSERT … RETURNING`` once per parameter set; the first returned column of
        each, in order."""
        connection = await _sqlite_connection(session)
        if connection is None:
            return list((await session.execute(self.statement, list(rows))).scalars().all())
        returned = []
        for params in rows:
            form = self._form(session, params)
            returned.append(form.row(connection.execute(form.sql, form.parameters(params)).fetchone())[0])
        return returned

    async def run(self, session: AsyncSession, rows: Params | Sequence[Params]) -> int:
        """Execute with one parameter set, or once per set; the number of rows changed."""
        many = [rows] if isinstance(rows, Mapping) else list(rows)
        connection = await _sqlite_connection(session)
        if connection is None:
            result = await session.execute(self.statement, rows if isinstance(rows, Mapping) else many)
            return int(result.rowcount)  # type: ignore[attr-defined]
        changed = 0
        for params in many:
            form = self._form(session, params)
            changed += connection.execute(form.sql, form.parameters(params)).rowcount
        return changed

    def _form(self, session: AsyncSession, params: Params) -> _SQLiteForm:
        keys = tuple(params)
        form = self._forms.get(keys)
        if form is None:
            dialect = session_dialect(session)
            compiled = self.statement.compile(dialect=dialect, column_keys=list(keys))
            form = self._forms[keys] = _SQLiteForm(compiled, dialect)
        return form


class _SQLiteForm:
    """A statement compiled for SQLite with one set of parameter names."""

    __slots__ = ("sql", "_fixed", "_required", "_positions", "_defaults", "_results")

    def __init__(self, compiled: SQLCompiler, dialect: Dialect) -> None:
        self.sql = compiled.string
        # The statement's own values (literals such as ``direction == "in"``), once.
        self._fixed = compiled.construct_params(_check=False)
        self._required = frozenset(name for name, bind in compiled.binds.items() if bind.required)
        processors = compiled._bind_processors
        self._positions: list[tuple[str, Processor]] = [
            (name, processors.get(name)) for name in compiled.positiontup or ()  # type: ignore[misc]
        ]
        self._defaults = [(column.key, _python_default(column, column.onupdate)) for column in compiled.update_prefetch] + [
            (column.key, _python_default(column, column.default)) for column in compiled.insert_prefetch
        ]
        self._results: list[Processor] = [
            column_type._cached_result_processor(dialect, None) for *_, column_type in compiled._result_columns
        ]

    def parameters(self, given: Params) -> list[Any]:
        missing = self._required.difference(given)
        if missing:
            raise TypeError(f"no value for the parameters {sorted(missing)} of: {self.sql}")
        values = {**self._fixed, **given}
        for key, default in self._defaults:
            if key not in given:
                values[key] = default()
        return [values[name] if process is None else process(values[name]) for name, process in self._positions]

    def row(self, raw: Sequence[Any]) -> tuple[Any, ...]:
        return tuple(value if process is None else process(value) for process, value in zip(self._results, raw, strict=True))


def _python_default(column: Column[Any], default: Any) -> Callable[[], Any]:
    """The value SQLAlchemy would give ``column`` from its ``default=``/``onupdate=``."""
    if default is not None and default.is_scalar:
        return lambda: default.arg
    if default is not None and default.is_callable:
        return lambda: default.arg(None)  # SQLAlchemy wraps a plain callable to take a context
    raise TypeError(f"column {column} has a default Prepared cannot compute; give it explicitly")


#: ``session.info`` key: the transaction whose ``sqlite3`` connection was looked up last, and it.
_IN_TRANSACTION = "migassist.prepared.connection"


async def _sqlite_connection(session: AsyncSession) -> sqlite3.Connection | None:
    """The ``sqlite3`` connection of the session's transaction (begun now if need be, with
    pending ORM changes flushed first, as ``session.execute`` would); ``None`` off SQLite."""
    if session_dialect(session).driver != sqlite_inloop.DRIVER:
        return None
    if session.new or session.dirty or session.deleted:
        await session.flush()
    transaction = session.sync_session.get_transaction()
    known = session.info.get(_IN_TRANSACTION)
    if transaction is not None and known is not None and known[0] is transaction:
        return known[1]
    connection = await session.connection()
    driver: sqlite_inloop.DriverConnection = connection.sync_connection.connection.driver_connection  # type: ignore[union-attr, assignment]
    session.info[_IN_TRANSACTION] = (session.sync_session.get_transaction(), driver.raw)
    return driver.raw
