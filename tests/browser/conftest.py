"""A real Chromium for the browser tests, and a live server that listens on 127.0.0.1 only.

Playwright's own browser download cannot be reached from where houseboat is built and
tested, so the tests drive Debian's chromium (`apt-get install chromium`; `bash
scripts/test` installs it). HOUSEBOAT_TEST_CHROMIUM names another binary.
"""

import os
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from playwright.sync_api import ConsoleMessage, Page, sync_playwright
from pytest_django.live_server_helper import LiveServer

CHROMIUM = os.environ.get("HOUSEBOAT_TEST_CHROMIUM", "/usr/bin/chromium")

# Headless, and quiet: no first-run screens, no updates, no sync, no background calls home,
# so the only requests the browser makes are the ones the tests watch.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def live_server() -> Iterator[LiveServer]:
    """Serve the app on 127.0.0.1 and a free port (pytest-django's default is `localhost`).

    A numeric address keeps the check "no request leaves 127.0.0.1" exact.
    """
    server = LiveServer("127.0.0.1:0")
    yield server
    server.stop()


class Visit:
    """A Chromium tab on the live server that records every request and console error.

    Chromium starts on first use of `page`, not when the fixture is made. Playwright's
    sync API keeps an asyncio event loop marked as running in this thread while it is
    open, and Django refuses database queries from a thread with a running loop
    (SynchronousOnlyOperation). Starting late lets the personas and other fixtures
    write to the database first, in any order; the fixture closes the browser before
    the test database is cleared. So a browser test sets its data up in fixtures and
    checks results through the browser. The live server answers in its own threads,
    where there is no loop. DJANGO_ALLOW_ASYNC_UNSAFE, which would hide real mistakes,
    stays off.
    """

    def __init__(self, base: str) -> None:
        self.base = base
        self.requests: list[str] = []
        self.console_errors: list[str] = []
        self._stack = ExitStack()
        self._page: Page | None = None

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    @property
    def page(self) -> Page:
        if self._page is None:
            self._page = self._open()
        return self._page

    def _open(self) -> Page:
        playwright = self._stack.enter_context(sync_playwright())
        browser = playwright.chromium.launch(
            executable_path=require_chromium(), args=CHROMIUM_ARGS, headless=True
        )
        self._stack.callback(browser.close)
        context = browser.new_context(locale="en-GB", timezone_id="UTC")
        context.on("request", lambda request: self.requests.append(request.url))
        page = context.new_page()
        page.on("console", self._on_console)
        return page

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.console_errors.append(f"{message.text} ({message.location['url']})")

    def close(self) -> None:
        self._stack.close()


@pytest.fixture
def visit(transactional_db, live_server) -> Iterator[Visit]:
    tab = Visit(live_server.url)
    try:
        yield tab
    finally:
        tab.close()


def require_chromium() -> str:
    if not Path(CHROMIUM).is_file():
        pytest.fail(
            f"The browser tests need Chromium at {CHROMIUM}. Install it with "
            "`apt-get install chromium` (bash scripts/test does this), set "
            "HOUSEBOAT_TEST_CHROMIUM to another Chromium, or leave these tests out "
            'with -m "not browser".'
        )
    return CHROMIUM
