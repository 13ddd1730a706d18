"""Saying how sure an answer is: notes for secondary or unverified figures, and where to check."""

from __future__ import annotations

from collections.abc import Iterable

from flows.flow import TurnContext
from flows.knowledge import KnowledgeBase
from knowledge_base.tables import Basis

#: The contacts-table id of the service's call centre, where every uncertain answer points.
CALL_CENTRE_CONTACT = "call_centre"


def basis_notes(ctx: TurnContext, bases: Iterable[Basis]) -> list[str]:
    """One caution line per distinct weak confidence among ``bases`` ([S] secondary, [U] unverified)."""
    levels = {basis.confidence for basis in bases}
    notes = []
    if "S" in levels:
        notes.append(ctx.t.gettext("Part of this rule comes only from secondary sources (news reports), not an official text."))
    if "U" in levels:
        notes.append(ctx.t.gettext("Part of this rule could not be verified."))
    return notes


def call_centre_phone(kb: KnowledgeBase) -> str | None:
    """The call centre's number from the contacts table (``None`` if the table lacks it)."""
    contact = kb.tables.contacts.contact(CALL_CENTRE_CONTACT)
    return contact.value if contact else None
