"""The Content-Security-Policy breaks none of our pages: Chromium reports no violation while the
web chat talks over its WebSocket and the staff pages load."""

from __future__ import annotations

import pytest

from tests.conftest import ConfigFactory, LiveServerFactory
from tests.support import EchoDialogue

RECORD_VIOLATIONS = (
    "window.__violations = [];"
    "document.addEventListener('securitypolicyviolation',"
    " e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));"
)


@pytest.mark.browser
@pytest.mark.asyncio
async def test_pages_run_under_the_policy_without_violations(
    make_config: ConfigFactory, live_server: LiveServerFactory, browser  # type: ignore[no-untyped-def]
) -> None:
    server = await live_server(make_config(), dialogue=EchoDialogue())
    context = await browser.new_context()
    await context.add_init_script(RECORD_VIOLATIONS)
    page = await context.new_page()

    await page.goto(server.url + "/")
    await page.fill("#input", "hello")
    await page.keyboard.press("Enter")
    await page.locator(".msg.bot", has_text="echo: hello").wait_for()  # script, styles and socket ran
    assert await page.evaluate("window.__violations") == []

    for path in ("/login", "/console/", "/editor/"):
        response = await page.goto(server.url + path)
        assert response is not None and response.status < 500, path
        await page.wait_for_load_state("networkidle")
        assert await page.evaluate("window.__violations") == [], path
    await context.close()
