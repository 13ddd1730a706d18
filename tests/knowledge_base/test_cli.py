"""``migassist kb validate|search|show`` on packaged and broken content."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import knowledge_base
from bot.cli import main


def test_validate_packaged_content(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kb", "validate"]) == 0
    assert capsys.readouterr().out.startswith("ok: ")


def test_validate_reports_broken_content(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    content = tmp_path / "content"
    shutil.copytree(knowledge_base.DEFAULT_CONTENT_DIR, content)
    path = content / "articles" / "stay.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("related: [stay_country_rules,", "related: [stay_nowhere,"), encoding="utf-8")
    assert main(["kb", "validate", "--content", str(content)]) == 1
    assert "article stay_limits.related: no article 'stay_nowhere'" in capsys.readouterr().err


def test_search_prints_ranked_hits(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kb", "search", "qeydiyyat nece", "--lang", "az"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("1. ") and "registration_" in lines[0]
    assert len(lines) == 5


def test_show_article(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kb", "show", "wp_exemption_spouse", "--lang", "ru"]) == 0
    assert "Миграционный кодекс, ст. 64.0.14" in capsys.readouterr().out
    assert main(["kb", "show", "no_such_article"]) == 1
