"""Staff accounts (operators, editors, admins) who sign in to the web consoles."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.base import Base, UtcDateTime, utcnow


class Account(Base):
    """A person who signs in. ``role`` is ``operator``, ``editor`` or ``admin``; ``languages`` is a
    comma-separated list of the languages an operator answers in (``az,ru``). ``session_version``
    is bumped by a password change or disabling, which invalidates every issued session cookie."""

    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(128))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    languages: Mapped[str] = mapped_column(String(32), default="")
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    @property
    def language_list(self) -> tuple[str, ...]:
        return tuple(code for code in self.languages.split(",") if code)
