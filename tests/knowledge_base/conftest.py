"""Fixtures for knowledge-base tests: the packaged content, loaded once, and editable copies."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import pytest

import knowledge_base
from knowledge_base import KnowledgeBase


@pytest.fixture(scope="session")
def seed_files() -> Mapping[str, str]:
    """The packaged content files, ``{relative path: text}`` (read-only)."""
    return MappingProxyType(knowledge_base.read_content_files(knowledge_base.DEFAULT_CONTENT_DIR))


@pytest.fixture(scope="session")
def kb(seed_files: Mapping[str, str]) -> KnowledgeBase:
    return knowledge_base.load_files(seed_files)


def edited(files: Mapping[str, str], path: str, old: str, new: str) -> dict[str, str]:
    """A copy of ``files`` with ``old`` replaced by ``new`` once in ``path`` (which must contain it)."""
    assert files[path].count(old) >= 1, f"{old!r} not in {path}"
    copy = dict(files)
    copy[path] = files[path].replace(old, new, 1)
    return copy
