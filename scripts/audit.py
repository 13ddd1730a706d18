"""Check the packages installed in the project's environment for known vulnerabilities.

Run through ``scripts/audit.sh``, which installs the pip-audit this is built against
(``pip-audit>=2.10,<2.11``: it uses pip-audit's private ``_service``, ``_dependency_source`` and
``_format`` modules) and runs this file with the venv's Python.

Two advisory services:

``pypi-latest`` (default)
    Reads PyPI's project-level JSON, ``<index-url>/<name>/json``. Its ``vulnerabilities`` list is
    the one PyPI publishes for the project's latest release (``info.version``), so a package is
    checked only when the installed version *is* that release; then its advisories are parsed by
    pip-audit's own ``PyPIService`` (withdrawn entries skipped). An older (or newer) installed
    version is reported as NOT CHECKED: these advisories say nothing about it. This is the service
    that works behind a registry proxy that answers the project-level JSON but not the
    per-version one (nor OSV).
``pypi-version``
    pip-audit's normal PyPI service: the per-version JSON ``https://pypi.org/pypi/<name>/<version>/json``
    checks every installed version. Needs that endpoint, i.e. full internet.

The editable install of this checkout (migassist itself) is skipped: it is not on PyPI.

Exit status: 0 when no known vulnerability was found (packages not checked are listed);
1 when a known vulnerability was found; 2 when the audit is incomplete: nothing at all could be
checked, the registry could not be reached, or (with ``--strict``) some package was not checked.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import cast

import requests
from packaging.version import InvalidVersion, Version
from pip_audit._audit import Auditor
from pip_audit._dependency_source import DependencySourceError, PipSource
from pip_audit._format import ColumnsFormat
from pip_audit._service import ConnectionError as RegistryUnreachable
from pip_audit._service import (
    Dependency,
    PyPIService,
    ResolvedDependency,
    ServiceError,
    SkippedDependency,
    VulnerabilityResult,
    VulnerabilityService,
)
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

DEFAULT_INDEX_URL = "https://pypi.org/pypi"

# PipSource's skip reason for an editable install (pip-audit 2.10): this checkout, not on PyPI.
EDITABLE_REASON = "distribution marked as editable"


class _Answer:
    """Stands in for ``PyPIService``'s HTTP session: answers its one request with a response
    already fetched, so that ``PyPIService.query`` parses it exactly as it parses the per-version
    JSON (withdrawn entries skipped, PYSEC/CVE ids first, fix versions sorted)."""

    def __init__(self, response: requests.Response) -> None:
        self.response = response

    def get(self, url: str, timeout: float | None = None) -> requests.Response:
        return self.response


class LatestReleaseService(PyPIService):
    """Advisories from PyPI's project-level JSON, which speak for the latest release only."""

    def __init__(self, index_url: str = DEFAULT_INDEX_URL, timeout: float = 15.0) -> None:
        # PyPIService.__init__ is not called: it opens pip-audit's HTTP cache, which the
        # per-version service needs and this one does not.
        self.index_url = index_url.rstrip("/")
        self.timeout = timeout
        self.http = requests.Session()
        retry = Retry(
            total=3,
            backoff_factor=0.5,  # sleeps 0 s, 1 s, 2 s between the four tries
            status_forcelist=(429, 500, 502, 503, 504),
            allowed_methods=("GET",),
            raise_on_status=False,  # the last answer is returned and judged below
        )
        self.http.mount("http://", HTTPAdapter(max_retries=retry))
        self.http.mount("https://", HTTPAdapter(max_retries=retry))

    def query(self, spec: Dependency) -> tuple[Dependency, list[VulnerabilityResult]]:
        """Return ``spec``'s advisories, or a ``SkippedDependency`` saying why it was not checked.

        Raises ``RegistryUnreachable`` (pip-audit's ``ConnectionError``) when the registry cannot
        be reached at all.
        """
        if spec.is_skipped():
            return spec, []
        spec = cast(ResolvedDependency, spec)
        url = f"{self.index_url}/{spec.canonical_name}/json"
        try:
            response = self.http.get(url, timeout=self.timeout)
        except (requests.ConnectionError, requests.Timeout) as e:
            raise RegistryUnreachable(f"cannot reach {self.index_url}: {e}") from e

        def not_checked(reason: str) -> tuple[Dependency, list[VulnerabilityResult]]:
            return SkippedDependency(name=spec.name, skip_reason=reason), []

        if response.status_code == 404:
            return not_checked(f"installed {spec.version}: not found at {url}")
        if response.status_code != 200:
            return not_checked(
                f"installed {spec.version}: {url} answered HTTP {response.status_code}"
            )
        try:
            latest = Version(response.json()["info"]["version"])
        except (ValueError, KeyError, TypeError, InvalidVersion) as e:
            return not_checked(f"installed {spec.version}: unreadable answer from {url} ({e!r})")
        if latest != spec.version:
            return not_checked(
                f"installed {spec.version}, latest {latest}: this registry only publishes advisories"
                f" for the latest release; upgrade, or audit where"
                f" https://pypi.org/pypi/{spec.canonical_name}/{spec.version}/json or OSV is reachable"
                f" (scripts/audit.sh --service pypi-version)"
            )
        # The installed version is the latest release: pip-audit's own parser reads the answer.
        self.session = _Answer(response)
        try:
            return super().query(spec)
        except ServiceError as e:
            return not_checked(f"installed {spec.version}: malformed advisory at {url} ({e})")


def merge_aliases(vulns: list[VulnerabilityResult]) -> list[VulnerabilityResult]:
    """One result per vulnerability: PyPI lists e.g. PYSEC-2017-94 and its alias
    GHSA-cq27-v7xp-c356 as two entries, which pip-audit's Auditor keeps apart (both become
    PYSEC-2017-94 once their ids are ordered)."""
    unique: list[VulnerabilityResult] = []
    for vuln in vulns:
        for i, seen in enumerate(unique):
            if seen.alias_of(vuln):
                unique[i] = seen.merge_aliases(vuln)
                break
        else:
            unique.append(vuln)
    return unique


def make_service(name: str, index_url: str, timeout: float) -> VulnerabilityService:
    """The advisory service chosen on the command line."""
    if name == "pypi-version":
        return PyPIService(timeout=int(timeout))
    return LatestReleaseService(index_url, timeout)


def report(
    results: dict[Dependency, list[VulnerabilityResult]], strict: bool, source_desc: str
) -> int:
    """Print the summary and the tables; return the exit status (see the module docstring)."""
    skipped = [cast(SkippedDependency, d) for d in results if d.is_skipped()]
    editable = [d for d in skipped if d.skip_reason == EDITABLE_REASON]
    not_checked = [d for d in skipped if d.skip_reason != EDITABLE_REASON]
    checked = {d: v for d, v in results.items() if not d.is_skipped()}
    vulnerable = {d: v for d, v in checked.items() if v}
    n_vulns = sum(len(v) for v in vulnerable.values())

    print(f"Audit of the installed packages ({source_desc})")
    if editable:
        print("skipped (editable install of this checkout): " + ", ".join(d.name for d in editable))
    print(
        f"{len(checked)} packages checked, {len(vulnerable)} vulnerable,"
        f" {len(not_checked)} not checked"
    )
    if vulnerable:
        print("\nVULNERABLE:")
        print(ColumnsFormat(output_desc=False, output_aliases=True).format(vulnerable, []))
    if not_checked:
        print(f"\nNOT CHECKED ({len(not_checked)}):")
        for dep in sorted(not_checked, key=lambda d: d.canonical_name):
            print(f"  {dep.canonical_name}: {dep.skip_reason}")
    print()

    if vulnerable:
        print(f"FAIL: {n_vulns} known vulnerabilities in {len(vulnerable)} packages")
        return 1
    if not checked:
        print("FAIL: no package could be checked")
        return 2
    if not_checked and strict:
        print(f"FAIL (--strict): {len(not_checked)} packages not checked")
        return 2
    print(f"OK: no known vulnerabilities in the {len(checked)} packages checked")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, audit, print, and return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--service",
        choices=("pypi-latest", "pypi-version"),
        default="pypi-latest",
        help="pypi-latest (default): project-level JSON, checks packages installed at their latest"
        " release; pypi-version: pip-audit's per-version PyPI service (needs full internet)",
    )
    parser.add_argument(
        "--strict", action="store_true", help="packages not checked fail the run too"
    )
    parser.add_argument(
        "--index-url",
        default=DEFAULT_INDEX_URL,
        help=f"base of the project-level JSON for pypi-latest (default {DEFAULT_INDEX_URL}; for tests)",
    )
    parser.add_argument(
        "--path",
        action="append",
        type=Path,
        default=[],
        help="audit the packages installed at this path instead of this Python's environment",
    )
    parser.add_argument("--timeout", type=float, default=15.0, help="seconds per HTTP request")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    # pip refuses --local together with --path; --local keeps the system site-packages out.
    source = PipSource(local=not args.path, paths=args.path, skip_editable=True)
    service = make_service(args.service, args.index_url, args.timeout)
    if args.service == "pypi-latest":
        source_desc = f"advisories of latest releases from {args.index_url}"
    else:
        source_desc = "per-version advisories from https://pypi.org/pypi"
    try:
        results = {dep: merge_aliases(vulns) for dep, vulns in Auditor(service).audit(source)}
    except (RegistryUnreachable, requests.RequestException) as e:
        print(f"FAIL: the advisory registry could not be reached, nothing was audited: {e}")
        return 2
    except DependencySourceError as e:
        print(f"FAIL: could not list the installed packages: {e!r} (cause: {e.__cause__!r})")
        return 2
    return report(results, args.strict, source_desc)


if __name__ == "__main__":
    sys.exit(main())
