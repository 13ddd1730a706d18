"""Knowledge-base content revisions: every content file (YAML) is stored as a series of revisions.

A revision is the full text of one content file (``articles/registration.yml``) with who wrote
it, when, why, and its status: ``draft`` → ``review`` → ``published``; ``withdrawn`` records that
a file was removed. The published knowledge base is, for each path, its latest published or
withdrawn revision (withdrawn paths are left out). Storing whole files keeps export byte-exact,
so ``migassist kb import DIR`` followed by ``migassist kb export DIR2`` reproduces ``DIR``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Literal

from sqlalchemy import (
    CheckConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.base import Base, UtcDateTime, utcnow
from bot.storage.database import advisory_lock
from knowledge_base import ContentError, KnowledgeBase, load_files, read_content_files
from knowledge_base.validation import Problem, validate

RevisionStatus = Literal["draft", "review", "published", "withdrawn"]
STATUSES: tuple[RevisionStatus, ...] = ("draft", "review", "published", "withdrawn")
SEED_AUTHOR = "seed"
#: The content seeding's advisory-lock key (see ``bot.storage.database.ADVISORY_NAMESPACE``).
SEED_LOCK_KEY = -1


class ContentRevision(Base):
    """One revision of one content file."""

    __tablename__ = "content_revisions"
    __table_args__ = (
        UniqueConstraint("path", "revision"),
        CheckConstraint("status IN (" + ", ".join(f"'{status}'" for status in STATUSES) + ")", name="status"),
        Index("ix_content_revisions_path_status", "path", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    path: Mapped[str] = mapped_column(String(200))  # relative to the content root, posix style
    revision: Mapped[int] = mapped_column(Integer)  # 1, 2, … per path
    body: Mapped[str] = mapped_column(Text)  # the whole file; empty for ``withdrawn``
    sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    author: Mapped[str] = mapped_column(String(128))
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class ContentRejected(Exception):
    """Content that may not be published: it does not load, or validation found problems."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__("; ".join(str(problem) for problem in problems))
        self.problems = tuple(problems)


def _sha256(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


class ContentStore:
    """Revisions of knowledge-base content; each method works inside the caller's session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def is_empty(self) -> bool:
        count = await self._session.scalar(select(func.count()).select_from(ContentRevision))
        return not count

    async def seed_if_empty(self, files: Mapping[str, str]) -> bool:
        """On first start, publish ``files`` (the packaged YAML) as revision 1; True if it did."""
        if not await self.is_empty():
            return False
        now = utcnow()
        for path, body in sorted(files.items()):
            self._session.add(_revision(path, 1, body, "published", SEED_AUTHOR, "seeded from YAML", now))
        await self._session.flush()
        return True

    async def published_files(self) -> dict[str, str]:
        """The published content: ``{path: text}`` of each path's latest published revision."""
        return {revision.path: revision.body for revision in await self._latest_decided() if revision.status == "published"}

    async def knowledge_base(self) -> KnowledgeBase:
        """Build the runtime knowledge base from the published revisions."""
        return load_files(await self.published_files())

    async def import_files(
        self, files: Mapping[str, str], author: str, comment: str, *, allow_stale: bool = False
    ) -> list[str]:
        """Publish a complete content set: new revisions for changed or new files, ``withdrawn``
        for files no longer present. The set is checked first (``allow_stale``: stale
        translations do not block it); returns the paths that changed."""
        _check(files, freshness=not allow_stale)
        current = {revision.path: revision for revision in await self._latest_decided()}
        now = utcnow()
        changed: list[str] = []
        for path, body in sorted(files.items()):
            latest = current.get(path)
            if latest is not None and latest.status == "published" and latest.body == body:
                continue
            self._session.add(_revision(path, await self._next_revision(path), body, "published", author, comment, now))
            changed.append(path)
        for path, latest in sorted(current.items()):
            if path not in files and latest.status == "published":
                self._session.add(_revision(path, await self._next_revision(path), "", "withdrawn", author, comment, now))
                changed.append(path)
        await self._session.flush()
        return changed

    async def propose(self, path: str, body: str, author: str, comment: str) -> ContentRevision:
        """Save an editor's change as a draft (nothing is published yet)."""
        revision = _revision(path, await self._next_revision(path), body, "draft", author, comment, None)
        self._session.add(revision)
        await self._session.flush()
        return revision

    async def submit_for_review(self, revision_id: int) -> ContentRevision:
        revision = await self._get(revision_id)
        if revision.status != "draft":
            raise ValueError(f"revision {revision_id} is {revision.status}, not a draft")
        revision.status = "review"
        await self._session.flush()
        return revision

    async def publish(self, revision_id: int, *, allow_stale: bool = False) -> ContentRevision:
        """Publish a reviewed revision once the whole content set with it still validates
        (``allow_stale``: stale translations do not block it)."""
        revision = await self._get(revision_id)
        if revision.status != "review":
            raise ValueError(f"revision {revision_id} is {revision.status}, not in review")
        files = await self.published_files()
        files[revision.path] = revision.body
        _check(files, freshness=not allow_stale)
        revision.status = "published"
        revision.published_at = utcnow()
        await self._session.flush()
        return revision

    async def history(self, path: str) -> list[ContentRevision]:
        """All revisions of ``path``, newest first."""
        result = await self._session.scalars(
            select(ContentRevision).where(ContentRevision.path == path).order_by(ContentRevision.revision.desc())
        )
        return list(result)

    async def _latest_decided(self) -> list[ContentRevision]:
        """Per path, the newest revision that is published or withdrawn (drafts do not count)."""
        decided = ("published", "withdrawn")
        newest = (
            select(ContentRevision.path, func.max(ContentRevision.revision).label("revision"))
            .where(ContentRevision.status.in_(decided))
            .group_by(ContentRevision.path)
            .subquery()
        )
        result = await self._session.scalars(
            select(ContentRevision).join(
                newest, (ContentRevision.path == newest.c.path) & (ContentRevision.revision == newest.c.revision)
            )
        )
        return list(result)

    async def _next_revision(self, path: str) -> int:
        # The session autoflushes before this query, so revisions added earlier in the same
        # unit of work are counted too.
        stored = await self._session.scalar(select(func.max(ContentRevision.revision)).where(ContentRevision.path == path))
        return (stored or 0) + 1

    async def _get(self, revision_id: int) -> ContentRevision:
        revision = await self._session.get(ContentRevision, revision_id)
        if revision is None:
            raise LookupError(f"no content revision {revision_id}")
        return revision


async def published_knowledge_base(sessions: async_sessionmaker[AsyncSession], content_dir: Path) -> KnowledgeBase:
    """The knowledge base to serve at startup (or after a publish): the published revisions,
    seeded from the YAML in ``content_dir`` on first start. One short unit of work.

    Workers starting together on a new database seed it once: on PostgreSQL the first takes an
    advisory lock the others wait for (then find the content there); SQLite's write lock
    serialises them anyway."""
    async with sessions() as session, session.begin():
        await advisory_lock(session, SEED_LOCK_KEY)
        store = ContentStore(session)
        await store.seed_if_empty(read_content_files(content_dir))
        files = await store.published_files()
    return load_files(files)


def _revision(
    path: str, number: int, body: str, status: RevisionStatus, author: str, comment: str, published_at: datetime | None
) -> ContentRevision:
    return ContentRevision(
        path=path,
        revision=number,
        body=body,
        sha256=_sha256(body),
        status=status,
        author=author,
        comment=comment,
        created_at=utcnow(),
        published_at=published_at,
    )


def _check(files: Mapping[str, str], *, freshness: bool = True) -> None:
    """Raise :class:`ContentRejected` unless ``files`` load and validate cleanly."""
    try:
        kb = load_files(files)
    except ContentError as exc:
        raise ContentRejected([Problem(f"{exc.file}: {exc.field}", exc.message)]) from None
    problems = validate(kb, freshness=freshness)
    if problems:
        raise ContentRejected(problems)
