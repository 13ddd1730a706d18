"""The editorial workflow over content revisions: draft → review → published, with four-eyes,
stale-translation checks, comments, history with diffs, rollback, and an audit entry for each step.

Every method is one short unit of work; after a publish or rollback the live knowledge base is
rebuilt from the published revisions and swapped in (:class:`bot.core.live.LiveContent`).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import EditorSettings
from bot.editor.articles import (
    ARTICLES_PREFIX,
    ArticleEdit,
    add_article,
    apply_edit,
    article_form,
    article_ids,
    load_document,
    stale_in_node,
)
from bot.editor.audit import AuditLog
from bot.storage.content import ContentRevision, ContentStore, published_knowledge_base
from bot.storage.editorial import ContentComment
from knowledge_base import LANGUAGES, ContentError, KnowledgeBase, load_files
from knowledge_base.validation import stale_languages

TABLES_PREFIX = "tables/"
MAX_COMMENT_CHARS = 2000


class WorkflowError(Exception):
    """A workflow step was refused; ``code`` is stable for the UI, the message explains."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True, slots=True)
class Editor:
    """Who is acting (the signed-in staff member's username)."""

    username: str


class EditorialWorkflow:
    """Drafts, reviews, publishing and rollback of knowledge-base content."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        settings: EditorSettings,
        content_dir: Path,
        on_published: Callable[[KnowledgeBase], None],
    ) -> None:
        self._sessions = sessions
        self._settings = settings
        self._content_dir = content_dir
        self._on_published = on_published  # receives the rebuilt KnowledgeBase

    # --- reading ------------------------------------------------------------------------------

    async def articles(self) -> list[dict[str, Any]]:
        """Every article of the published content with its file and any pending revision."""
        async with self._sessions() as session:
            published = await ContentStore(session).published_files()
            pending = await self._pending(session)
        kb = load_files(published)
        by_id = {article.id: article for article in kb.articles}
        rows = []
        for path, body in sorted(published.items()):
            if not path.startswith(ARTICLES_PREFIX):
                continue
            for article_id in article_ids(body):
                article = by_id[article_id]
                rows.append({
                    "id": article_id,
                    "path": path,
                    "titles": {lang: article.title(lang) for lang in LANGUAGES},
                    "intents": list(article.intents),
                    "verified_on": article.verified_on.isoformat(),
                    "stale": stale_languages(article),
                    "pending": [_revision_row(r) for r in pending.get(path, [])],
                })
        return rows

    async def tables(self) -> list[dict[str, Any]]:
        async with self._sessions() as session:
            published = await ContentStore(session).published_files()
            pending = await self._pending(session)
        return [
            {"path": path, "pending": [_revision_row(r) for r in pending.get(path, [])]}
            for path in sorted(published)
            if path.startswith(TABLES_PREFIX)
        ]

    async def article(self, article_id: str, revision_id: int | None = None) -> dict[str, Any]:
        """The article as published, or as in ``revision_id`` (a pending revision of its file)."""
        async with self._sessions() as session:
            revision = None
            if revision_id is not None:  # may hold an article that is not published yet
                revision = await self._revision(session, revision_id)
                path, body = revision.path, revision.body
            else:
                published = await ContentStore(session).published_files()
                path = _path_of(published, article_id)
                body = published[path]
        return {"path": path, "revision": _revision_row(revision) if revision else None, "form": article_form(body, article_id)}

    async def table(self, path: str) -> dict[str, Any]:
        async with self._sessions() as session:
            published = await ContentStore(session).published_files()
        if path not in published or not path.startswith(TABLES_PREFIX):
            raise WorkflowError("not_found", f"no data table {path}")
        return {"path": path, "body": published[path]}

    async def knowledge_base(self, revision_id: int | None = None) -> KnowledgeBase:
        """The published knowledge base, or what it would be with ``revision_id`` published."""
        async with self._sessions() as session:
            files = await ContentStore(session).published_files()
            if revision_id is not None:
                revision = await self._revision(session, revision_id)
                files[revision.path] = revision.body
        return load_files(files)

    async def history(self, path: str) -> list[dict[str, Any]]:
        """Revisions of ``path``, newest first, each with its comments."""
        async with self._sessions() as session:
            revisions = await ContentStore(session).history(path)
            comments = await session.scalars(
                select(ContentComment)
                .where(ContentComment.revision_id.in_([r.id for r in revisions]))
                .order_by(ContentComment.id)
            )
        by_revision: dict[int, list[dict[str, str]]] = {}
        for comment in comments:
            by_revision.setdefault(comment.revision_id, []).append(
                {"author": comment.author, "body": comment.body, "at": comment.created_at.isoformat()}
            )
        return [{**_revision_row(r), "comments": by_revision.get(r.id, [])} for r in revisions]

    async def diff(self, revision_id: int) -> dict[str, Any]:
        """The revision against the previous published text of its file, as unified-diff lines."""
        async with self._sessions() as session:
            revision = await self._revision(session, revision_id)
            previous = await session.scalar(
                select(ContentRevision)
                .where(
                    ContentRevision.path == revision.path,
                    ContentRevision.status == "published",
                    ContentRevision.revision < revision.revision,
                )
                .order_by(ContentRevision.revision.desc())
                .limit(1)
            )
        before = previous.body if previous is not None else ""
        lines = list(
            difflib.unified_diff(
                before.splitlines(), revision.body.splitlines(), lineterm="", n=2,
                fromfile=f"{revision.path} r{previous.revision if previous else 0}",
                tofile=f"{revision.path} r{revision.revision}",
            )
        )
        return {"revision": _revision_row(revision), "lines": lines}

    # --- changing -----------------------------------------------------------------------------

    async def save_article(self, editor: Editor, article_id: str, edit: ArticleEdit, comment: str) -> dict[str, Any]:
        """A new draft of the article's file with ``edit`` applied to the published text."""
        async with self._sessions.begin() as session:
            store = ContentStore(session)
            published = await store.published_files()
            path = _path_of(published, article_id)
            body = apply_edit(published[path], article_id, edit)
            _check_loads({**published, path: body})
            revision = await store.propose(path, body, editor.username, comment[:MAX_COMMENT_CHARS])
            AuditLog(session).record(editor.username, "draft", path, article=article_id, revision=revision.revision)
            return _revision_row(revision)

    async def create_article(
        self, editor: Editor, path: str, article_id: str, source_language: str, edit: ArticleEdit, comment: str
    ) -> dict[str, Any]:
        """A new draft of topic file ``path`` with a new article appended."""
        async with self._sessions.begin() as session:
            store = ContentStore(session)
            published = await store.published_files()
            if path not in published or not path.startswith(ARTICLES_PREFIX):
                raise WorkflowError("not_found", f"no topic file {path}")
            if load_files(published).has_article(article_id):
                raise WorkflowError("exists", f"article {article_id} already exists")
            body = add_article(published[path], article_id, source_language, edit)
            _check_loads({**published, path: body})
            revision = await store.propose(path, body, editor.username, comment[:MAX_COMMENT_CHARS])
            AuditLog(session).record(editor.username, "create", path, article=article_id, revision=revision.revision)
            return _revision_row(revision)

    async def save_table(self, editor: Editor, path: str, body: str, comment: str) -> dict[str, Any]:
        """A new draft of a data table file; it must load and validate with the rest."""
        async with self._sessions.begin() as session:
            store = ContentStore(session)
            published = await store.published_files()
            if path not in published or not path.startswith(TABLES_PREFIX):
                raise WorkflowError("not_found", f"no data table {path}")
            _check_loads({**published, path: body})
            revision = await store.propose(path, body, editor.username, comment[:MAX_COMMENT_CHARS])
            AuditLog(session).record(editor.username, "draft", path, revision=revision.revision)
            return _revision_row(revision)

    async def submit(self, editor: Editor, revision_id: int) -> dict[str, Any]:
        async with self._sessions.begin() as session:
            revision = await self._revision(session, revision_id)
            if revision.author != editor.username:
                raise WorkflowError("not_author", "only the author submits a draft for review")
            try:
                await ContentStore(session).submit_for_review(revision_id)
            except ValueError as exc:
                raise WorkflowError("wrong_status", str(exc)) from None
            AuditLog(session).record(editor.username, "submit", revision.path, revision=revision.revision)
            return _revision_row(revision)

    async def comment(self, editor: Editor, revision_id: int, body: str) -> None:
        body = body.strip()
        if not body or len(body) > MAX_COMMENT_CHARS:
            raise WorkflowError("bad_comment", f"a comment is 1-{MAX_COMMENT_CHARS} characters")
        async with self._sessions.begin() as session:
            revision = await self._revision(session, revision_id)
            session.add(ContentComment(revision_id=revision_id, author=editor.username, body=body))
            AuditLog(session).record(editor.username, "comment", revision.path, revision=revision.revision)

    async def publish(self, editor: Editor, revision_id: int) -> dict[str, Any]:
        """Publish a revision in review, then serve the new knowledge base at once."""
        async with self._sessions.begin() as session:
            revision = await self._revision(session, revision_id)
            if self._settings.four_eyes and revision.author == editor.username:
                raise WorkflowError("four_eyes", "someone other than the author must publish this change")
            await self._check_not_overtaken(session, revision)
            if self._settings.block_stale_translations:
                stale = _stale_articles(revision)
                if stale:
                    raise WorkflowError(
                        "stale_translations",
                        "update or confirm these translations first: " + ", ".join(stale),
                    )
            try:
                await ContentStore(session).publish(revision_id, allow_stale=not self._settings.block_stale_translations)
            except ValueError as exc:
                raise WorkflowError("wrong_status", str(exc)) from None
            AuditLog(session).record(editor.username, "publish", revision.path, revision=revision.revision, author=revision.author)
            row = _revision_row(revision)
        await self._go_live()
        return row

    async def rollback(self, editor: Editor, revision_id: int) -> dict[str, Any]:
        """Publish again the text of an earlier published revision, as a new revision.

        No second person is needed: the restored text was reviewed when it was first published.
        """
        async with self._sessions.begin() as session:
            old = await self._revision(session, revision_id)
            if old.published_at is None:
                raise WorkflowError("wrong_status", "only a text that was published can be restored")
            store = ContentStore(session)
            restored = await store.propose(old.path, old.body, editor.username, f"rollback to r{old.revision}")
            await store.submit_for_review(restored.id)
            await store.publish(restored.id, allow_stale=True)
            AuditLog(session).record(editor.username, "rollback", old.path, to_revision=old.revision, revision=restored.revision)
            row = _revision_row(restored)
        await self._go_live()
        return row

    # --- helpers ------------------------------------------------------------------------------

    async def _go_live(self) -> None:
        self._on_published(await published_knowledge_base(self._sessions, self._content_dir))

    @staticmethod
    async def _revision(session: AsyncSession, revision_id: int) -> ContentRevision:
        revision = await session.get(ContentRevision, revision_id)
        if revision is None:
            raise WorkflowError("not_found", f"no revision {revision_id}")
        return revision

    @staticmethod
    async def _pending(session: AsyncSession) -> dict[str, list[ContentRevision]]:
        rows = await session.scalars(
            select(ContentRevision).where(ContentRevision.status.in_(("draft", "review"))).order_by(ContentRevision.id)
        )
        pending: dict[str, list[ContentRevision]] = {}
        for revision in rows:
            pending.setdefault(revision.path, []).append(revision)
        return pending

    @staticmethod
    async def _check_not_overtaken(session: AsyncSession, revision: ContentRevision) -> None:
        # A draft holds the whole file as it was when written: publishing it after another change
        # to the same file went live would silently undo that change.
        newer = await session.scalar(
            select(ContentRevision.id).where(
                ContentRevision.path == revision.path,
                ContentRevision.published_at > revision.created_at,
            ).limit(1)
        )
        if newer is not None:
            raise WorkflowError("overtaken", "the file changed since this draft was written; edit it again")


def _path_of(published: dict[str, str], article_id: str) -> str:
    for path, body in sorted(published.items()):
        if path.startswith(ARTICLES_PREFIX) and article_id in article_ids(body):
            return path
    raise WorkflowError("not_found", f"no article {article_id}")


def _check_loads(files: dict[str, str]) -> None:
    try:
        load_files(files)
    except ContentError as exc:
        raise WorkflowError("invalid", f"{exc.file}: {exc.field}: {exc.message}") from None


def _stale_articles(revision: ContentRevision) -> list[str]:
    if not revision.path.startswith(ARTICLES_PREFIX):
        return []
    document = load_document(revision.body)
    return [
        f"{node['id']} ({lang})" for node in document["articles"] for lang in stale_in_node(node)
    ]


def _revision_row(revision: ContentRevision) -> dict[str, Any]:
    return {
        "id": revision.id,
        "path": revision.path,
        "revision": revision.revision,
        "status": revision.status,
        "author": revision.author,
        "comment": revision.comment,
        "created_at": revision.created_at.isoformat(),
        "published_at": revision.published_at.isoformat() if revision.published_at else None,
    }

