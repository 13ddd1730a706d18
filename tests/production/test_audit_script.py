"""scripts/audit.py, the dependency audit CI runs: against a fake of PyPI's project-level JSON
on 127.0.0.1 (no network), over a fake environment of a few ``.dist-info`` folders
(``--path``), run as CI runs it — a subprocess with the project venv's Python."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
AUDIT = ROOT / "scripts" / "audit.py"


def advisory(id: str, fixed_in: list[str], withdrawn: str | None = None) -> dict[str, Any]:
    """One entry of the ``vulnerabilities`` list, shaped as PyPI serves it."""
    return {
        "id": id,
        "aliases": [f"CVE-{id}"],
        "details": f"details of {id}",
        "summary": None,
        "fixed_in": fixed_in,
        "link": f"https://osv.dev/vulnerability/{id}",
        "source": "osv",
        "withdrawn": withdrawn,
    }


@dataclass
class Registry:
    """The fake index: ``projects[name] = (latest version, advisories)``; ``failures[name]``
    HTTP 503 answers to give before the real one; ``requests`` the paths asked for."""

    url: str
    projects: dict[str, tuple[str, list[dict[str, Any]]]] = field(default_factory=dict)
    failures: dict[str, int] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)


@pytest.fixture
def registry() -> Iterator[Registry]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    reg = Registry(url=f"http://127.0.0.1:{server.server_port}/pypi")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            reg.requests.append(self.path)
            parts = self.path.strip("/").split("/")  # pypi/<name>/json
            name = parts[1] if len(parts) == 3 and parts[2] == "json" else ""
            if reg.failures.get(name, 0) > 0:
                reg.failures[name] -= 1
                self.send_error(503)
                return
            if name not in reg.projects:
                self.send_error(404)
                return
            latest, vulns = reg.projects[name]
            body = json.dumps({"info": {"name": name, "version": latest}, "vulnerabilities": vulns})
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body.encode())

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server.RequestHandlerClass = Handler
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield reg
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def fake_env(tmp_path: Path, packages: dict[str, str], editable: tuple[str, ...] = ()) -> Path:
    """A folder of installed-package metadata that ``pip list --path`` reads."""
    site = tmp_path / "site"
    for name, version in packages.items():
        info = site / f"{name}-{version}.dist-info"
        info.mkdir(parents=True)
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
        if name in editable:
            (info / "direct_url.json").write_text(
                json.dumps({"url": f"file://{tmp_path}/{name}", "dir_info": {"editable": True}})
            )
    return site


def audit(site: Path, index_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(AUDIT), "--path", str(site), "--index-url", index_url, *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "NO_PROXY": "127.0.0.1", "no_proxy": "127.0.0.1"},
    )


def test_vulnerability_of_the_latest_release_fails_the_run(
    registry: Registry, tmp_path: Path
) -> None:
    registry.projects["leaky"] = ("1.0", [advisory("PYSEC-2099-1", ["1.0.1", "0.9.9"])])
    registry.projects["clean"] = ("3.2", [])
    site = fake_env(
        tmp_path, {"leaky": "1.0", "clean": "3.2", "migassist": "0.1.0"}, editable=("migassist",)
    )

    run = audit(site, registry.url)

    assert run.returncode == 1, run.stdout + run.stderr
    assert "2 packages checked, 1 vulnerable, 0 not checked" in run.stdout
    row = next(line for line in run.stdout.splitlines() if "PYSEC-2099-1" in line)
    assert row.split()[:4] == ["leaky", "1.0", "PYSEC-2099-1", "0.9.9,1.0.1"]
    assert "CVE-PYSEC-2099-1" in row
    # The editable project is skipped, never asked about, and not counted as "not checked".
    assert "skipped (editable install of this checkout): migassist" in run.stdout
    assert not any("migassist" in path for path in registry.requests)


def test_latest_releases_without_advisories_pass(registry: Registry, tmp_path: Path) -> None:
    registry.projects["clean"] = ("3.2", [])
    registry.projects["tidy"] = ("1.0.0", [])
    site = fake_env(tmp_path, {"clean": "3.2", "Tidy": "1.0"})  # 1.0 == 1.0.0, name canonicalised

    run = audit(site, registry.url)

    assert run.returncode == 0, run.stdout + run.stderr
    assert "2 packages checked, 0 vulnerable, 0 not checked" in run.stdout
    assert "OK: no known vulnerabilities" in run.stdout


def test_an_older_installed_version_is_not_checked(registry: Registry, tmp_path: Path) -> None:
    registry.projects["clean"] = ("3.2", [])
    # The latest release's advisory says nothing about 1.0: neither vulnerable nor clean.
    registry.projects["old"] = ("2.0", [advisory("PYSEC-2099-2", ["2.0.1"])])
    site = fake_env(tmp_path, {"clean": "3.2", "old": "1.0"})

    run = audit(site, registry.url)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 packages checked, 0 vulnerable, 1 not checked" in run.stdout
    assert "PYSEC-2099-2" not in run.stdout
    assert "old: installed 1.0, latest 2.0: this registry only publishes advisories" in run.stdout
    assert "https://pypi.org/pypi/old/1.0/json or OSV is reachable" in run.stdout

    strict = audit(site, registry.url, "--strict")
    assert strict.returncode == 2, strict.stdout + strict.stderr
    assert "FAIL (--strict): 1 packages not checked" in strict.stdout


def test_nothing_checkable_fails_even_without_strict(registry: Registry, tmp_path: Path) -> None:
    registry.projects["old"] = ("2.0", [])
    site = fake_env(tmp_path, {"old": "1.0", "unlisted": "1.0"})

    run = audit(site, registry.url)

    assert run.returncode == 2, run.stdout + run.stderr
    assert "0 packages checked, 0 vulnerable, 2 not checked" in run.stdout
    assert f"unlisted: installed 1.0: not found at {registry.url}/unlisted/json" in run.stdout
    assert "FAIL: no package could be checked" in run.stdout


def test_withdrawn_advisory_is_ignored(registry: Registry, tmp_path: Path) -> None:
    registry.projects["pkg"] = (
        "1.0",
        [advisory("PYSEC-2099-3", [], withdrawn="2099-01-02T00:00:00Z")],
    )
    site = fake_env(tmp_path, {"pkg": "1.0"})

    run = audit(site, registry.url)

    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 packages checked, 0 vulnerable, 0 not checked" in run.stdout
    assert "PYSEC-2099-3" not in run.stdout


def test_aliases_listed_as_separate_entries_are_one_vulnerability(
    registry: Registry, tmp_path: Path
) -> None:
    # As PyPI lists pycrypto's: the PYSEC entry and its GHSA alias as two entries.
    pysec = {**advisory("PYSEC-2099-4", []), "aliases": ["CVE-2099-4", "GHSA-xxxx-yyyy-zzzz"]}
    ghsa = {**advisory("GHSA-xxxx-yyyy-zzzz", []), "aliases": ["CVE-2099-4", "PYSEC-2099-4"]}
    registry.projects["pkg"] = ("1.0", [pysec, ghsa])
    site = fake_env(tmp_path, {"pkg": "1.0"})

    run = audit(site, registry.url)

    assert run.returncode == 1, run.stdout + run.stderr
    assert [line.split()[2] for line in run.stdout.splitlines() if line.startswith("pkg ")] == [
        "PYSEC-2099-4"
    ]
    assert "FAIL: 1 known vulnerabilities in 1 packages" in run.stdout


def test_transient_errors_are_retried(registry: Registry, tmp_path: Path) -> None:
    registry.projects["pkg"] = ("1.0", [advisory("PYSEC-2099-5", ["1.1"])])
    registry.failures["pkg"] = 2
    site = fake_env(tmp_path, {"pkg": "1.0"})

    run = audit(site, registry.url)

    assert run.returncode == 1, run.stdout + run.stderr
    assert "PYSEC-2099-5" in run.stdout
    assert registry.requests == ["/pypi/pkg/json"] * 3


def test_unreachable_registry_fails(tmp_path: Path) -> None:
    site = fake_env(tmp_path, {"pkg": "1.0"})

    run = audit(site, f"http://127.0.0.1:{free_port()}/pypi")  # nothing listens there

    assert run.returncode == 2, run.stdout + run.stderr
    assert "FAIL: the advisory registry could not be reached, nothing was audited" in run.stdout
