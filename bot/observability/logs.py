"""Log output for people (text) or log shippers (JSON lines); both pass through :func:`mask`."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any, Literal

from bot.observability.masking import mask

#: ``LogRecord`` attributes that are not "extra" fields given by the caller.
_STANDARD_ATTRIBUTES = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


class MaskingTextFormatter(logging.Formatter):
    """The usual one-line text format, with personal data masked in the whole line."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        return mask(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ``ts`` (UTC, ISO 8601), ``level``, ``logger``, ``message``,
    ``exc`` if any, plus the caller's ``extra={...}`` fields. Strings are masked."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": mask(record.getMessage()),
        }
        if record.exc_info:
            entry["exc"] = mask(self.formatException(record.exc_info))
        for name, value in vars(record).items():
            if name not in _STANDARD_ATTRIBUTES and not name.startswith("_"):
                entry[name] = mask(value) if isinstance(value, str) else _plain(value)
        return json.dumps(entry, ensure_ascii=False)


def _plain(value: Any) -> Any:
    if isinstance(value, (int, float, bool)) or value is None:
        return value
    return mask(str(value))


class CurrentStderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is when a record is emitted, not the stream of the
    moment logging was configured (which a test runner may have closed since)."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


def configure_logging(level: str | int = "INFO", log_format: Literal["text", "json"] = "text") -> None:
    """Send the root logger's output to stderr in ``log_format``, replacing earlier handlers."""
    handler = CurrentStderrHandler()
    handler.setFormatter(JsonFormatter() if log_format == "json" else MaskingTextFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper() if isinstance(level, str) else level)
