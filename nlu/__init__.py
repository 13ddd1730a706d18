"""Natural-language understanding for MigAssist: language, intent and entities of a message.

Typical use::

    model = load_or_train(settings.nlu_model_path, settings.nlu.data_dir)
    result = model.parse("Qeydiyyatdan keçməliyəm?", language_hint="az")
"""

from nlu.model import (
    ModelLoadError,
    NluError,
    NluModel,
    TrainingDataError,
    load_or_train,
    train,
)
from nlu.types import Duration, Entity, EntityKind, IntentScore, Money, ParseResult

__all__ = [
    "Duration",
    "Entity",
    "EntityKind",
    "IntentScore",
    "ModelLoadError",
    "Money",
    "NluError",
    "NluModel",
    "ParseResult",
    "TrainingDataError",
    "load_or_train",
    "train",
]
