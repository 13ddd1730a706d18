"""Learning from unanswered questions in real headless Chromium: an unanswered question becomes a
training example, a model is retrained from the workspace and activated, and the bot understands
the question afterwards.

Training the production data takes minutes on a small machine, so this server runs on a tiny
training set (the first example of every intent in each language) and a tiny dev set: the real
``nlu.train`` runs twice (at start-up and when retraining), in seconds.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.app import SESSIONS
from bot.config import Config
from bot.editor.training import intent_examples, replace_examples
from bot.storage.models import Message
from nlu.paths import DEV_DATA_DIR, TRAINING_DATA_DIR
from tests.editor.conftest import PASSWORD, add_staff, rest_say

pytestmark = [pytest.mark.browser]

TIMEOUT = 15_000
TRAINING_TIMEOUT = 180_000
QUESTION = "подскажите про учёт иностранца по адресу где живу"
NO_ARTICLE = "можно ли регистрироваться в хостеле"
PRIVATE = "мой номер +994 50 123 45 67 и почта ali@example.com, паспорт C01234567"


def _shrink(source: Path, target: Path, keep: int) -> None:
    """Copy each language file keeping the first ``keep`` examples of every intent."""
    target.mkdir()
    for file in sorted(source.glob("*.yml")):
        body = file.read_text(encoding="utf-8")
        for intent, examples in intent_examples(body).items():
            body = replace_examples(body, intent, examples[:keep])
        (target / file.name).write_text(body, encoding="utf-8")


async def _last_understanding(app: Any, text: str) -> tuple[str | None, float | None]:
    async with app[SESSIONS]() as session:
        message = await session.scalar(select(Message).where(Message.text == text).order_by(Message.id.desc()).limit(1))
    assert message is not None
    return message.intent, message.confidence


@pytest.mark.asyncio
async def test_unanswered_question_becomes_training_and_is_understood_after_retraining(
    editor_config: Callable[..., Config], live_server: Any, browser: Any, tmp_path: Path
) -> None:
    _shrink(TRAINING_DATA_DIR, tmp_path / "tiny-data", keep=1)
    _shrink(DEV_DATA_DIR, tmp_path / "tiny-dev", keep=1)
    model_path = tmp_path / "tiny-model.pkl"
    config = editor_config(
        MIGASSIST_NLU__DATA_DIR=str(tmp_path / "tiny-data"),
        MIGASSIST_NLU__MODEL_PATH=str(model_path),
        MIGASSIST_EDITOR__EVALUATION_DATA_DIR=str(tmp_path / "tiny-dev"),
    )
    server = await live_server(config)
    await add_staff(server.app, "rita")
    await rest_say(server.url, "u1", QUESTION)
    await rest_say(server.url, "u2", PRIVATE)
    await rest_say(server.url, "u4", NO_ARTICLE)
    intent_before, confidence_before = await _last_understanding(server.app, QUESTION)
    assert intent_before != "registration" or (confidence_before or 0) < 0.6  # not understood yet

    page = await (await browser.new_context(locale="en-US")).new_page()
    await page.goto(f"{server.url}/editor/")
    await page.fill("input[name=username]", "rita")
    await page.fill("input[name=password]", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_selector("#articles li", timeout=TIMEOUT)
    await page.click("button.tab[data-tab=inbox]")

    # Personal data is masked in the inbox; that question is dismissed.
    private = page.locator(".question", has_text="мой номер")
    await private.wait_for(timeout=TIMEOUT)
    shown = await private.locator(".question-text").text_content()
    assert shown is not None and "123 45 67" not in shown and "ali@example.com" not in shown and "C01234567" not in shown
    assert "[phone]" in shown and "[email]" in shown
    await private.locator("button.dismiss").click()
    await private.wait_for(state="detached", timeout=TIMEOUT)

    # A question no article answers: start a new article from it (the form is prefilled).
    unknown = page.locator(".question", has_text=NO_ARTICLE)
    await unknown.locator("button.create-article").click()
    await page.wait_for_selector("#new-article-fields:not([hidden])", timeout=TIMEOUT)
    assert await page.input_value("#title-ru") == NO_ARTICLE
    await page.fill("#new-id", "registration_hostel")
    await page.fill("#title-az", "Hosteldə qeydiyyat")
    await page.fill("#title-en", "Registration at a hostel")
    for language, answer in (("az", "Hostel də qeydiyyata ala bilər."), ("ru", "Хостел тоже может."), ("en", "A hostel can too.")):
        await page.fill(f"#answer-{language}", answer)
    await page.fill("#intents", "registration")
    await page.click("#save-draft")
    await page.wait_for_selector("#draft-status button.submit-review", timeout=TIMEOUT)
    assert "registration_hostel" in (await page.text_content("#article-title") or "")
    await page.click("button.tab[data-tab=inbox]")

    question = page.locator(".question", has_text=QUESTION)
    await question.locator("select.intent-choice").select_option("registration")
    await question.locator("button.train").click()
    await page.wait_for_selector("text=Added to ru/registration", timeout=TIMEOUT)
    await question.wait_for(state="detached", timeout=TIMEOUT)

    await page.click("button.tab[data-tab=training]")
    await page.select_option("#training-language", "ru")
    await page.select_option("#training-intent", "registration")
    await page.wait_for_function(
        "(text) => document.getElementById('training-examples').value.includes(text)", arg=QUESTION, timeout=TIMEOUT
    )

    await page.click("#retrain")
    card = page.locator("#models li", has_text="ready")
    await card.wait_for(timeout=TRAINING_TIMEOUT)
    assert await card.locator("text=overall accuracy: new").count() == 1  # both models' figures shown
    await card.locator("input.override-reason").fill("test: tiny dev set")
    await card.locator("button.activate").click()
    await page.wait_for_selector("#models li:has-text('active')", timeout=TIMEOUT)

    await rest_say(server.url, "u3", QUESTION)
    intent_after, confidence_after = await _last_understanding(server.app, QUESTION)
    assert intent_after == "registration"
    assert confidence_after is not None and (intent_before != "registration" or confidence_after > (confidence_before or 0))
    # Activation wrote the data and model where the next start-up loads them from.
    assert QUESTION in (tmp_path / "tiny-data" / "ru.yml").read_text(encoding="utf-8")
    assert model_path.stat().st_size > 0
