"""The e2e fixtures: the local stack started as a new user starts it (the README's command, in a
subprocess), one headless Chromium, a phone-sized page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.stack import Stack, free_port, start_stack


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    running = start_stack(free_port(), free_port())
    yield running
    running.stop()


# The Brazilian deployment (seed of Piracicaba) on its demo clock: Christmas Eve, so that its deadlines
# skip Christmas and New Year as Brazil's calendar does.
BR_TODAY = "2026-12-24"


@pytest.fixture(scope="session")
def stack_br() -> Iterator[Stack]:
    running = start_stack(free_port(), free_port(), options=("--country", "BR", "--today", BR_TODAY))
    yield running
    running.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One headless Chromium (Debian's, driven by Playwright) for every browser test."""
    from tests.support.browser import CHROMIUM, CHROMIUM_ARGS

    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: ./dev test installs it (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def phone(browser: object) -> Iterator[object]:
    """A page in a phone-sized window (360 px wide), pt-PT."""
    context = browser.new_context(viewport={"width": 360, "height": 780}, locale="pt-PT")  # type: ignore[attr-defined]
    page = context.new_page()
    yield page
    context.close()
