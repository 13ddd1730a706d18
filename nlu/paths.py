"""Where the package's own data lives in a source checkout."""

from __future__ import annotations

from pathlib import Path

#: Training data (Rasa NLU YAML, one file per language).
TRAINING_DATA_DIR = Path(__file__).resolve().parent / "data"
#: The held-out dev set (never trained on), one file per language variant.
DEV_DATA_DIR = Path(__file__).resolve().parent / "dev"
