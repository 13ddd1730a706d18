"""The lint: ruff, configured in pyproject.toml ([tool.ruff]), finds nothing in the project."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_ruff_finds_nothing() -> None:
    # From the project root, without a cache: the same check as `ruff check` there.
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--output-format", "concise"],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert result.returncode == 0, f"ruff found problems:\n{result.stdout}{result.stderr}"
