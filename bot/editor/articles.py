"""Reading and changing one article inside its content file (``articles/<topic>.yml``).

Edits go through ruamel.yaml's round-trip mode, which keeps the file's comments, key order and
folded text blocks: a change to one answer shows up in the revision diff as just that answer.
Staleness follows the knowledge base's model (``source_language`` + per-language ``source_hash``):
editing a language other than the source makes it the new source, and the other languages are
stale until re-translated or confirmed.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import FoldedScalarString

from knowledge_base.model import LANGUAGES, ArticleText

ARTICLES_PREFIX = "articles/"
TEXT_FIELDS = ("title", "answer", "details")
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
DATE_FIELDS = ("verified_on", "effective_from", "effective_to")
LIST_FIELDS = ("intents", "sources", "tables", "related")


class ArticleEditError(ValueError):
    """The requested edit does not fit the file (unknown article, malformed field)."""


@dataclass(frozen=True)
class ArticleEdit:
    """What an editor changed in one article. ``None`` / missing keys mean "leave as it is".

    ``texts``: ``{language: {field: value}}`` for title, answer, details (empty details removes
    them). ``legal_basis``: ``[{"act": …, "article": …}]``. ``confirm``: languages whose
    translation the editor confirms as still matching the source text.
    """

    texts: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    legal_basis: list[dict[str, str]] | None = None
    lists: Mapping[str, list[str]] = field(default_factory=dict)
    dates: Mapping[str, str | None] = field(default_factory=dict)
    confidence: str | None = None
    confirm: tuple[str, ...] = ()


def _yaml() -> YAML:
    round_trip = YAML()
    round_trip.preserve_quotes = True
    round_trip.width = 4096  # never re-wrap flow lists or plain scalars: keeps diffs to what changed
    round_trip.indent(mapping=2, sequence=4, offset=2)
    return round_trip


def load_document(body: str) -> CommentedMap:
    document = _yaml().load(body)
    if not isinstance(document, CommentedMap) or not isinstance(document.get("articles"), CommentedSeq):
        raise ArticleEditError("not an articles file")
    return document


def dump_document(document: CommentedMap) -> str:
    out = io.StringIO()
    _yaml().dump(document, out)
    return out.getvalue()


def find_node(document: CommentedMap, article_id: str) -> CommentedMap:
    for node in document["articles"]:
        if isinstance(node, CommentedMap) and node.get("id") == article_id:
            return node
    raise ArticleEditError(f"no article {article_id!r} in this file")


def article_ids(body: str) -> list[str]:
    """The ids of the articles in an articles file, in file order (a fast read: no round-trip)."""
    document = yaml.load(body, Loader=_SAFE_LOADER) or {}
    return [str(item.get("id")) for item in document.get("articles") or [] if isinstance(item, dict)]


def _content_hash(texts: CommentedMap, language: str) -> str:
    one = texts[language]
    return ArticleText(str(one["title"]), str(one["answer"]), str(one.get("details") or "") or None).content_hash()


def stale_in_node(node: CommentedMap) -> list[str]:
    """Languages of this article whose translation is older than the source text."""
    texts = node["text"]
    source = str(node["source_language"])
    current = _content_hash(texts, source)
    return [lang for lang in LANGUAGES if lang != source and texts[lang].get("source_hash") != current]


def apply_edit(body: str, article_id: str, edit: ArticleEdit) -> str:
    """The file ``body`` with ``edit`` applied to article ``article_id``."""
    document = load_document(body)
    node = find_node(document, article_id)
    texts = node["text"]
    before: dict[str, str] = {lang: _content_hash(texts, lang) for lang in LANGUAGES}
    for language, fields in edit.texts.items():
        if language not in LANGUAGES:
            raise ArticleEditError(f"unknown language {language!r}")
        for name, value in fields.items():
            if name not in TEXT_FIELDS:
                raise ArticleEditError(f"unknown text field {name!r}")
            _set_text(texts[language], name, value)
    changed: list[str] = [lang for lang in LANGUAGES if _content_hash(texts, lang) != before[lang]]
    _follow_source(node, changed, before)
    for language in edit.confirm:
        _confirm(node, language)
    _apply_metadata(node, edit)
    return dump_document(document)


def _apply_metadata(node: CommentedMap, edit: ArticleEdit) -> None:
    if edit.legal_basis is not None:
        node["legal_basis"] = _legal_basis(edit.legal_basis)
    for name, values in edit.lists.items():
        if name not in LIST_FIELDS:
            raise ArticleEditError(f"unknown list field {name!r}")
        _set_list(node, name, values)
    for name, day in edit.dates.items():
        if name not in DATE_FIELDS:
            raise ArticleEditError(f"unknown date field {name!r}")
        _set_date(node, name, day)
    if edit.confidence is not None:
        node["confidence"] = edit.confidence


ARTICLE_ID = re.compile(r"^[a-z][a-z0-9_]{2,80}$")


def add_article(body: str, article_id: str, source_language: str, edit: ArticleEdit) -> str:
    """The file ``body`` with a new article appended, filled from ``edit``.

    All three languages are written now, so they are recorded as translated from the current
    source text (fresh). Required fields left empty make the draft fail to load, which refuses it.
    """
    if not ARTICLE_ID.match(article_id):
        raise ArticleEditError("an article id is 3-81 lower-case letters, digits or '_', starting with a letter")
    if source_language not in LANGUAGES:
        raise ArticleEditError(f"unknown language {source_language!r}")
    document = load_document(body)
    if any(isinstance(node, CommentedMap) and node.get("id") == article_id for node in document["articles"]):
        raise ArticleEditError(f"article {article_id!r} already exists")
    texts = CommentedMap((language, CommentedMap(title="", answer="")) for language in LANGUAGES)
    node = CommentedMap(
        id=article_id, intents=CommentedSeq(), source_language=source_language, confidence="U",
        verified_on=date.today(), text=texts,
    )
    node["intents"].fa.set_flow_style()
    document["articles"].append(node)
    for language, fields in edit.texts.items():
        if language not in LANGUAGES:
            raise ArticleEditError(f"unknown language {language!r}")
        for name, value in fields.items():
            if name in TEXT_FIELDS and value.strip():
                _set_text(texts[language], name, value)
    _apply_metadata(node, edit)
    for language in LANGUAGES:
        if language != source_language:
            _record_source_hash(texts[language], _content_hash(texts, source_language))
    return dump_document(document)


def _follow_source(node: CommentedMap, changed: list[str], before: Mapping[str, str]) -> None:
    """Keep the staleness bookkeeping true after ``changed`` languages were edited.

    An edit of the source language leaves the others stale by itself (their ``source_hash`` no
    longer matches). An edit of one other language makes that language the source: the others
    were translated from its previous wording, so they record that (and are therefore stale).
    """
    source = str(node["source_language"])
    if not changed or source in changed:
        return
    new_source = changed[0]
    texts = node["text"]
    for language in LANGUAGES:
        if language == new_source:
            texts[language].pop("source_hash", None)
        elif language not in changed:
            _record_source_hash(texts[language], before[new_source])
        else:  # edited together with the new source: translated from the new wording
            _record_source_hash(texts[language], _content_hash(texts, new_source))
    node["source_language"] = new_source


def _confirm(node: CommentedMap, language: str) -> None:
    """Record that ``language`` still matches the current source text."""
    source = str(node["source_language"])
    if language == source or language not in LANGUAGES:
        return
    texts = node["text"]
    _record_source_hash(texts[language], _content_hash(texts, source))


def _record_source_hash(one: CommentedMap, value: str) -> None:
    # First in the language's block, where the content files keep it.
    if "source_hash" in one:
        one["source_hash"] = value
    else:
        one.insert(0, "source_hash", value)


def _set_text(one: CommentedMap, name: str, value: str) -> None:
    value = value.strip()
    if name == "details" and not value:
        one.pop("details", None)
        return
    if not value:
        raise ArticleEditError(f"{name} may not be empty")
    if str(one.get(name) or "").strip() == value:
        return  # untouched: keep the file's own formatting of this text
    one[name] = FoldedScalarString(value) if name != "title" else value


def _legal_basis(items: list[dict[str, str]]) -> CommentedSeq:
    seq = CommentedSeq()
    for item in items:
        act = str(item.get("act") or "").strip()
        if not act:
            continue
        reference = CommentedMap(act=act)
        article = str(item.get("article") or "").strip()
        if article:
            reference["article"] = article
        reference.fa.set_flow_style()
        seq.append(reference)
    return seq


def _set_list(node: CommentedMap, name: str, values: list[str]) -> None:
    cleaned = [str(value).strip() for value in values if str(value).strip()]
    if not cleaned:
        node.pop(name, None)
        return
    seq = CommentedSeq(cleaned)
    seq.fa.set_flow_style()
    node[name] = seq


def _set_date(node: CommentedMap, name: str, value: str | None) -> None:
    if not value:
        if name == "verified_on":
            raise ArticleEditError("verified_on is required")
        node.pop(name, None)
        return
    try:
        node[name] = date.fromisoformat(value)
    except ValueError:
        raise ArticleEditError(f"{name} must be a date (YYYY-MM-DD)") from None


def article_form(body: str, article_id: str) -> dict[str, Any]:
    """The article's editable fields as plain JSON for the editor page."""
    node = find_node(load_document(body), article_id)
    texts = node["text"]
    return {
        "id": article_id,
        "source_language": str(node["source_language"]),
        "confidence": str(node["confidence"]),
        "dates": {name: (str(node[name]) if name in node else None) for name in DATE_FIELDS},
        "lists": {name: [str(v) for v in node.get(name) or []] for name in LIST_FIELDS},
        "legal_basis": [
            {"act": str(ref.get("act")), "article": str(ref["article"]) if "article" in ref else ""}
            for ref in node.get("legal_basis") or []
        ],
        "texts": {
            lang: {name: str(texts[lang].get(name) or "") for name in TEXT_FIELDS} for lang in LANGUAGES
        },
        "stale": stale_in_node(node),
    }
