"""Configuration: ``config.yml`` plus environment overrides, parsed once into frozen models.

Precedence: defaults < ``config.yml`` < environment. Any setting can be overridden with
``MIGASSIST_<SECTION>__<KEY>`` (e.g. ``MIGASSIST_SERVER__PORT=9000``); the database URL also with
the shorter ``MIGASSIST_DATABASE_URL``. Secrets (tokens, signing keys) are read only from the
environment (see :class:`Secrets`), never from the file.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

ENV_PREFIX = "MIGASSIST_"
PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigError(Exception):
    """The configuration is invalid; the message names the offending key."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ServerSettings(_Section):
    host: str = "127.0.0.1"
    port: int = Field(8080, ge=1, le=65535)
    max_message_chars: int = Field(4096, ge=1)
    public_url: str | None = None


class DatabaseSettings(_Section):
    url: str | None = None
    echo: bool = False

    def resolved_url(self, data_dir: Path) -> str:
        return self.url or f"sqlite:///{data_dir / 'migassist.db'}"


class NluSettings(_Section):
    data_dir: Path = PROJECT_ROOT / "nlu" / "data"
    model_path: Path | None = None
    confident_threshold: float = Field(0.6, ge=0, le=1)
    clarify_threshold: float = Field(0.3, ge=0, le=1)


class KnowledgeBaseSettings(_Section):
    content_dir: Path = PROJECT_ROOT / "knowledge_base" / "content"


class FlowSettings(_Section):
    timezone: str = "Asia/Baku"
    conversation_timeout_minutes: int = Field(30, ge=1)


class OutboxSettings(_Section):
    max_attempts: int = Field(8, ge=1)
    base_delay_seconds: float = Field(1.0, gt=0)
    max_delay_seconds: float = Field(300.0, gt=0)
    poll_interval_seconds: float = Field(1.0, gt=0)


class HandoffSettings(_Section):
    """The call-centre desk: working hours, routing time-outs and queue-time SLA thresholds."""

    # Weekday ("mon".."sun") -> "HH:MM-HH:MM" in flows.timezone; empty means open 24/7.
    working_hours: dict[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"], str] = {}
    answer_timeout_seconds: int = Field(120, ge=5)
    presence_timeout_seconds: int = Field(60, ge=5)
    average_handling_minutes: float = Field(6.0, gt=0)
    sla_warning_seconds: int = Field(60, ge=1)
    sla_breach_seconds: int = Field(180, ge=1)
    sweep_interval_seconds: float = Field(2.0, gt=0)

    @field_validator("working_hours")
    @classmethod
    def _hours(cls, value: dict[str, str]) -> dict[str, str]:
        for day, span in value.items():
            if not _HOURS_SPAN.fullmatch(span):
                raise ValueError(f"{day}: expected 'HH:MM-HH:MM', got {span!r}")
        return value


_HOURS_SPAN = re.compile(r"([01]\d|2[0-4]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d")


class TelegramSettings(_Section):
    """Telegram channel (secrets: ``MIGASSIST_TELEGRAM_TOKEN``, ``MIGASSIST_TELEGRAM_WEBHOOK_SECRET``)."""

    enabled: bool = False
    # Bot API service URL; the token is appended (or replaces "{token}"). A self-hosted Bot API
    # server or a test double is set here.
    base_url: str = "https://api.telegram.org/bot"
    request_timeout_seconds: float = Field(10.0, gt=0)


class WhatsAppSettings(_Section):
    """WhatsApp Cloud API channel (secrets: ``MIGASSIST_WHATSAPP_TOKEN``,
    ``MIGASSIST_WHATSAPP_APP_SECRET``, ``MIGASSIST_WHATSAPP_VERIFY_TOKEN``)."""

    enabled: bool = False
    base_url: str = "https://graph.facebook.com"
    api_version: str = "v21.0"
    phone_number_id: str | None = None
    # An approved message template used when the 24-hour customer-service window is closed;
    # without one, such replies fail permanently (and the operator console shows why).
    template_name: str | None = None
    # Our language -> the template's WhatsApp language code.
    template_languages: dict[str, str] = {"az": "az", "ru": "ru", "en": "en"}
    # Whether the template has one body parameter ({{1}}) that receives the reply's text.
    template_has_text_parameter: bool = False
    request_timeout_seconds: float = Field(10.0, gt=0)

    @model_validator(mode="after")
    def _phone_number_when_enabled(self) -> WhatsAppSettings:
        if self.enabled and not self.phone_number_id:
            raise ValueError("phone_number_id is required when whatsapp is enabled")
        return self


class RateLimitSettings(_Section):
    """Per-user (every channel) and per-client-IP (direct HTTP clients) limits; see bot/ratelimit.py."""

    enabled: bool = True
    # A user may send this many messages at once, refilled evenly over the period.
    user_messages: int = Field(30, ge=1)
    user_period_seconds: float = Field(60.0, gt=0)
    ip_requests: int = Field(300, ge=1)
    ip_period_seconds: float = Field(60.0, gt=0)
    # Reverse proxies whose X-Forwarded-For is believed (CIDR networks).
    trusted_proxies: tuple[str, ...] = ("127.0.0.1/32", "::1/128")

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for network in value:
            ipaddress.ip_network(network)  # ValueError names the bad entry
        return value


class RetentionSettings(_Section):
    """How many days each kind of personal data is kept; ``migassist purge`` deletes older data."""

    # Message texts (transcripts); unprocessed or undelivered messages are never purged.
    messages_days: int = Field(90, ge=1)
    # Delivery records of sent or failed replies (the outbox).
    delivery_records_days: int = Field(30, ge=1)
    # Closed handoffs (their summaries quote the chat), operators' notes and satisfaction ratings.
    handoff_records_days: int = Field(365, ge=1)
    # A conversation (the user's platform id and dialogue state) idle this long, with everything in it.
    conversations_days: int = Field(365, ge=1)


class ObservabilitySettings(_Section):
    """Prometheus metrics and log format (see bot/observability)."""

    metrics_enabled: bool = True
    # Clients allowed to read /metrics (CIDR networks); others get 403.
    metrics_allowed_networks: tuple[str, ...] = ("127.0.0.1/32", "::1/128")
    # "text" for people, "json" (one object per line) for log shippers; both mask personal data.
    log_format: Literal["text", "json"] = "text"

    @field_validator("metrics_allowed_networks")
    @classmethod
    def _networks(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for network in value:
            ipaddress.ip_network(network)
        return value


class EditorSettings(_Section):
    """The content editors' workspace (``/editor/``)."""

    # The person who publishes a change must not be its author.
    four_eyes: bool = True
    # A change in one language leaves the others stale; publishing waits until they are updated
    # or confirmed.
    block_stale_translations: bool = True
    # A retrained NLU model is activated only if no held-out figure drops by more than this
    # (absolute, e.g. 0.01 = one percentage point); otherwise only with a written reason.
    model_activation_margin: float = Field(0.01, ge=0, le=1)
    # Held-out examples (Rasa NLU YAML) both models are evaluated on; never trained on.
    evaluation_data_dir: Path = PROJECT_ROOT / "nlu" / "dev"


class Settings(_Section):
    """All non-secret settings."""

    data_dir: Path = PROJECT_ROOT / "data"
    server: ServerSettings = ServerSettings()
    database: DatabaseSettings = DatabaseSettings()
    nlu: NluSettings = NluSettings()
    knowledge_base: KnowledgeBaseSettings = KnowledgeBaseSettings()
    flows: FlowSettings = FlowSettings()
    outbox: OutboxSettings = OutboxSettings()
    handoff: HandoffSettings = HandoffSettings()
    telegram: TelegramSettings = TelegramSettings()
    whatsapp: WhatsAppSettings = WhatsAppSettings()
    rate_limits: RateLimitSettings = RateLimitSettings()
    retention: RetentionSettings = RetentionSettings()
    observability: ObservabilitySettings = ObservabilitySettings()
    editor: EditorSettings = EditorSettings()

    @field_validator("data_dir")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    @property
    def database_url(self) -> str:
        return self.database.resolved_url(self.data_dir)

    @property
    def nlu_model_path(self) -> Path:
        return self.nlu.model_path or self.data_dir / "nlu-model.pkl"


@dataclass(frozen=True)
class Secrets:
    """Secrets come only from the environment; absent ones are ``None`` until a feature needs them."""

    values: Mapping[str, str]

    def require(self, name: str) -> str:
        """Return ``MIGASSIST_<name>`` or raise :class:`ConfigError` naming the missing variable."""
        value = self.values.get(name)
        if not value:
            raise ConfigError(f"environment variable {ENV_PREFIX}{name} is required but not set")
        return value

    def get(self, name: str) -> str | None:
        return self.values.get(name) or None


SECRET_NAMES = (
    "TELEGRAM_TOKEN",
    "TELEGRAM_WEBHOOK_SECRET",
    "WHATSAPP_TOKEN",
    "WHATSAPP_APP_SECRET",
    "WHATSAPP_VERIFY_TOKEN",
    "SESSION_SECRET",
)


@dataclass(frozen=True)
class Config:
    settings: Settings
    secrets: Secrets


def _env_overrides(environ: Mapping[str, str]) -> dict[str, Any]:
    overrides: dict[str, Any] = {}
    top_level = {name for name, field in Settings.model_fields.items() if not _is_section(field.annotation)}
    for name, value in environ.items():
        if not name.startswith(ENV_PREFIX):
            continue
        key = name[len(ENV_PREFIX):].lower()
        if "__" not in key and key not in top_level:
            continue  # a secret or the DATABASE_URL shortcut, handled separately
        path = key.split("__")
        node = overrides
        for part in path[:-1]:
            node = node.setdefault(part, {})
        node[path[-1]] = value
    if url := environ.get(ENV_PREFIX + "DATABASE_URL"):
        overrides.setdefault("database", {})["url"] = url
    return overrides


def _is_section(annotation: object) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, _Section)


def _merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _merge(dict(merged[key]), value)
        else:
            merged[key] = value
    return merged


def _describe(error: ValidationError) -> str:
    first = error.errors()[0]
    key = ".".join(str(part) for part in first["loc"]) or "(top level)"
    return f"invalid configuration at '{key}': {first['msg']}"


def load_config(path: Path | None = None, environ: Mapping[str, str] | None = None) -> Config:
    """Read ``path`` (default ``config.yml`` in the project root if present) and the environment.

    Relative paths in the file are resolved against the file's directory.
    """
    environ = os.environ if environ is None else environ
    raw: dict[str, Any] = {}
    base_dir = Path.cwd()
    if path is None and (PROJECT_ROOT / "config.yml").exists():
        path = PROJECT_ROOT / "config.yml"
    if path is not None:
        try:
            loaded = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise ConfigError(f"cannot read configuration file {path}: {exc}") from exc
        if not isinstance(loaded, dict):
            raise ConfigError(f"configuration file {path} must contain a mapping at the top level")
        raw = loaded
        base_dir = Path(path).resolve().parent
    raw = _merge(raw, _env_overrides(environ))
    previous = Path.cwd()
    try:
        os.chdir(base_dir)  # relative paths in the file are relative to the file
        settings = Settings.model_validate(raw)
        settings = _absolutise(settings)
    except ValidationError as exc:
        raise ConfigError(_describe(exc)) from None
    finally:
        os.chdir(previous)
    secrets = Secrets({name: environ[ENV_PREFIX + name] for name in SECRET_NAMES if ENV_PREFIX + name in environ})
    return Config(settings=settings, secrets=secrets)


def _absolutise(settings: Settings) -> Settings:
    nlu = settings.nlu.model_copy(
        update={
            "data_dir": settings.nlu.data_dir.resolve(),
            "model_path": settings.nlu.model_path.resolve() if settings.nlu.model_path else None,
        }
    )
    kb = settings.knowledge_base.model_copy(update={"content_dir": settings.knowledge_base.content_dir.resolve()})
    editor = settings.editor.model_copy(
        update={"evaluation_data_dir": settings.editor.evaluation_data_dir.resolve()}
    )
    return settings.model_copy(update={"nlu": nlu, "knowledge_base": kb, "editor": editor})
