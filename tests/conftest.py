"""Shared fixtures: configuration on a temporary SQLite database, a real PostgreSQL server,
a real aiohttp server on loopback, and Debian's headless Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import pytest_asyncio
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.app import create_app
from bot.config import Config, load_config
from bot.storage.database import create_engine, create_sessionmaker
from bot.storage.migrate import upgrade_async
from flows.dialogue import Dialogue
from nlu import NluModel, load_or_train
from nlu.paths import TRAINING_DATA_DIR

ROOT = Path(__file__).resolve().parent.parent
PG_BIN = Path(os.environ.get("MIGASSIST_PG_BIN", "/usr/lib/postgresql/15/bin"))
CHROMIUM = os.environ.get("MIGASSIST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def nlu_model_path() -> Path:
    """One trained model file shared by all tests and kept between runs (it is retrained
    automatically when the training data changes)."""
    return ROOT / "data" / "nlu-model-tests.pkl"


@pytest.fixture(scope="session")
def real_nlu(nlu_model_path: Path) -> NluModel:
    """The project's real NLU model, trained from ``nlu/data`` (retrained only when it changed)."""
    return load_or_train(nlu_model_path, TRAINING_DATA_DIR)


ConfigFactory = Callable[..., Config]


@pytest.fixture
def make_config(tmp_path: Path, nlu_model_path: Path) -> ConfigFactory:
    """``make_config(**env)``: a Config on a fresh SQLite file; keyword arguments are extra
    environment variables (``MIGASSIST_...``) applied on top."""

    def factory(**env: str) -> Config:
        environ = {
            "MIGASSIST_DATA_DIR": str(tmp_path / "data"),
            "MIGASSIST_NLU__MODEL_PATH": str(nlu_model_path),
            "MIGASSIST_OUTBOX__BASE_DELAY_SECONDS": "0.05",
            "MIGASSIST_OUTBOX__POLL_INTERVAL_SECONDS": "0.05",
        }
        environ.update(env)
        return load_config(environ=environ)

    return factory


@dataclass
class PostgresServer:
    host: str
    port: int

    def url(self, database: str) -> str:
        return f"postgresql+asyncpg://postgres@{self.host}:{self.port}/{database}"

    def psql(self, sql: str) -> None:
        subprocess.run(
            [str(PG_BIN / "psql"), "-h", self.host, "-p", str(self.port), "-U", "postgres", "-d", "postgres", "-c", sql],
            check=True,
            capture_output=True,
        )


def _as_postgres_user() -> list[str]:
    # initdb refuses to run as root; CI and these machines run as root.
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A real PostgreSQL server for the test session (initdb in a temp dir, loopback only)."""
    if not (PG_BIN / "initdb").exists():
        pytest.fail(f"PostgreSQL binaries not found in {PG_BIN} (install Debian's postgresql; .ci/run does)")
    # Not under pytest's tmp dir: that is private to root, and the server runs as 'postgres'.
    base = Path(tempfile.mkdtemp(prefix="migassist-pg-"))
    datadir = base / "data"
    run_as = _as_postgres_user()
    if run_as:
        shutil.chown(base, "postgres")
    subprocess.run(
        [*run_as, str(PG_BIN / "initdb"), "-D", str(datadir), "-U", "postgres", "--auth=trust", "-E", "UTF8"],
        check=True,
        capture_output=True,
    )
    port = free_port()
    options = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
    subprocess.run(
        [*run_as, str(PG_BIN / "pg_ctl"), "-D", str(datadir), "-o", options, "-l", str(base / "log"), "-w", "start"],
        check=True,
        capture_output=True,
    )
    try:
        yield PostgresServer("127.0.0.1", port)
    finally:
        subprocess.run([*run_as, str(PG_BIN / "pg_ctl"), "-D", str(datadir), "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> str:
    """URL of a fresh, empty database on the session's PostgreSQL server."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    postgres_server.psql(f"CREATE DATABASE {name}")
    return postgres_server.url(name)


@pytest_asyncio.fixture
async def sqlite_sessions(tmp_path: Path) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions on a fresh, migrated SQLite database."""
    url = f"sqlite:///{tmp_path / 'migassist.db'}"
    await upgrade_async(url)
    engine = create_engine(url)
    yield create_sessionmaker(engine)
    await engine.dispose()


@pytest.fixture(params=[pytest.param("postgresql", marks=pytest.mark.postgres), "sqlite"])
def shared_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database several worker processes share: a fresh PostgreSQL database, or a SQLite file."""
    if request.param == "postgresql":
        return str(request.getfixturevalue("postgres_url"))
    return f"sqlite:///{tmp_path / 'shared' / 'migassist.db'}"


@pytest_asyncio.fixture
async def shared_engine(shared_database_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on :func:`shared_database_url`, migrated."""
    await upgrade_async(shared_database_url)
    engine = create_engine(shared_database_url)
    yield engine
    await engine.dispose()


@dataclass
class LiveServer:
    url: str
    app: web.Application
    runner: web.AppRunner


LiveServerFactory = Callable[..., Awaitable[LiveServer]]


@pytest_asyncio.fixture
async def live_server() -> AsyncIterator[LiveServerFactory]:
    """``await live_server(config, dialogue=None)``: a real server on a free loopback port."""
    runners: list[web.AppRunner] = []

    async def start(config: Config, dialogue: Dialogue | None = None) -> LiveServer:
        app = create_app(config, dialogue=dialogue)
        runner = web.AppRunner(app)
        await runner.setup()
        port = free_port()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        runners.append(runner)
        return LiveServer(f"http://127.0.0.1:{port}", app, runner)

    yield start
    for runner in reversed(runners):
        await runner.cleanup()


@pytest_asyncio.fixture
async def browser():  # type: ignore[no-untyped-def]
    """Debian's Chromium, headless, driven by Playwright (no browser download)."""
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            await browser.close()
