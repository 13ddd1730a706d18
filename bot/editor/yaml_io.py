"""YAML export and import between the workspace and the files in Git: the knowledge-base
content directory (``knowledge_base.content_dir``) and the NLU training data (``nlu.data_dir``).

Export writes the published content and the current training data byte-for-byte as stored, so
``git diff`` shows exactly what editors changed. Import reads both directories back: content is
published as a whole set (validated first, like ``migassist kb import``), training data replaces
the stored documents. Import bypasses review, so only admins may run it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.editor.audit import AuditLog
from bot.editor.training import TrainingDesk
from bot.storage.content import ContentStore, published_knowledge_base
from flows.messages import LANGUAGES
from knowledge_base import KnowledgeBase, read_content_files


class YamlExchange:
    """Round-trips content and training data with their directories."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        settings: Settings,
        training: TrainingDesk,
        on_published: Callable[[KnowledgeBase], None],
    ) -> None:
        self._sessions = sessions
        self._content_dir = settings.knowledge_base.content_dir
        self._allow_stale = not settings.editor.block_stale_translations
        self._data_dir = settings.nlu.data_dir
        self._training = training
        self._on_published = on_published

    async def export(self, actor: str) -> dict[str, list[str]]:
        """Write published content and training data to their directories; returns changed files."""
        async with self._sessions.begin() as session:
            content = await ContentStore(session).published_files()
            AuditLog(session).record(actor, "export", "yaml")
        training = await self._training.files()
        written = await asyncio.to_thread(_write_changed, self._content_dir, content)
        written += await asyncio.to_thread(_write_changed, self._data_dir, {f"{lang}.yml": body for lang, body in training.items()})
        return {"written": written}

    async def import_(self, actor: str) -> dict[str, list[str]]:
        """Publish the content directory as a whole and load the training data files."""
        files = await asyncio.to_thread(read_content_files, self._content_dir)
        async with self._sessions.begin() as session:
            changed = await ContentStore(session).import_files(files, actor, "imported from YAML", allow_stale=self._allow_stale)
            AuditLog(session).record(actor, "import", "yaml", changed=len(changed))
        training = await asyncio.to_thread(
            lambda: {lang: (self._data_dir / f"{lang}.yml").read_text(encoding="utf-8") for lang in LANGUAGES}
        )
        await self._training.replace_files(actor, training)
        if changed:
            self._on_published(await published_knowledge_base(self._sessions, self._content_dir))
        return {"changed": changed}


def _write_changed(root: Path, files: dict[str, str]) -> list[str]:
    written = []
    for name, body in sorted(files.items()):
        target = root / name
        if target.exists() and target.read_bytes().decode("utf-8") == body:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body.encode("utf-8"))  # bytes: no newline translation
        written.append(str(target))
    return written
