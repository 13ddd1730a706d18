"""Reading training and dev data in the Rasa NLU YAML format (version "3.1").

Only ``intent`` blocks matter here; ``synonym``, ``regex`` and ``lookup`` blocks are skipped.
Rasa's inline entity annotations (``[Baku](city)`` / ``[Baku]{"entity": "city"}``) are reduced
to their text, so the same files train Rasa and this package.

A file's language is the part of its stem before ``_`` (``az_ascii.yml`` → ``az``); its
*variant* is the whole stem (``az_ascii``), which the evaluation reports separately.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")
_DATA_SUFFIXES = (".yml", ".yaml")


class DataError(ValueError):
    """A training or dev data file is malformed; the message names the file."""


@dataclass(frozen=True, slots=True)
class LabelledExample:
    """One example message with its intent and the language/variant of the file it came from."""

    text: str
    intent: str
    language: str
    variant: str


def data_files(path: Path) -> list[Path]:
    """Return the YAML files of ``path`` (a file or a directory), sorted by name."""
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise DataError(f"{path}: no such data file or directory")
    return sorted(p for p in path.iterdir() if p.suffix in _DATA_SUFFIXES and p.is_file())


def load_examples(path: Path) -> list[LabelledExample]:
    """Load every intent example of ``path`` (a Rasa NLU YAML file or a directory of them)."""
    examples: list[LabelledExample] = []
    for file in data_files(path):
        examples.extend(_load_file(file))
    return examples


def _load_file(file: Path) -> list[LabelledExample]:
    try:
        document = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise DataError(f"{file}: not valid YAML ({exc})") from exc
    if not isinstance(document, dict):
        raise DataError(f"{file}: expected a mapping with an 'nlu' list")
    variant = file.stem
    language = variant.split("_", 1)[0]
    examples: list[LabelledExample] = []
    for block in document.get("nlu") or []:
        if not isinstance(block, dict) or "intent" not in block:
            continue
        intent = str(block["intent"])
        raw = block.get("examples") or ""
        if not isinstance(raw, str):
            raise DataError(f"{file}: intent {intent!r}: 'examples' must be a block string")
        for line in raw.splitlines():
            line = line.strip()
            if not line.startswith("- "):
                continue
            text = _ANNOTATION.sub(r"\1", line[2:]).strip()
            if text:
                examples.append(LabelledExample(text, intent, language, variant))
    return examples


def data_hash(path: Path) -> str:
    """SHA-256 over the names and bytes of the data files: changes whenever the data does."""
    digest = hashlib.sha256()
    for file in data_files(path):
        digest.update(file.name.encode("utf-8") + b"\0")
        digest.update(file.read_bytes() + b"\0")
    return digest.hexdigest()
