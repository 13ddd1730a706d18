"""The curated legal knowledge base: trilingual, cited, dated answers and the data tables.

Depends only on ``nlu.normalise`` (for search); never imports ``flows`` or ``bot``.
"""

from knowledge_base.errors import ArticleNotFound, ContentError, KnowledgeBaseError
from knowledge_base.knowledge_base import KnowledgeBase
from knowledge_base.loader import (
    DEFAULT_CONTENT_DIR,
    load,
    load_files,
    read_content_files,
)
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
from knowledge_base.search import SearchHit
from knowledge_base.tables import Basis, DataTables, FeeRow

__all__ = [
    "DEFAULT_CONTENT_DIR",
    "LANGUAGES",
    "Act",
    "Article",
    "ArticleNotFound",
    "ArticleText",
    "Basis",
    "Confidence",
    "ContentError",
    "DataTables",
    "FeeRow",
    "FollowUp",
    "KnowledgeBase",
    "KnowledgeBaseError",
    "Language",
    "LegalReference",
    "LocalText",
    "SearchHit",
    "load",
    "load_files",
    "read_content_files",
]
