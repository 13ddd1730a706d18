"""The curated legal knowledge base: trilingual, cited, dated answers and the data tables.

Depends only on ``nlu.normalise`` (for search); never imports ``flows`` or ``bot``.
"""

from knowledge_base.model import (
    LANGUAGES,
    Act,
    Article,
    ArticleText,
    Confidence,
    FollowUp,
    Language,
    LegalReference,
    LocalText,
)
from knowledge_base.tables import Basis, DataTables, FeeRow

__all__ = [
    "LANGUAGES",
    "Act",
    "Article",
    "ArticleText",
    "Basis",
    "Confidence",
    "DataTables",
    "FeeRow",
    "FollowUp",
    "Language",
    "LegalReference",
    "LocalText",
]
