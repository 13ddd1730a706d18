"""A throwaway PostgreSQL server (initdb in a temporary directory, loopback only) that can be
stopped and started again on the same port and data — for benchmarks and fault tests.

We run as root on the benchmark machines and CI, and ``initdb`` refuses root, so the server
runs as the ``postgres`` user (``runuser``) in a directory chowned to it.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

PG_BIN = Path(os.environ.get("MIGASSIST_PG_BIN", "/usr/lib/postgresql/15/bin"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run_as_postgres() -> list[str]:
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


class ThrowawayPostgres:
    """``with ThrowawayPostgres() as pg: pg.create_database("x")`` → a server removed on exit."""

    def __init__(self, max_connections: int = 200) -> None:
        self.host = "127.0.0.1"
        self.port = _free_port()
        self._max_connections = max_connections
        self._base = Path(tempfile.mkdtemp(prefix="migassist-pg-"))
        self._datadir = self._base / "data"
        if _run_as_postgres():
            shutil.chown(self._base, "postgres")
        self._pg_ctl([str(PG_BIN / "initdb"), "-D", str(self._datadir), "-U", "postgres", "--auth=trust", "-E", "UTF8"])

    def _pg_ctl(self, command: list[str]) -> None:
        subprocess.run([*_run_as_postgres(), *command], check=True, capture_output=True)

    def start(self) -> None:
        """Start (or start again after :meth:`stop`) on the same port and data directory."""
        options = (
            f"-p {self.port} -k {self._base} -c listen_addresses={self.host} "
            f"-c max_connections={self._max_connections}"
        )
        self._pg_ctl(
            [str(PG_BIN / "pg_ctl"), "-D", str(self._datadir), "-o", options, "-l", str(self._base / "log"), "-w", "start"]
        )

    def stop(self, mode: str = "fast") -> None:
        """Stop the server; ``immediate`` is a crash (no checkpoint), ``fast`` a clean shutdown."""
        self._pg_ctl([str(PG_BIN / "pg_ctl"), "-D", str(self._datadir), "-m", mode, "-w", "stop"])

    def url(self, database: str) -> str:
        return f"postgresql+asyncpg://postgres@{self.host}:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """Create database ``name`` and return its SQLAlchemy URL."""
        subprocess.run(
            [str(PG_BIN / "psql"), "-h", self.host, "-p", str(self.port), "-U", "postgres", "-d", "postgres",
             "-c", f'CREATE DATABASE "{name}"'],
            check=True,
            capture_output=True,
        )
        return self.url(name)

    def close(self) -> None:
        subprocess.run(
            [*_run_as_postgres(), str(PG_BIN / "pg_ctl"), "-D", str(self._datadir), "-m", "immediate", "stop"],
            capture_output=True,
            check=False,  # best effort: it may already be stopped
        )
        shutil.rmtree(self._base, ignore_errors=True)

    def __enter__(self) -> ThrowawayPostgres:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
