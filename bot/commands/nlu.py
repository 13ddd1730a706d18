"""``migassist nlu``: train, try and measure the NLU model.

* ``nlu train`` — train from ``nlu.data_dir`` and save to ``nlu_model_path``;
* ``nlu parse "text" [--lang az]`` — one message, printed as JSON;
* ``nlu predict`` — stdin lines (plain text or JSON objects with ``text``) → JSON lines;
* ``nlu evaluate [--data FILE_OR_DIR]`` — accuracy, macro-F1 … on the dev set (default).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from bot.config import Settings, load_config
from nlu import NluModel, load_or_train, train
from nlu.data import DataError, load_examples
from nlu.evaluation import evaluate, format_report
from nlu.language import LANGUAGES
from nlu.paths import DEV_DATA_DIR
from nlu.types import Duration, Entity, Money, ParseResult


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("nlu", help="train, try and evaluate the NLU model", description=__doc__)
    sub = parser.add_subparsers(dest="nlu_command", metavar="ACTION", required=True)

    sub.add_parser("train", help="train from nlu.data_dir and save the model").set_defaults(handler=_train)

    parse = sub.add_parser("parse", help="parse one message and print the result as JSON")
    parse.add_argument("text", help="the message")
    parse.add_argument("--lang", choices=LANGUAGES, default=None, help="conversation language (hint)")
    parse.set_defaults(handler=_parse)

    predict = sub.add_parser("predict", help="stdin lines (text or JSON with 'text') to JSON lines on stdout")
    predict.add_argument("--lang", choices=LANGUAGES, default=None, help="conversation language (hint)")
    predict.set_defaults(handler=_predict)

    evaluate_parser = sub.add_parser("evaluate", help="measure the model on held-out data")
    evaluate_parser.add_argument(
        "--data", type=Path, default=DEV_DATA_DIR, help=f"Rasa NLU YAML file or directory (default {DEV_DATA_DIR})"
    )
    evaluate_parser.set_defaults(handler=_evaluate)


def _settings(args: argparse.Namespace) -> Settings:
    return load_config(args.config).settings


def _model(settings: Settings) -> NluModel:
    return load_or_train(settings.nlu_model_path, settings.nlu.data_dir)


def _train(args: argparse.Namespace) -> int:
    settings = _settings(args)
    started = time.perf_counter()
    model = train(settings.nlu.data_dir)
    model.save(settings.nlu_model_path)
    print(
        f"trained on {settings.nlu.data_dir} in {time.perf_counter() - started:.1f} s; "
        f"saved to {settings.nlu_model_path} (data hash {model.data_hash[:12]})"
    )
    return 0


def _parse(args: argparse.Namespace) -> int:
    result = _model(_settings(args)).parse(args.text, language_hint=args.lang)
    print(json.dumps(result_to_json(result), ensure_ascii=False, indent=2))
    return 0


def _predict(args: argparse.Namespace) -> int:
    model = _model(_settings(args))
    for line in sys.stdin:
        text = _message_text(line.rstrip("\n"))
        if text is None:
            continue
        started = time.perf_counter()
        result = model.parse(text, language_hint=args.lang)
        elapsed_ms = (time.perf_counter() - started) * 1000
        row = result_to_json(result)
        output = {key: row[key] for key in ("text", "language", "intent", "confidence", "entities")}
        output["elapsed_ms"] = round(elapsed_ms, 3)
        print(json.dumps(output, ensure_ascii=False), flush=True)
    return 0


def _message_text(line: str) -> str | None:
    """A JSON object line yields its ``text``; any other non-blank line is the text itself."""
    if not line.strip():
        return None
    if line.lstrip().startswith("{"):
        try:
            decoded = json.loads(line)
        except json.JSONDecodeError:
            return line
        if isinstance(decoded, dict) and isinstance(decoded.get("text"), str):
            return str(decoded["text"])
    return line


def _evaluate(args: argparse.Namespace) -> int:
    settings = _settings(args)
    try:
        examples = load_examples(args.data)
    except DataError as exc:
        print(f"migassist nlu evaluate: {exc}", file=sys.stderr)
        return 2
    if not examples:
        print(f"migassist nlu evaluate: no examples in {args.data}", file=sys.stderr)
        return 2
    report = evaluate(_model(settings), examples, settings.nlu.confident_threshold)
    print(format_report(report))
    return 0


def result_to_json(result: ParseResult) -> dict[str, Any]:
    """A JSON-ready dict of a parse result (dates ISO, durations and money as objects)."""
    return {
        "text": result.text,
        "language": result.language,
        "language_confident": result.language_confident,
        "intent": result.intent,
        "confidence": round(result.confidence, 4),
        "ranking": [{"intent": s.intent, "confidence": round(s.confidence, 4)} for s in result.ranking],
        "entities": [_entity_to_json(e) for e in result.entities],
    }


def _entity_to_json(entity: Entity) -> dict[str, Any]:
    value: Any = entity.value
    if isinstance(value, date):
        value = value.isoformat()
    elif isinstance(value, (Duration, Money)):
        value = {k: str(v) if isinstance(v, Decimal) else v for k, v in dataclasses.asdict(value).items()}
    return {"kind": entity.kind, "value": value, "text": entity.text, "start": entity.start, "end": entity.end}
