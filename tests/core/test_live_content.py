"""Live content and the garbage collector: loaded content is frozen out of full collections, and a
replaced model is still freed."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path
from typing import Any

from bot.core.events import EventHub
from bot.core.live import LiveContent
from tests.support import EchoDialogue


class CyclicModel:
    """Stands in for an NLU model; refers to itself, so only the cyclic collector can free it."""

    def __init__(self, data_hash: str) -> None:
        self.data_hash = data_hash
        self.me = self


def test_loaded_content_is_frozen_and_a_replaced_model_is_still_freed(tmp_path: Path) -> None:
    first = CyclicModel("a" * 40)
    knowledge: Any = object()
    try:
        live = LiveContent(knowledge, first, EchoDialogue(), EventHub())  # type: ignore[arg-type]
        assert gc.get_freeze_count() > 0  # what was loaded is out of the full passes
        gone = weakref.ref(first)
        del first
        live.use_model(CyclicModel("b" * 40), tmp_path / "model.pkl")  # type: ignore[arg-type]
        assert gone() is None  # the old model, although frozen before, was collected
    finally:
        gc.unfreeze()
