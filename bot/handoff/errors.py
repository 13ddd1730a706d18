"""What can go wrong with a handoff action (shown to the operator, never to the user)."""

from __future__ import annotations


class HandoffError(Exception):
    """A handoff action was refused."""


class ClaimLost(HandoffError):
    """Another operator claimed the chat first (or it left the queue)."""


class NotYourChat(HandoffError):
    """The chat is not (or no longer) assigned to this operator."""


class UnknownTarget(HandoffError):
    """A transfer named an operator or language that cannot take the chat."""
