"""The type check: mypy, configured in pyproject.toml ([tool.mypy]), finds no errors."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ["bot", "flows", "nlu", "knowledge_base"]


def test_mypy_checks_the_packages() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert config["tool"]["mypy"]["files"] == PACKAGES


def test_mypy_finds_no_errors() -> None:
    # Run from the project root: the configured files are relative to it.
    result = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True)
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"mypy found errors:\n{output}"
    assert output.startswith("Success: no issues found"), output
