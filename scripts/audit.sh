#!/usr/bin/env bash
# Check the packages installed in the project's environment for known vulnerabilities, using
# pip-audit as a library (scripts/audit.py). By default the advisories come from PyPI's
# project-level JSON, which covers only each project's latest release: a package installed at an
# older version is listed as NOT CHECKED. Exit status: 1 on any known vulnerability, 2 when nothing
# could be checked (registry unreachable) or, with --strict, when some package was not checked;
# 0 otherwise. The project itself (an editable install, not on PyPI) is skipped.
#
# Usage: scripts/audit.sh                        (uses .venv; installs pip-audit into it if missing)
#        scripts/audit.sh --strict               (packages not checked fail the run too)
#        scripts/audit.sh --service pypi-version (pip-audit's per-version PyPI service: full internet)
#        VENV=/path/to/venv scripts/audit.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV:-$ROOT/.venv}"
PYTHON="$VENV/bin/python"
# audit.py uses pip-audit's private modules: keep to the minor version it was written against.
PIP_AUDIT="pip-audit>=2.10,<2.11"

if ! "$PYTHON" - "$PIP_AUDIT" >/dev/null 2>&1 <<'PY'
import sys
from importlib.metadata import version
from packaging.requirements import Requirement
sys.exit(0 if Requirement(sys.argv[1]).specifier.contains(version("pip-audit")) else 1)
PY
then
    "$PYTHON" -m pip install --quiet "$PIP_AUDIT"
fi
exec "$PYTHON" "$ROOT/scripts/audit.py" "$@"
