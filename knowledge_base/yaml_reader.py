"""Typed access to parsed YAML that reports the file and field path of every mistake."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

from knowledge_base.errors import ContentError
from knowledge_base.model import LANGUAGES, LocalText


class Node:
    """A value inside one YAML file, remembering where it came from (``file`` and ``path``)."""

    def __init__(self, value: Any, file: str, path: str = "") -> None:
        self.value = value
        self.file = file
        self.path = path or "(top level)"

    def fail(self, message: str) -> ContentError:
        return ContentError(self.file, self.path, message)

    def _child_path(self, key: str | int) -> str:
        if isinstance(key, int):
            return f"{self.path}[{key}]"
        return key if self.path == "(top level)" else f"{self.path}.{key}"

    def mapping(self) -> dict[str, Any]:
        if not isinstance(self.value, dict):
            raise self.fail(f"expected a mapping, got {type(self.value).__name__}")
        return self.value

    def has(self, key: str) -> bool:
        return self.mapping().get(key) is not None

    def __getitem__(self, key: str) -> Node:
        mapping = self.mapping()
        if mapping.get(key) is None:
            raise ContentError(self.file, self._child_path(key), "missing")
        return Node(mapping[key], self.file, self._child_path(key))

    def optional(self, key: str) -> Node | None:
        mapping = self.mapping()
        return None if mapping.get(key) is None else Node(mapping[key], self.file, self._child_path(key))

    def only_keys(self, *allowed: str) -> None:
        unknown = sorted(set(self.mapping()) - set(allowed))
        if unknown:
            raise self.fail(f"unknown field(s) {', '.join(map(str, unknown))}")

    def items(self) -> Iterator[Node]:
        if not isinstance(self.value, list):
            raise self.fail(f"expected a list, got {type(self.value).__name__}")
        for index, item in enumerate(self.value):
            yield Node(item, self.file, self._child_path(index))

    def text(self) -> str:
        if not isinstance(self.value, (str, int, float)) or isinstance(self.value, bool):
            raise self.fail("expected text")
        text = str(self.value).strip()
        if not text:
            raise self.fail("must not be empty")
        return text

    def code(self) -> str:
        """A provision number such as "21.10": must be quoted, since YAML would read 21.10 as 21.1."""
        if not isinstance(self.value, str):
            raise self.fail(f"write provision numbers in quotes (got {self.value!r})")
        return self.text()

    def codes(self) -> tuple[str, ...]:
        return tuple(item.code() for item in self.items())

    def integer(self) -> int:
        if not isinstance(self.value, int) or isinstance(self.value, bool):
            raise self.fail("expected a whole number")
        return self.value

    def boolean(self) -> bool:
        if not isinstance(self.value, bool):
            raise self.fail("expected true or false")
        return self.value

    def amount(self) -> Decimal:
        if isinstance(self.value, bool) or not isinstance(self.value, (int, float, str)):
            raise self.fail("expected an amount")
        try:
            return Decimal(str(self.value))
        except ArithmeticError:
            raise self.fail(f"not an amount: {self.value!r}") from None

    def day(self) -> date:
        if not isinstance(self.value, date):
            raise self.fail("expected a date (YYYY-MM-DD)")
        return self.value

    def choice(self, *allowed: str) -> str:
        text = self.text()
        if text not in allowed:
            raise self.fail(f"must be one of {', '.join(allowed)}, got {text!r}")
        return text

    def texts(self) -> tuple[str, ...]:
        return tuple(item.text() for item in self.items())

    def local_text(self) -> LocalText:
        """A ``{az, ru, en}`` mapping with all three languages present and non-empty."""
        self.only_keys(*LANGUAGES)
        return LocalText(**{language: self[language].text() for language in LANGUAGES})
