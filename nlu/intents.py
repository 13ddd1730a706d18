"""The 25 intent names of the intent contract (``/work/shared/intents.md``, v1).

The names are a contract: analytics, flows, knowledge-base articles and external evaluation
key on them, so the classifier may only ever report one of :data:`INTENTS`.
"""

from __future__ import annotations

#: Conversation control, including the explicit ``out_of_scope`` class.
CONTROL_INTENTS: tuple[str, ...] = (
    "greet",
    "goodbye",
    "thanks",
    "affirm",
    "deny",
    "help",
    "change_language",
    "human_handoff",
    "out_of_scope",
)

#: Topics the migration service answers.
MIGRATION_INTENTS: tuple[str, ...] = (
    "stay_period",
    "registration",
    "stay_extension",
    "visa",
    "work_permit_exemption",
    "work_permit_fee",
    "work_permit_apply",
    "temporary_residence",
    "permanent_residence",
    "refugee_asylum",
    "citizenship",
    "fines_penalties",
    "application_status",
    "contact_info",
    "labour_rights",
    "trafficking_emergency",
)

#: Every intent the NLU may report.
INTENTS: tuple[str, ...] = CONTROL_INTENTS + MIGRATION_INTENTS

OUT_OF_SCOPE = "out_of_scope"
