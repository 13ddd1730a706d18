"""The Rasa 3.6 peer for the end-to-end comparison: a Rasa project built from our NLU training
data (same intents and examples), a rule per intent answering with a fixed text, served through
Rasa's REST channel — the same endpoint and message format as MigAssist's.

Training takes minutes, so the model is cached under ``benchmarks/.cache/rasa`` and reused while
the training data and this pipeline are unchanged (the file name carries their hash). Rasa lives
in its own Python 3.10 environment, ``.venv-rasa`` (made by ``scripts/rasa_env.sh``).

    python -m benchmarks.rasa_peer train      # once; prints the model path
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from benchmarks.server import CACHE, ROOT, wait_until_up
from nlu.intents import INTENTS

RASA = ROOT / ".venv-rasa" / "bin" / "rasa"
NLU_DATA = ROOT / "nlu" / "data"
PROJECT = CACHE / "rasa"

# A common Rasa 3 NLU pipeline (sparse word and character n-grams into DIET) and rules only:
# the comparison is about serving a message end to end, not about stories.
RASA_CONFIG = {
    "recipe": "default.v1",
    "language": "xx",
    "assistant_id": "migassist-benchmark-peer",
    "pipeline": [
        {"name": "WhitespaceTokenizer"},
        {"name": "RegexFeaturizer"},
        {"name": "LexicalSyntacticFeaturizer"},
        {"name": "CountVectorsFeaturizer"},
        {"name": "CountVectorsFeaturizer", "analyzer": "char_wb", "min_ngram": 1, "max_ngram": 4},
        # Few epochs: training on this shared 2-core machine takes ~a minute per epoch, the
        # accuracy on the training data is already ~99% after five, and serving cost per message
        # does not depend on the number of epochs.
        {"name": "DIETClassifier", "epochs": 10, "constrain_similarities": True},
        {"name": "FallbackClassifier", "threshold": 0.3},
    ],
    "policies": [{"name": "RulePolicy"}],
}


def _domain() -> dict[str, object]:
    return {
        "version": "3.1",
        "intents": [*INTENTS, "nlu_fallback"],
        "responses": {f"utter_{name}": [{"text": f"[{name}]"}] for name in [*INTENTS, "nlu_fallback"]},
        "session_config": {"session_expiration_time": 60, "carry_over_slots_to_new_session": True},
    }


def _rules() -> dict[str, object]:
    return {
        "version": "3.1",
        "rules": [
            {"rule": f"answer {name}", "steps": [{"intent": name}, {"action": f"utter_{name}"}]}
            for name in [*INTENTS, "nlu_fallback"]
        ],
    }


def _fingerprint() -> str:
    digest = hashlib.sha256(json.dumps(RASA_CONFIG, sort_keys=True).encode())
    for path in sorted(NLU_DATA.glob("*.yml")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def model_path() -> Path:
    return PROJECT / "models" / f"peer-{_fingerprint()}.tar.gz"


def _write_project() -> None:
    if PROJECT.exists():
        shutil.rmtree(PROJECT / "data", ignore_errors=True)
    (PROJECT / "data").mkdir(parents=True, exist_ok=True)
    for path in NLU_DATA.glob("*.yml"):
        shutil.copy(path, PROJECT / "data" / f"nlu_{path.name}")
    (PROJECT / "data" / "rules.yml").write_text(yaml.safe_dump(_rules(), allow_unicode=True))
    (PROJECT / "domain.yml").write_text(yaml.safe_dump(_domain(), allow_unicode=True))
    (PROJECT / "config.yml").write_text(yaml.safe_dump(RASA_CONFIG, allow_unicode=True, sort_keys=False))
    (PROJECT / "credentials.yml").write_text("rest: {}\n")
    (PROJECT / "endpoints.yml").write_text("{}\n")


def train() -> Path:
    """Train the peer model unless a model for the current data and pipeline is cached."""
    target = model_path()
    if target.exists():
        return target
    if not RASA.exists():
        raise SystemExit(f"{RASA} not found: run scripts/rasa_env.sh first")
    _write_project()
    subprocess.run(
        [str(RASA), "train", "--fixed-model-name", target.name.removesuffix(".tar.gz"), "--out", str(target.parent)],
        cwd=PROJECT,
        check=True,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    return target


def start(port: int) -> subprocess.Popen[bytes]:
    """Serve the cached model with Rasa's REST channel on loopback (trains first if needed)."""
    model = train()
    process = subprocess.Popen(
        [str(RASA), "run", "--model", str(model), "--port", str(port), "--interface", "127.0.0.1",
         "--credentials", "credentials.yml", "--endpoints", "endpoints.yml"],
        cwd=PROJECT,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # stopped like our server, by process group
    )
    wait_until_up(f"http://127.0.0.1:{port}/", process, timeout=600)
    return process


if __name__ == "__main__":
    if sys.argv[1:] != ["train"]:
        raise SystemExit("usage: python -m benchmarks.rasa_peer train")
    print(train())
