"""NLU training data and models from the editors' workspace.

The training data (Rasa NLU YAML, one document per language) is kept in ``training_files``,
seeded from ``nlu.data_dir`` on first use. Retraining runs in a worker thread (never on the event
loop) as a tracked background task: it trains on the current data, evaluates the new model and
the live one on the held-out dev set, and records both sets of figures. Activation swaps the
live model at once and writes the data and model where the next start-up loads them from;
a model that is worse than the live one beyond ``editor.model_activation_margin`` needs a
written reason, which goes into the audit log.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import tempfile
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.scalarstring import LiteralScalarString
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import nlu
from bot.config import Settings
from bot.core.live import LiveContent
from bot.core.tasks import TaskTracker
from bot.editor.audit import AuditLog
from bot.editor.inbox import InboxError, UnansweredInbox, decide
from bot.observability.masking import mask
from bot.storage.base import utcnow
from bot.storage.editorial import ModelVersion, TrainingFile
from flows.messages import LANGUAGES
from nlu.data import load_examples
from nlu.evaluation import EvaluationReport, evaluate
from nlu.intents import INTENTS

log = logging.getLogger(__name__)

MAX_EXAMPLE_CHARS = 300


class TrainingError(ValueError):
    """A training-data edit, retrain or activation was refused; the message says why."""


def _yaml() -> YAML:
    round_trip = YAML()
    round_trip.preserve_quotes = True
    round_trip.width = 4096
    round_trip.indent(mapping=2, sequence=2, offset=0)  # the layout of nlu/data/*.yml
    return round_trip


def intent_examples(body: str) -> dict[str, list[str]]:
    """``{intent: [example, …]}`` of one Rasa NLU YAML document."""
    document = _yaml().load(body) or {}
    found: dict[str, list[str]] = {}
    for block in document.get("nlu") or []:
        if isinstance(block, CommentedMap) and "intent" in block:
            lines = str(block.get("examples") or "").splitlines()
            found.setdefault(str(block["intent"]), []).extend(
                line.strip()[2:].strip() for line in lines if line.strip().startswith("- ")
            )
    return found


def replace_examples(body: str, intent: str, examples: list[str]) -> str:
    """``body`` with the examples of ``intent`` replaced (a block is added if it had none)."""
    round_trip = _yaml()
    document = round_trip.load(body) or CommentedMap(version="3.1", nlu=[])
    text = LiteralScalarString("".join(f"- {example}\n" for example in examples))
    for block in document["nlu"]:
        if isinstance(block, CommentedMap) and block.get("intent") == intent:
            block["examples"] = text
            break
    else:
        document["nlu"].append(CommentedMap(intent=intent, examples=text))
    out = io.StringIO()
    round_trip.dump(document, out)
    return out.getvalue()


def _clean(example: str) -> str:
    cleaned = " ".join(example.split())
    if not cleaned or len(cleaned) > MAX_EXAMPLE_CHARS:
        raise TrainingError(f"an example is 1-{MAX_EXAMPLE_CHARS} characters")
    return cleaned


class TrainingDesk:
    """Training data per intent and language, retraining, model comparison and activation."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        settings: Settings,
        live: LiveContent,
        tasks: TaskTracker,
        inbox: UnansweredInbox,
    ) -> None:
        self._sessions = sessions
        self._settings = settings
        self._live = live
        self._tasks = tasks
        self._inbox = inbox
        self._models_dir = settings.data_dir / "nlu-models"

    # --- data ---------------------------------------------------------------------------------

    async def examples(self, language: str, intent: str | None) -> dict[str, Any]:
        """Counts per intent for ``language`` and, if ``intent`` is given, its examples."""
        if language not in LANGUAGES:
            raise TrainingError(f"unknown language {language!r}")
        async with self._sessions.begin() as session:
            body = (await self._files(session))[language]
        found = intent_examples(body)
        return {
            "language": language,
            "intents": {name: len(found.get(name, [])) for name in INTENTS},
            "intent": intent,
            "examples": found.get(intent, []) if intent else [],
        }

    async def set_examples(self, actor: str, language: str, intent: str, examples: list[str]) -> dict[str, Any]:
        if language not in LANGUAGES or intent not in INTENTS:
            raise TrainingError("unknown language or intent")
        cleaned = list(dict.fromkeys(_clean(example) for example in examples))
        async with self._sessions.begin() as session:
            before = intent_examples((await self._files(session))[language]).get(intent, [])
            await self._write(session, actor, language, intent, cleaned)
            AuditLog(session).record(actor, "training_edit", f"nlu {language}/{intent}", before=len(before), after=len(cleaned))
        return {"ok": True, "count": len(cleaned)}

    async def add_from_inbox(self, actor: str, message_id: int, intent: str, text: str) -> dict[str, Any]:
        """Add an unanswered question as an example of ``intent`` (masked unless the editor
        supplies their own wording) and take it out of the inbox."""
        if intent not in INTENTS:
            raise TrainingError(f"unknown intent {intent!r}")
        async with self._sessions.begin() as session:
            try:
                message = await self._inbox.question(session, message_id)
            except InboxError as exc:
                raise TrainingError(str(exc)) from None
            language = message.language if message.language in LANGUAGES else None
            if language is None:
                raise TrainingError("the question's language is unknown")
            example = _clean(mask(text) if text.strip() else mask(message.text))
            current = intent_examples((await self._files(session))[language]).get(intent, [])
            if example not in current:
                await self._write(session, actor, language, intent, [*current, example])
            decide(session, actor, message_id, "trained", intent=intent)
        return {"ok": True, "language": language, "intent": intent, "example": example}

    async def _files(self, session: AsyncSession) -> dict[str, str]:
        rows = {row.language: row for row in await session.scalars(select(TrainingFile))}
        for language in LANGUAGES:
            if language not in rows:
                body = (self._settings.nlu.data_dir / f"{language}.yml").read_text(encoding="utf-8")
                rows[language] = TrainingFile(language=language, body=body, updated_by="seed")
                session.add(rows[language])
        return {language: row.body for language, row in rows.items()}

    async def _write(self, session: AsyncSession, actor: str, language: str, intent: str, examples: list[str]) -> None:
        row = await session.scalar(select(TrainingFile).where(TrainingFile.language == language))
        assert row is not None  # _files() seeded every language in this session
        row.body = replace_examples(row.body, intent, examples)
        row.updated_by = actor
        row.updated_at = utcnow()

    async def files(self) -> dict[str, str]:
        """The current training data, ``{language: YAML}``."""
        async with self._sessions.begin() as session:
            return await self._files(session)

    async def replace_files(self, actor: str, files: dict[str, str]) -> None:
        """Import whole training files (YAML export/import round-trip)."""
        async with self._sessions.begin() as session:
            await self._files(session)
            for row in await session.scalars(select(TrainingFile)):
                if row.language in files and files[row.language] != row.body:
                    row.body, row.updated_by, row.updated_at = files[row.language], actor, utcnow()
            AuditLog(session).record(actor, "training_import", "nlu", languages=",".join(sorted(files)))

    # --- models -------------------------------------------------------------------------------

    async def models(self) -> list[dict[str, Any]]:
        async with self._sessions() as session:
            rows = list(await session.scalars(select(ModelVersion).order_by(ModelVersion.id.desc()).limit(20)))
        margin = self._settings.editor.model_activation_margin
        return [
            {
                "id": row.id,
                "status": row.status,
                "created_by": row.created_by,
                "created_at": row.created_at.isoformat(),
                "error": row.error,
                "activated_by": row.activated_by,
                "override_reason": row.override_reason,
                "figures": json.loads(row.figures) if row.figures else None,
                "regressions": regressions(json.loads(row.figures), margin) if row.figures else [],
            }
            for row in rows
        ]

    async def recover(self) -> None:
        """At start-up: a training that was running when the process stopped will never finish."""
        async with self._sessions.begin() as session:
            for row in await session.scalars(select(ModelVersion).where(ModelVersion.status == "training")):
                row.status, row.error, row.finished_at = "failed", "interrupted by a restart", utcnow()

    async def retrain(self, actor: str) -> dict[str, Any]:
        """Start training a new model in the background; one training at a time."""
        async with self._sessions.begin() as session:
            if await session.scalar(select(ModelVersion.id).where(ModelVersion.status == "training")) is not None:
                raise TrainingError("a model is already training")
            files = await self._files(session)
            row = ModelVersion(status="training", path="", created_by=actor)
            session.add(row)
            await session.flush()
            row.path = str(self._models_dir / f"model-{row.id}.pkl")
            AuditLog(session).record(actor, "retrain", f"nlu model {row.id}")
            model_id = row.id
        self._tasks.spawn(self._train(model_id, files), name=f"nlu-retrain-{model_id}")
        return {"id": model_id, "status": "training"}

    async def _train(self, model_id: int, files: dict[str, str]) -> None:
        live_model = self._live.model
        try:
            data_hash, figures = await asyncio.to_thread(self._train_and_evaluate, model_id, files, live_model)
        except Exception as exc:
            log.exception("retraining NLU model %s failed", model_id)
            async with self._sessions.begin() as session:
                row = await session.get(ModelVersion, model_id)
                if row is not None:
                    row.status, row.error, row.finished_at = "failed", f"{type(exc).__name__}: {exc}"[:2000], utcnow()
            return
        async with self._sessions.begin() as session:
            row = await session.get(ModelVersion, model_id)
            if row is not None:
                row.status, row.data_hash, row.figures, row.finished_at = "ready", data_hash, json.dumps(figures), utcnow()
        log.info("NLU model %s trained and evaluated", model_id)

    def _train_and_evaluate(self, model_id: int, files: dict[str, str], live_model: nlu.NluModel) -> tuple[str, dict[str, Any]]:
        """Runs in a worker thread: train from ``files``, save, evaluate both models."""
        with tempfile.TemporaryDirectory(prefix="migassist-nlu-") as tmp:
            data_dir = Path(tmp)
            for language, body in files.items():
                (data_dir / f"{language}.yml").write_text(body, encoding="utf-8")
            candidate = nlu.train(data_dir)
        candidate.save(self._models_dir / f"model-{model_id}.pkl")
        dev = load_examples(self._settings.editor.evaluation_data_dir)
        threshold = self._settings.nlu.confident_threshold
        return candidate.data_hash, {
            "candidate": figures_of(evaluate(candidate, dev, threshold)),
            "live": figures_of(evaluate(live_model, dev, threshold)),
        }

    async def activate(self, actor: str, model_id: int, reason: str | None) -> dict[str, Any]:
        """Make a trained model live; refused if it is worse beyond the margin and no reason is given."""
        async with self._sessions() as session:
            row = await session.get(ModelVersion, model_id)
            if row is None or row.status not in ("ready", "retired") or not row.figures:
                raise TrainingError("only a trained, evaluated model can be activated")
            worse = regressions(json.loads(row.figures), self._settings.editor.model_activation_margin)
            path = Path(row.path)
        if worse and not reason:
            raise TrainingError("the new model is worse on: " + ", ".join(worse) + "; give a reason to activate it anyway")
        model = await asyncio.to_thread(nlu.NluModel.load, path)
        files = await self.files()
        await asyncio.to_thread(self._install, model, files)
        self._live.use_model(model, path)
        async with self._sessions.begin() as session:
            for other in await session.scalars(select(ModelVersion).where(ModelVersion.status == "active")):
                other.status = "retired"
            row = await session.get(ModelVersion, model_id)
            assert row is not None
            row.status, row.activated_by, row.activated_at, row.override_reason = "active", actor, utcnow(), reason if worse else None
            AuditLog(session).record(actor, "activate", f"nlu model {model_id}", override_reason=reason if worse else None, worse_on=", ".join(worse) or None)
        return {"ok": True, "id": model_id, "overridden": bool(worse)}

    def _install(self, model: nlu.NluModel, files: dict[str, str]) -> None:
        """Write the data and the model where start-up loads them, so a restart keeps this model
        (``load_or_train`` accepts the saved model because the data hash matches)."""
        data_dir = self._settings.nlu.data_dir
        for language, body in files.items():
            (data_dir / f"{language}.yml").write_text(body, encoding="utf-8")
        model.save(self._settings.nlu_model_path)


def figures_of(report: EvaluationReport) -> dict[str, Any]:
    """The held-out figures shown side by side: overall, per language, per intent."""
    return {
        "overall": {"accuracy": round(report.overall.accuracy, 4), "macro_f1": round(report.overall.macro_f1, 4), "count": report.overall.count},
        "by_language": {
            language: {"accuracy": round(group.accuracy, 4), "macro_f1": round(group.macro_f1, 4), "count": group.count}
            for language, group in sorted(report.by_language.items())
        },
        "by_intent": {intent: {"f1": round(row.f1, 4), "support": row.support} for intent, row in sorted(report.by_intent.items())},
    }


def regressions(figures: dict[str, Any], margin: float) -> list[str]:
    """Where the candidate is worse than the live model by more than ``margin``: overall and
    per language. Per-intent F1 is shown but does not gate activation: each intent has only a
    few dozen dev examples, so one message moves it by more than any sensible margin."""
    candidate, live = figures["candidate"], figures["live"]
    worse = []
    for name in ("accuracy", "macro_f1"):
        if candidate["overall"][name] < live["overall"][name] - margin:
            worse.append(f"overall {name}")
    for language, group in live["by_language"].items():
        if candidate["by_language"].get(language, {}).get("accuracy", 0.0) < group["accuracy"] - margin:
            worse.append(f"{language} accuracy")
    return worse
