"""The editors' workspace in real headless Chromium: change, review, publish live, rollback."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bot.app import LIVE
from bot.config import Config
from tests.editor.conftest import PASSWORD, add_staff, rest_say

pytestmark = [pytest.mark.browser]

TIMEOUT = 15_000
ARTICLE = "registration_overview"
QUESTION = "Нужна ли регистрация?"
NEW_RU = "Да, если вы пробудете в Азербайджане больше 15 дней, зарегистрируйтесь в течение 15 дней. Текст из редактора."


async def _sign_in(browser: Any, url: str, username: str) -> Any:
    page = await (await browser.new_context(locale="en-US")).new_page()
    await page.goto(f"{url}/editor/")
    assert "/login" in page.url
    await page.fill("input[name=username]", username)
    await page.fill("input[name=password]", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_selector(f"#articles li[data-article={ARTICLE}]", timeout=TIMEOUT)
    return page


@pytest.mark.asyncio
async def test_change_review_publish_live_then_roll_back(
    editor_config: Callable[..., Config], live_server: Any, browser: Any
) -> None:
    # Publishing with stale translations allowed: the other languages are flagged, not blocking.
    server = await live_server(editor_config(MIGASSIST_EDITOR__BLOCK_STALE_TRANSLATIONS="false"))
    await add_staff(server.app, "rita")
    await add_staff(server.app, "pavel")
    old_ru = server.app[LIVE].knowledge.article(ARTICLE).answer("ru")
    before = await rest_say(server.url, "u1", QUESTION)
    assert old_ru.split()[0] in before and NEW_RU not in before

    rita = await _sign_in(browser, server.url, "rita")
    await rita.fill("#article-search", "нужна ли регистрация")
    await rita.click(f"#articles li[data-article={ARTICLE}]")
    await rita.wait_for_selector(f"#article-title:text-is('{ARTICLE}')", timeout=TIMEOUT)
    assert await rita.input_value("#answer-ru") == old_ru
    await rita.fill("#answer-ru", NEW_RU)
    await rita.fill("#change-comment", "clearer wording")
    await rita.click("#save-draft")
    await rita.click("#draft-status button.submit-review", timeout=TIMEOUT)
    await rita.wait_for_selector("text=Submitted for review.", timeout=TIMEOUT)
    # Four-eyes: the author's own publish is refused.
    await rita.click("#history li:has-text('review') button.publish", timeout=TIMEOUT)
    await rita.wait_for_selector("text=Someone other than the author must publish this change.", timeout=TIMEOUT)
    assert NEW_RU not in await rest_say(server.url, "u1", QUESTION)

    pavel = await _sign_in(browser, server.url, "pavel")
    await pavel.click("button.tab[data-tab=review]")
    await pavel.click("#pending li:has-text('review') button.show-diff", timeout=TIMEOUT)
    await pavel.wait_for_selector("#pending pre.diff .add:has-text('Текст из редактора')", timeout=TIMEOUT)
    await pavel.click("#pending li:has-text('review') button.publish")
    await pavel.wait_for_selector("text=Published: the bot answers with it now.", timeout=TIMEOUT)

    # The bot answers with the new text at once, without a restart.
    assert NEW_RU in await rest_say(server.url, "u2", QUESTION)
    # The Azerbaijani and English versions are flagged stale.
    await pavel.click("button.tab[data-tab=articles]")
    await pavel.wait_for_selector(f"#articles li[data-article={ARTICLE}] .stale-az", timeout=TIMEOUT)
    await pavel.wait_for_selector(f"#articles li[data-article={ARTICLE}] .stale-en", timeout=TIMEOUT)
    await pavel.click(f"#articles li[data-article={ARTICLE}]")
    await pavel.wait_for_selector("fieldset[data-lang=az].is-stale", timeout=TIMEOUT)
    assert await pavel.is_visible("#stale-banner")

    # Preview: what Telegram, WhatsApp and the web chat will show.
    await pavel.click("#preview-panel summary")
    await pavel.select_option("#preview-language", "ru")
    await pavel.wait_for_selector("#preview-whatsapp .bubble:has-text('Текст из редактора')", timeout=TIMEOUT)
    assert await pavel.locator("#preview-telegram .chip").count() >= 1

    # One-click rollback to the seeded text.
    await pavel.click("#history li:has-text('r1 · published') button.rollback")
    await pavel.wait_for_selector("text=Restored and published.", timeout=TIMEOUT)
    after = await rest_say(server.url, "u3", QUESTION)
    assert NEW_RU not in after and old_ru.split()[0] in after

    await pavel.click("button.tab[data-tab=audit]")
    await pavel.wait_for_selector("#audit tr:has-text('rollback')", timeout=TIMEOUT)
    actions = await pavel.locator("#audit tr td:nth-child(3)").all_text_contents()
    assert actions[:4] == ["rollback", "publish", "submit", "draft"]

    # The workspace speaks the editor's language (gettext catalogs), switching without a reload.
    await pavel.select_option("#ui-lang", "ru")
    await pavel.wait_for_selector("button.tab[data-tab=articles]:text-is('Статьи')", timeout=TIMEOUT)
    assert await pavel.locator("#audit tr td:nth-child(3)").first.text_content() == "rollback"
