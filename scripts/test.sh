#!/usr/bin/env bash
# Install MigAssist with its test tools and run the whole test suite.
# The tests start their own PostgreSQL server and drive Debian's headless Chromium; both are
# installed here from Debian's packages when missing (needs root or sudo).
# Before the tests, scripts/audit.sh checks the installed dependencies for known vulnerabilities
# and stops the run on one (see docs/deployment.md, "Dependency audit").
# Extra arguments go to pytest (e.g. -k webchat).
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
if [ ${#missing[@]} -gt 0 ]; then
  sudo_cmd=(); [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  echo "installing Debian packages: ${missing[*]}"
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
export MIGASSIST_PG_BIN="${MIGASSIST_PG_BIN:-$(dirname "$(ls -d /usr/lib/postgresql/*/bin/initdb | sort -V | tail -1)")}"

bash scripts/bootstrap.sh test
bash scripts/audit.sh
exec .venv/bin/pytest "$@"
