"""Build a :class:`~knowledge_base.knowledge_base.KnowledgeBase` from content files.

Content is a set of YAML files keyed by their path relative to the content directory:
``acts.yml`` (the citable legal acts), ``articles/*.yml`` (one topic per file, a list of
articles) and ``tables/*.yml`` (one data table per file). The same function serves files read
from disk and revisions read from the database, so both go through one set of checks.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

import yaml

from knowledge_base.acts import ACTS_FILE, load_acts, load_reference
from knowledge_base.errors import ContentError
from knowledge_base.knowledge_base import KnowledgeBase
from knowledge_base.model import (
    CONFIDENCE_LEVELS,
    LANGUAGES,
    Act,
    Article,
    ArticleText,
    Confidence,
    FollowUp,
    Language,
)
from knowledge_base.table_loader import load_tables
from knowledge_base.yaml_reader import Node

DEFAULT_CONTENT_DIR = Path(__file__).parent / "content"
# libyaml's loader is an order of magnitude faster; the pure-Python one is the fallback.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
ARTICLES_DIR = "articles"
TABLES_DIR = "tables"


def read_content_files(content_dir: Path) -> dict[str, str]:
    """All content files under ``content_dir`` as ``{relative posix path: text}``.

    Bytes are decoded as they are (no newline translation), so storing and exporting the text
    reproduces each file exactly.
    """
    if not content_dir.is_dir():
        raise ContentError(str(content_dir), "(directory)", "content directory not found")
    return {
        path.relative_to(content_dir).as_posix(): path.read_bytes().decode("utf-8")
        for path in sorted(content_dir.rglob("*.yml"))
    }


def load(content_dir: Path = DEFAULT_CONTENT_DIR) -> KnowledgeBase:
    """Read and check the content under ``content_dir``; raises :class:`ContentError`."""
    return load_files(read_content_files(content_dir))


def load_files(files: Mapping[str, str]) -> KnowledgeBase:
    """Build the knowledge base from ``{relative path: YAML text}``; raises :class:`ContentError`."""
    parsed = {path: parse_yaml(path, text) for path, text in files.items()}
    if ACTS_FILE not in parsed:
        raise ContentError(ACTS_FILE, "(file)", "missing")
    acts = load_acts(parsed[ACTS_FILE])
    tables = load_tables(
        {Path(path).stem: node for path, node in parsed.items() if path.startswith(f"{TABLES_DIR}/")}, acts
    )
    articles: list[Article] = []
    for path, node in sorted(parsed.items()):
        if path.startswith(f"{ARTICLES_DIR}/"):
            node.only_keys("topic", "articles")
            articles.extend(load_article(item, acts) for item in node["articles"].items())
    return KnowledgeBase(articles=tuple(articles), tables=tables, acts=acts)


def parse_yaml(path: str, text: str) -> Node:
    try:
        return Node(yaml.load(text, Loader=_SAFE_LOADER), path)
    except yaml.YAMLError as exc:
        raise ContentError(path, "(syntax)", str(exc).replace("\n", " ")) from None


def load_confidence(node: Node) -> Confidence:
    return node.choice(*CONFIDENCE_LEVELS)  # type: ignore[return-value]


ARTICLE_FIELDS = (
    "id", "intents", "priority", "source_language", "confidence", "verified_on", "effective_from",
    "effective_to", "legal_basis", "sources", "tables", "related", "follow_ups", "disclaimer", "text",
)
TEXT_FIELDS = ("title", "answer", "details", "synonyms", "source_hash")


def load_article(node: Node, acts: Mapping[str, Act]) -> Article:
    node.only_keys(*ARTICLE_FIELDS)
    text_node = node["text"]
    text_node.only_keys(*LANGUAGES)
    texts: dict[Language, ArticleText] = {}
    for language in LANGUAGES:
        one = text_node[language]
        one.only_keys(*TEXT_FIELDS)
        texts[language] = ArticleText(
            title=one["title"].text(),
            answer=one["answer"].text(),
            details=one["details"].text() if one.has("details") else None,
            synonyms=one["synonyms"].texts() if one.has("synonyms") else (),
            source_hash=one["source_hash"].text() if one.has("source_hash") else None,
        )
    return Article(
        id=node["id"].text(),
        intents=node["intents"].texts(),
        texts=MappingProxyType(texts),
        source_language=node["source_language"].choice(*LANGUAGES),  # type: ignore[arg-type]
        legal_basis=tuple(load_reference(ref, acts) for ref in node["legal_basis"].items())
        if node.has("legal_basis")
        else (),
        sources=node["sources"].texts() if node.has("sources") else (),
        confidence=load_confidence(node["confidence"]),
        verified_on=node["verified_on"].day(),
        effective_from=node["effective_from"].day() if node.has("effective_from") else None,
        effective_to=node["effective_to"].day() if node.has("effective_to") else None,
        related=node["related"].texts() if node.has("related") else (),
        follow_ups=tuple(load_follow_up(item) for item in node["follow_ups"].items())
        if node.has("follow_ups")
        else (),
        tables=node["tables"].texts() if node.has("tables") else (),
        priority=node["priority"].integer() if node.has("priority") else 100,
        disclaimer=node["disclaimer"].boolean() if node.has("disclaimer") else True,
    )


def load_follow_up(node: Node) -> FollowUp:
    node.only_keys("title", "payload")
    return FollowUp(title=node["title"].local_text(), payload=node["payload"].text())
