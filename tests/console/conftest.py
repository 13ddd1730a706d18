"""Fixtures of the call-centre tests."""

from tests.handoff.staff import handoff_config  # noqa: F401  (a fixture)
