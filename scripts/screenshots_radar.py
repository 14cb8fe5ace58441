"""Screenshots of the press radar, the press sources and the M&E report pages.

    python3 -m uv run python scripts/screenshots_radar.py OUTDIR

The same demo and browser as scripts/screenshots.py: desktop and phone width, and the
radar in Arabic. Also writes the demo's report as PDF and PNG pages (pdftoppm) to look at.
"""

import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

sys.path.insert(0, str(Path(__file__).parent))

from screenshots import (
    CAMPAIGN,
    CHROMIUM,
    CHROMIUM_ARGS,
    TEAM,
    Camera,
    free_port,
    houseboat,
    new_context,
    sign_in,
    start_demo,
)

PAGES = [
    ("radar", f"/t/{TEAM}/campaigns/{CAMPAIGN}/radar/"),
    ("press-sources", f"/t/{TEAM}/press/"),
    ("reports", f"/t/{TEAM}/reports/"),
    ("reports-campaign", f"/t/{TEAM}/reports/{CAMPAIGN}/"),
    ("outcomes", f"/t/{TEAM}/reports/{CAMPAIGN}/outcomes/"),
]


def radar_pages(cam: Camera, page: Page, prefix: str = "") -> None:
    for name, path in PAGES:
        cam.shoot(page, prefix + name, path)


def main(argv: list[str]) -> int:
    out = Path(argv[0])
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="houseboat-screenshots-") as tmp:
        port, data = free_port(), Path(tmp) / "data"
        demo, password = start_demo(data, port)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
                )
                cam = Camera(out, f"http://127.0.0.1:{port}")
                owner = new_context(browser)
                page = owner.new_page()
                sign_in(page, cam.base, "amina", password)
                radar_pages(cam, page)
                phone = new_context(
                    browser,
                    viewport={"width": 390, "height": 844},
                    storage_state=owner.storage_state(),
                )
                radar_pages(cam, phone.new_page(), "phone-")
                # Arabic last: the language is kept on the account from here on.
                page.goto(cam.base + f"/t/{TEAM}/campaigns/{CAMPAIGN}/")
                page.locator("#lang").select_option("ar")
                page.get_by_role("button", name="Go").click()
                radar_pages(cam, page, "arabic-")
                browser.close()
        finally:
            demo.terminate()
            demo.wait(timeout=30)
        pdf = out / "demo-report.pdf"
        report = houseboat(
            data, "report", "--campaign", f"{TEAM}/{CAMPAIGN}", "--from", "2026-01-01",
            "--to", "2026-12-31", "--out", str(pdf),
        )  # fmt: skip
        report.wait(timeout=300)
        subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(out / "report")], check=True)  # noqa: S603, S607
    print(f"Screenshots in {out}/")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
