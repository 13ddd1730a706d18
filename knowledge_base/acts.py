"""The registry of citable legal acts (``content/acts.yml``) and citations against it."""

from __future__ import annotations

from collections.abc import Mapping

from knowledge_base.model import Act, LegalReference
from knowledge_base.yaml_reader import Node

ACTS_FILE = "acts.yml"


def load_acts(node: Node) -> dict[str, Act]:
    """Parse ``acts.yml``: each act's id, names in three languages and citable provisions."""
    acts: dict[str, Act] = {}
    for item in node["acts"].items():
        item.only_keys("id", "name", "citable")
        act_id = item["id"].text()
        citable = item["citable"].codes() if item.has("citable") else ()
        acts[act_id] = Act(id=act_id, name=item["name"].local_text(), citable=citable)
    return acts


def load_reference(node: Node, acts: Mapping[str, Act]) -> LegalReference:
    """Parse ``{act: …, article: "…"}``; the act must be registered (provisions are checked by validation)."""
    node.only_keys("act", "article")
    act_id = node["act"].text()
    if act_id not in acts:
        raise node["act"].fail(f"unknown act {act_id!r} (see {ACTS_FILE})")
    article = node["article"].code() if node.has("article") else None
    return LegalReference(act=act_id, act_name=acts[act_id].name, article=article)


def reference_to(act_id: str, article: str, acts: Mapping[str, Act], where: Node) -> LegalReference:
    """A citation built from a table row (``where`` names the row in errors)."""
    return load_reference(Node({"act": act_id, "article": article}, where.file, where.path), acts)
