#!/usr/bin/env bash
# Create .venv (Python >= 3.11) and install MigAssist into it. Run by start.sh and test.sh.
# Usage: bash scripts/bootstrap.sh [EXTRAS]   e.g. "test"
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

find_python() {
  for candidate in python3.11 python3.12 python3.13 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  echo "MigAssist needs Python 3.11 or newer (with venv)" >&2; return 1
}

if [ ! -x .venv/bin/python ]; then
  "$(find_python)" -m venv .venv
fi
extras="${1:-}"
# setuptools too: the venv's bundled one is old (65.5.0 has known advisories) and the dependency
# audit (scripts/audit.sh) checks everything installed in the venv.
.venv/bin/python -m pip install --quiet --upgrade pip setuptools
.venv/bin/python -m pip install --quiet -e ".${extras:+[$extras]}"
