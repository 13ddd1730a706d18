"""Tables of the content editors' workspace: the audit log, review comments, decisions taken on
unanswered questions, the editable NLU training data, and the registry of trained models.

Content itself lives in ``content_revisions`` (:mod:`bot.storage.content`); these tables record
who did what around it. None of them stores message text except ``training_files`` (the
training data, which editors write on purpose, with personal data masked).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.base import Base, UtcDateTime, utcnow


class AuditEntry(Base):
    """One change made in the editors' workspace: who, when, what (``action`` on ``target``).

    ``detail`` is a short JSON object (revision numbers, intent names, a reason) — never message
    text or personal data.
    """

    __tablename__ = "editorial_audit"
    __table_args__ = (Index("ix_editorial_audit_target", "target", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(48))
    target: Mapped[str] = mapped_column(String(200))
    detail: Mapped[str] = mapped_column(Text, default="{}")


class ContentComment(Base):
    """A reviewer's or author's comment on a content revision."""

    __tablename__ = "content_comments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("content_revisions.id", ondelete="CASCADE"), index=True)
    author: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class InboxDecision(Base):
    """What an editor did with an unanswered question: ``trained`` (added as an example of
    ``intent``), ``article`` (linked to article ``article_id``) or ``dismissed``. A message with a
    decision leaves the inbox."""

    __tablename__ = "inbox_decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), unique=True)
    decision: Mapped[str] = mapped_column(String(16))
    intent: Mapped[str | None] = mapped_column(String(64))
    article_id: Mapped[str | None] = mapped_column(String(100))
    decided_by: Mapped[str] = mapped_column(String(64))
    decided_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class TrainingFile(Base):
    """The current NLU training data of one language (Rasa NLU YAML, as in ``nlu/data/<language>.yml``).

    Seeded from the configured data directory on first use; exported back to it for Git review.
    """

    __tablename__ = "training_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    language: Mapped[str] = mapped_column(String(8), unique=True)
    body: Mapped[str] = mapped_column(Text)
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class ModelVersion(Base):
    """One NLU model trained from the editors' data: ``training`` → ``ready`` (or ``failed``) →
    ``active`` (→ ``retired`` when another is activated). ``figures`` holds the held-out evaluation
    of this model and of the model that was live when it was trained (JSON)."""

    __tablename__ = "nlu_models"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default="training")
    path: Mapped[str] = mapped_column(String(500))
    data_hash: Mapped[str | None] = mapped_column(String(64))
    figures: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    activated_by: Mapped[str | None] = mapped_column(String(64))
    activated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    override_reason: Mapped[str | None] = mapped_column(Text)
