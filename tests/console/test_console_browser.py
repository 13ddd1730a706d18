"""The operator console in real headless Chromium, next to a user in the web chat."""

from __future__ import annotations

import pytest

from tests.handoff.staff import PASSWORD, add_account
from tests.support import EchoDialogue

pytestmark = [
    pytest.mark.browser,
    # bot/channels/webchat.py still calls the deprecated ``app.loop`` (reported to its owner);
    # remove this filter once it uses asyncio.create_task.
    pytest.mark.filterwarnings("ignore:loop property is deprecated:DeprecationWarning"),
]

XSS = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'
TIMEOUT = 15_000


async def _send(page, text: str) -> None:  # type: ignore[no-untyped-def]
    await page.fill("#input", text)
    await page.press("#input", "Enter")


@pytest.mark.asyncio
async def test_user_operator_round_trip_with_a_silent_bot_and_inert_markup(  # type: ignore[no-untyped-def]
    handoff_config, live_server, browser
) -> None:
    server = await live_server(handoff_config(), dialogue=EchoDialogue())
    await add_account(server.app, "olga", languages="en,ru")
    user = await (await browser.new_context()).new_page()
    operator = await (await browser.new_context(viewport={"width": 420, "height": 900})).new_page()  # a phone

    await operator.goto(f"{server.url}/console/")
    assert "/login" in operator.url
    await operator.fill("input[name=username]", "olga")
    await operator.fill("input[name=password]", PASSWORD)
    await operator.click("button[type=submit]")
    await operator.wait_for_selector("#connection.live", timeout=TIMEOUT)

    await user.goto(server.url)
    await _send(user, XSS)  # lands in the summary's recent messages and the transcript
    await user.wait_for_selector("text=echo:", timeout=TIMEOUT)
    await _send(user, "human")
    await user.wait_for_selector("text=You are number 1 in the queue.", timeout=TIMEOUT)

    # The chat appears in the console without a reload, and is claimed.
    await operator.wait_for_selector("#queue li[data-entry] button.claim", timeout=TIMEOUT)
    await operator.click("#queue li[data-entry] button.claim")
    await operator.wait_for_selector("#reply-text", state="visible", timeout=TIMEOUT)
    await user.wait_for_selector("text=An operator has joined the chat.", timeout=TIMEOUT)

    await operator.fill("#reply-text", "Hello, this is Olga from the call centre.")
    await operator.click("#reply-send")
    await user.wait_for_selector("text=Hello, this is Olga from the call centre.", timeout=TIMEOUT)

    bot_lines_before = await user.locator(".msg.bot").count()
    await _send(user, "Thank you, my question is about registration")
    await operator.wait_for_selector(
        "#transcript .line.user >> text=Thank you, my question is about registration", timeout=TIMEOUT
    )
    await user.wait_for_timeout(700)  # time enough for a (wrong) bot answer to arrive
    assert await user.locator(".msg.bot").count() == bot_lines_before

    # Markup a user sent is shown as text, never run or parsed.
    assert await operator.locator("#transcript .line.user", has_text="<script>").count() == 1
    assert await operator.locator("#summary dd", has_text="onerror").count() == 1
    assert await operator.locator("#chat img, #chat script").count() == 0
    assert await operator.evaluate("window.__xss") is None

    await operator.click("#return-bot")
    await user.wait_for_selector("text=The operator has handed you back to the assistant.", timeout=TIMEOUT)
    await _send(user, "hello again")
    await user.wait_for_selector("text=echo: hello again", timeout=TIMEOUT)
    await operator.wait_for_selector("#queue li[data-entry]", state="detached", timeout=TIMEOUT)
