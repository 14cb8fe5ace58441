"""Screenshots of the Listen board only, at desktop and phone width and right to left.

    python3 -m uv run python scripts/screenshots_board.py OUTDIR

The same demo and browser as scripts/screenshots.py, which also calls `board_pages`.
The demo's worker reads its own feed into the feed column within a round or two.
"""

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

sys.path.insert(0, str(Path(__file__).parent))

from screenshots import (
    CHROMIUM,
    CHROMIUM_ARGS,
    TEAM,
    Camera,
    free_port,
    new_context,
    sign_in,
    start_demo,
)


def board_pages(cam: Camera, page: Page) -> None:
    """The demo board once its feed column has read the demo's own feed."""
    page.goto(cam.base + f"/t/{TEAM}/archive/board/")
    # The demo's worker polls the feed column; the column refreshes itself (HTMX).
    feed = page.locator(".board-column").nth(2)
    expect(feed.locator(".column-item").first).to_be_visible(timeout=60_000)
    cam.shoot(page, "listen-board")


def board_phone_pages(cam: Camera, browser: Browser, owner: BrowserContext) -> None:
    context = new_context(
        browser, viewport={"width": 390, "height": 844}, storage_state=owner.storage_state()
    )
    page = context.new_page()
    cam.shoot(page, "phone-listen-board", f"/t/{TEAM}/archive/board/")
    page.screenshot(path=cam.out / "phone-listen-board-first-screen.png")
    context.close()


def main(argv: list[str]) -> int:
    out = Path(argv[0])
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="houseboat-screenshots-") as tmp:
        port = free_port()
        demo, password = start_demo(Path(tmp) / "data", port)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
                )
                cam = Camera(out, f"http://127.0.0.1:{port}")
                owner = new_context(browser)
                page = owner.new_page()
                sign_in(page, cam.base, "amina", password)
                board_pages(cam, page)
                board_phone_pages(cam, browser, owner)
                browser.close()
        finally:
            demo.terminate()
            demo.wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
