#!/usr/bin/env bash
# Create .venv-rasa: a Python 3.10 environment with Rasa 3.6, used only as a benchmark peer
# (benchmarks/nlu_vs_rasa.py). Rasa is not a dependency of the main package: it pins old
# numpy/TensorFlow versions that cannot live in the project's Python 3.11 venv.
#
# Usage: scripts/rasa_env.sh            (idempotent; re-running only re-checks the install)
#        PYTHON310=/path/to/python3.10 scripts/rasa_env.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON310="${PYTHON310:-$HOME/.pyenv/versions/3.10.13/bin/python}"
VENV="$ROOT/.venv-rasa"

if [[ ! -x "$VENV/bin/python" ]]; then
    "$PYTHON310" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --upgrade "pip<24.1" "setuptools<70" wheel
"$VENV/bin/python" -m pip install "rasa==3.6.*"
"$VENV/bin/rasa" --version
