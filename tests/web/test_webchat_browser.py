"""The web chat page in real headless Chromium at a phone viewport."""

from __future__ import annotations

import pytest

from tests.conftest import ConfigFactory, LiveServerFactory
from tests.support import EchoDialogue

PHONE = {"width": 360, "height": 740}


@pytest.mark.asyncio
async def test_chat_on_a_phone_buttons_language_and_history_across_reload(
    make_config: ConfigFactory, live_server: LiveServerFactory, browser  # type: ignore[no-untyped-def]
) -> None:
    server = await live_server(make_config(), dialogue=EchoDialogue())
    context = await browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="en-US")
    page = await context.new_page()
    await page.goto(server.url + "/")

    # A new visitor gets the menu without typing anything.
    await page.locator(".msg.bot", has_text="pressed menu").wait_for()

    await page.fill("#input", "hello there")
    await page.keyboard.press("Enter")
    await page.locator(".msg.bot", has_text="echo: hello there").wait_for()
    await page.locator(".msg.user:not(.pending)", has_text="hello there").wait_for()

    await page.locator(".chip:not([disabled])", has_text="Again").tap()
    await page.locator(".msg.bot", has_text="pressed again").wait_for()

    await page.locator(".lang[data-lang='ru']").tap()
    await page.locator(".msg.bot", has_text="pressed lang:ru").wait_for()
    assert await page.get_attribute("html", "lang") == "ru"
    assert await page.locator(".msg.user", has_text="lang:ru").count() == 0  # payloads are never shown

    # Nothing is wider than the phone.
    assert await page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]

    await page.reload()
    await page.locator(".msg.bot", has_text="pressed lang:ru").wait_for()
    texts = await page.locator(".msg").all_inner_texts()
    assert texts.index("hello there") < texts.index("echo: hello there") < texts.index("pressed again")
    assert await page.get_attribute("html", "lang") == "ru"
    await context.close()


@pytest.mark.asyncio
async def test_user_text_is_never_interpreted_as_html(
    make_config: ConfigFactory, live_server: LiveServerFactory, browser  # type: ignore[no-untyped-def]
) -> None:
    server = await live_server(make_config(), dialogue=EchoDialogue())
    page = await browser.new_page(viewport=PHONE)
    await page.goto(server.url + "/")
    await page.fill("#input", '<img src=x onerror="window.pwned=1">')
    await page.keyboard.press("Enter")
    await page.locator(".msg.bot", has_text="echo: <img").wait_for()
    assert await page.evaluate("window.pwned === undefined")
    assert await page.locator(".log img").count() == 0
