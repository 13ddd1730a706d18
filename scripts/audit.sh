#!/usr/bin/env bash
# Check the installed dependencies of the project's environment for known vulnerabilities
# (pip-audit, using the PyPI advisory service). Exit status is non-zero when any is found, so
# CI fails; the project itself (an editable install, not on PyPI) is skipped.
#
# Usage: scripts/audit.sh            (uses .venv; installs pip-audit into it if missing)
#        VENV=/path/to/venv scripts/audit.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV:-$ROOT/.venv}"
PYTHON="$VENV/bin/python"

if ! "$PYTHON" -m pip_audit --version >/dev/null 2>&1; then
    "$PYTHON" -m pip install --quiet "pip-audit>=2.7"
fi
# --skip-editable: migassist itself is installed from this checkout, not from an index.
# --strict: a package that could not be checked (advisory service unreachable, package unknown)
# fails the run; otherwise pip-audit reports "No known vulnerabilities found" having checked nothing.
exec "$PYTHON" -m pip_audit --local --skip-editable --strict --vulnerability-service pypi --progress-spinner off "$@"
