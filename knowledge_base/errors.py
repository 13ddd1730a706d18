"""Errors of the knowledge base."""

from __future__ import annotations


class KnowledgeBaseError(Exception):
    """Base class of knowledge-base errors."""


class ContentError(KnowledgeBaseError):
    """Content that cannot be loaded: names the file and the field at fault."""

    def __init__(self, file: str, field: str, message: str) -> None:
        super().__init__(f"{file}: {field}: {message}")
        self.file = file
        self.field = field
        self.message = message


class ArticleNotFound(KnowledgeBaseError, KeyError):
    """No article with the requested id."""
