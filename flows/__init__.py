"""Conversation flows: channel-agnostic dialogue, calculators and handoff decisions.

Dependency rule: ``flows`` may import ``nlu`` and ``knowledge_base``; it never imports ``bot``.
"""
