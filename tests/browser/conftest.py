"""Headless Chromium (Debian's, at /usr/bin/chromium) driven by Playwright, with axe-core
from npm to check each page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, sync_playwright

CHROMIUM = "/usr/bin/chromium"
AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture(scope="package")
def chromium() -> Iterator[Browser]:
    """One Chromium for the browser tests of a worker (each test has its own contexts: no
    cookies or storage pass between tests), closed when the run leaves tests/browser.

    Playwright's sync API runs an event loop in this thread while it is open, and Django
    refuses database work in a thread with a running loop unless told it is safe: this
    suite has no async code, so it is told so while the browser is open, and no longer."""
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=30_000
        )
        yield browser
        browser.close()


@pytest.fixture
def browser(chromium: Browser, monkeypatch: pytest.MonkeyPatch) -> Iterator[Browser]:
    """The session's Chromium, watched for this test: every page must work under the
    Content-Security-Policy, so anything it blocks (reported in the console) fails the
    test. The test's contexts are closed after it."""
    blocked: list[str] = []
    new_context = chromium.new_context

    def watched_context(*args: Any, **kwargs: Any) -> BrowserContext:
        context = new_context(*args, **kwargs)
        context.on(
            "console",
            lambda message: (
                blocked.append(message.text) if "Content Security Policy" in message.text else None
            ),
        )
        return context

    monkeypatch.setattr(chromium, "new_context", watched_context)
    yield chromium
    for context in chromium.contexts:
        context.close()
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
    # Home, or the page a role starts on (urgent care: the summary search).
    page.wait_for_url(lambda url: url.startswith(base) and "/sign-in/" not in url)


@dataclass
class Journey:
    """A user journey on one screen: people signed in, each page checked to fit the screen
    with nothing serious for axe (the problems are asserted empty at the end)."""

    browser: Browser
    base: str
    screen: ViewportSize
    problems: list[str] = field(default_factory=list)

    def person(self, username: str) -> Page:
        context = self.browser.new_context(viewport=self.screen)
        context.set_default_timeout(15_000)
        page = context.new_page()
        sign_in(page, self.base, username, settings.DEMO_PASSWORD)
        return page

    def fits(self, page: Page) -> None:
        page.wait_for_load_state("load")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= self.screen["width"], page.url
        self.problems.extend(serious_axe_violations(page))

    @staticmethod
    def date(page: Page, name: str, day: dt.date) -> None:
        """Fill the NHS.UK date input `name` with `day`."""
        page.locator(f"#id_{name}_0").fill(str(day.day))
        page.locator(f"#id_{name}_1").fill(str(day.month))
        page.locator(f"#id_{name}_2").fill(str(day.year))
