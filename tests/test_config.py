"""Configuration: defaults, file, environment overrides, secrets, and clear errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import ConfigError, load_config

ROOT = Path(__file__).resolve().parent.parent


def test_project_config_file_loads_with_sqlite_default(tmp_path: Path) -> None:
    config = load_config(ROOT / "config.yml", environ={})
    assert config.settings.database_url == f"sqlite:///{ROOT / 'data' / 'migassist.db'}"
    assert config.settings.server.max_message_chars == 4096


def test_environment_overrides_file_and_database_url_shortcut(tmp_path: Path) -> None:
    environ = {
        "MIGASSIST_SERVER__PORT": "9001",
        "MIGASSIST_DATABASE_URL": "postgresql+asyncpg://u@db/migassist",
        "MIGASSIST_TELEGRAM_TOKEN": "secret-token",
    }
    config = load_config(ROOT / "config.yml", environ=environ)
    assert config.settings.server.port == 9001
    assert config.settings.database_url == "postgresql+asyncpg://u@db/migassist"
    assert config.secrets.require("TELEGRAM_TOKEN") == "secret-token"


def test_missing_secret_names_the_variable() -> None:
    config = load_config(ROOT / "config.yml", environ={})
    with pytest.raises(ConfigError, match="MIGASSIST_WHATSAPP_APP_SECRET"):
        config.secrets.require("WHATSAPP_APP_SECRET")


@pytest.mark.parametrize(
    ("content", "key"),
    [
        ("server:\n  port: seventy\n", "server.port"),
        ("server:\n  prot: 80\n", "server.prot"),
        ("nlu:\n  confident_threshold: 1.5\n", "nlu.confident_threshold"),
        ("- just a list\n", "top level"),
    ],
)
def test_invalid_file_names_the_key(tmp_path: Path, content: str, key: str) -> None:
    path = tmp_path / "config.yml"
    path.write_text(content)
    with pytest.raises(ConfigError, match=key):
        load_config(path, environ={})


def test_cli_reports_invalid_config_with_non_zero_exit(tmp_path: Path) -> None:
    path = tmp_path / "config.yml"
    path.write_text("server:\n  port: seventy\n")
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "--config", str(path), "db", "upgrade"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.returncode == 2
    assert "server.port" in result.stderr
    assert "Traceback" not in result.stderr


def test_top_level_setting_from_environment(tmp_path: Path) -> None:
    config = load_config(ROOT / "config.yml", environ={"MIGASSIST_DATA_DIR": str(tmp_path)})
    assert config.settings.data_dir == tmp_path
    assert config.settings.database_url == f"sqlite:///{tmp_path / 'migassist.db'}"
