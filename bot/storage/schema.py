"""The complete schema: importing this module registers every table on ``Base.metadata``.

Alembic and the schema test use :func:`metadata`; add a new model module to the import list.
"""

from __future__ import annotations

from sqlalchemy import MetaData

from bot.storage import accounts, content, editorial, handoff, models, receipts  # noqa: F401  (registers tables)
from bot.storage.base import Base


def metadata() -> MetaData:
    return Base.metadata
