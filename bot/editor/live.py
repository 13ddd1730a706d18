"""The swap point between the editors' workspace and the running bot.

aiohttp freezes the application's state once it has started, so ``app[KNOWLEDGE]`` and
``app[NLU]`` cannot be reassigned at run time. :class:`LiveContent` holds what is live *now*
and pushes each new knowledge base or model into the dialogue engine
(:meth:`flows.engine.DialogueEngine.use_knowledge_base` / ``use_nlu``), so a publish or a model
activation takes effect with the next message, without a restart. Each swap is one reference
assignment: a turn already running finishes with what it started with.
"""

from __future__ import annotations

import logging

import nlu
from flows.dialogue import Dialogue
from flows.engine import DialogueEngine
from knowledge_base import KnowledgeBase

log = logging.getLogger(__name__)


class LiveContent:
    """The knowledge base and NLU model the bot answers with at this moment."""

    def __init__(self, knowledge: KnowledgeBase, model: nlu.NluModel, dialogue: Dialogue) -> None:
        self._knowledge = knowledge
        self._model = model
        # A test may run the core with a fake dialogue; only the real engine can be re-pointed.
        self._engine = dialogue if isinstance(dialogue, DialogueEngine) else None

    @property
    def knowledge(self) -> KnowledgeBase:
        return self._knowledge

    @property
    def model(self) -> nlu.NluModel:
        return self._model

    def use_knowledge_base(self, knowledge: KnowledgeBase) -> None:
        self._knowledge = knowledge
        if self._engine is not None:
            self._engine.use_knowledge_base(knowledge)
        log.info("live knowledge base replaced (%d articles)", len(knowledge.articles))

    def use_model(self, model: nlu.NluModel) -> None:
        self._model = model
        if self._engine is not None:
            self._engine.use_nlu(model)
        log.info("live NLU model replaced (data %s)", model.data_hash[:12])
