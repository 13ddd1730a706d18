"""What the bot answers with right now: the live knowledge base and NLU model.

Created at start-up (``app[LIVE]``); everything that reads content or the model at run time (the
dialogue, the operator console's canned answers, ``/healthz``, the editors' workspace) reads it
here, because a publish or a model activation replaces both without a restart. aiohttp freezes
the application's state once it has started, so :class:`LiveContent` is the holder that changes:
it pushes each new knowledge base or model into the dialogue engine
(:meth:`flows.engine.DialogueEngine.use_knowledge_base` / ``use_nlu``), so a publish or a model
activation takes effect with the next message, without a restart. Each swap is one reference
assignment: a turn already running finishes with what it started with.

Other worker processes learn of a change through the event hub (bridged between processes by
PostgreSQL ``LISTEN``/``NOTIFY``, or local sockets on SQLite): :meth:`LiveContent.follow` rebuilds the knowledge base from the
published revisions, or loads the activated model file, when another process announces one.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import nlu
from bot.core.events import EventHub
from flows.dialogue import Dialogue
from flows.engine import DialogueEngine
from knowledge_base import KnowledgeBase

log = logging.getLogger(__name__)

TOPIC = "editor.live"


def settle_long_lived_objects() -> None:
    """Exempt everything alive now — the loaded model and knowledge base above all — from the
    cyclic garbage collector's full passes, which otherwise walk those millions of objects and
    paused the server for 80–100 ms at a time under load (docs/performance.md). Called once
    content is loaded and after every swap; what was frozen before is released first, so a
    replaced model is still collected. Objects are freed by reference counting as usual."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


class LiveContent:
    """The knowledge base and NLU model the bot answers with at this moment."""

    def __init__(self, knowledge: KnowledgeBase, model: nlu.NluModel, dialogue: Dialogue, hub: EventHub) -> None:
        self._knowledge = knowledge
        self._model = model
        # A test may run the core with a fake dialogue; only the real engine can be re-pointed.
        self._engine = dialogue if isinstance(dialogue, DialogueEngine) else None
        self._hub = hub
        self._origin = uuid.uuid4().hex  # this process: its own announcements are not followed
        settle_long_lived_objects()

    @property
    def knowledge(self) -> KnowledgeBase:
        return self._knowledge

    @property
    def model(self) -> nlu.NluModel:
        return self._model

    def use_knowledge_base(self, knowledge: KnowledgeBase) -> None:
        """Answer from ``knowledge`` here, and tell the other processes to rebuild theirs."""
        self._swap_knowledge(knowledge)
        self._hub.publish(TOPIC, {"kind": "content", "origin": self._origin})

    def use_model(self, model: nlu.NluModel, path: Path) -> None:
        """Understand with ``model`` here, and tell the other processes to load it from ``path``."""
        self._swap_model(model)
        self._hub.publish(TOPIC, {"kind": "model", "path": str(path), "origin": self._origin})

    async def follow(self, rebuild: Callable[[], Awaitable[KnowledgeBase]]) -> None:
        """Apply other processes' announcements until cancelled (a tracked background task)."""
        with self._hub.subscribe(TOPIC) as queue:
            while True:
                event = await queue.get()
                if event.get("origin") == self._origin:
                    continue
                try:
                    await self._apply(event, rebuild)
                except Exception:  # keep serving what we have; the next announcement retries
                    log.exception("could not apply a %s change announced by another process", event.get("kind"))

    async def _apply(self, event: dict[str, Any], rebuild: Callable[[], Awaitable[KnowledgeBase]]) -> None:
        if event.get("kind") == "content":
            self._swap_knowledge(await rebuild())
        elif event.get("kind") == "model":
            self._swap_model(await asyncio.to_thread(nlu.NluModel.load, Path(str(event["path"]))))

    def _swap_knowledge(self, knowledge: KnowledgeBase) -> None:
        self._knowledge = knowledge
        if self._engine is not None:
            self._engine.use_knowledge_base(knowledge)
        settle_long_lived_objects()
        log.info("live knowledge base replaced (%d articles)", len(knowledge.articles))

    def _swap_model(self, model: nlu.NluModel) -> None:
        self._model = model
        if self._engine is not None:
            self._engine.use_nlu(model)
        settle_long_lived_objects()
        log.info("live NLU model replaced (data %s)", model.data_hash[:12])
