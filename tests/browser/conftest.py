"""Headless Chromium (Debian's, at /usr/bin/chromium) driven by Playwright, with axe-core
from npm to check each page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Browser]:
    # Playwright's sync API runs an event loop in this thread; ask for the browser after the
    # people and patients exist, so that no database work happens inside it.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    blocked: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=30_000
        )
        new_context = browser.new_context

        def watched_context(*args: Any, **kwargs: Any) -> BrowserContext:
            # Every page of every test must work under the Content-Security-Policy: anything
            # it blocks is reported in the console, and fails the test.
            context = new_context(*args, **kwargs)
            context.on(
                "console",
                lambda message: (
                    blocked.append(message.text)
                    if "Content Security Policy" in message.text
                    else None
                ),
            )
            return context

        monkeypatch.setattr(browser, "new_context", watched_context)
        yield browser
        browser.close()
    assert blocked == [], "the Content-Security-Policy blocked something"


def serious_axe_violations(page: Page) -> list[str]:
    # Evaluated by the browser's debugging protocol, which the page's CSP does not govern
    # (a script tag would be an inline script the CSP rightly blocks).
    page.evaluate(AXE.read_text())
    results = page.evaluate("async () => await axe.run(document)")
    assert results["passes"], "axe ran and checked something"
    return [
        f"{page.url}: {v['id']}: {v['help']} ({len(v['nodes'])} nodes)"
        for v in results["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def sign_in(page: Page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")
