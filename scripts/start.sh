#!/usr/bin/env bash
# Install MigAssist into .venv and start it on the embedded default (SQLite, web chat, no tokens).
# Extra arguments go to 'migassist serve' (e.g. --port 9000).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
exec .venv/bin/migassist serve "$@"
