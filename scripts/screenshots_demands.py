"""Screenshots of the Demands pages only, at desktop and phone width.

    python3 -m uv run python scripts/screenshots_demands.py OUTDIR

The same demo and browser as scripts/screenshots.py, which also calls `demand_pages`.
"""

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

sys.path.insert(0, str(Path(__file__).parent))

from screenshots import (
    CAMPAIGN,
    CHROMIUM,
    CHROMIUM_ARGS,
    TEAM,
    Camera,
    free_port,
    new_context,
    sign_in,
    start_demo,
)

UPR_INFO_SAMPLE = (
    "State under Review;Recommendation;Recommending State;Response;Action Category;Issues;"
    "Session;Cycle\r"
    "Port Verene;Release all journalists detained for their work;Norway;Accepted;5;"
    "Freedom of opinion and expression;46;4\r"
    "Port Verene;Repeal Article 41 of the Public Order Act;Canada;Noted;5;"
    "Detention;46;4\r"
    "Port Verene;;Chile;Noted;3;Justice;46;4\r"
    "Port Verene;Consider inviting the Special Rapporteur on freedom of expression;Brazil;"
    "Accepted;2;Special procedures;46;4\r"
).encode("mac_roman")


def demand_pages(cam: Camera, page: Page) -> None:
    """Tracker, a timeline, review, import preview, public tracker (desktop)."""
    base = f"/t/{TEAM}/demands/{CAMPAIGN}"
    cam.shoot(page, "demands-tracker", f"{base}/")
    cam.shoot(page, "demands-tracker-filtered", f"{base}/?status=in_progress")
    page.goto(cam.base + f"{base}/")
    page.get_by_role("table").get_by_role(
        "link", name="Bring the ten before a judge by 30 November"
    ).click()
    cam.shoot(page, "demands-timeline-broken-promise")
    page.goto(cam.base + f"{base}/")
    page.get_by_role("table").get_by_role(
        "link", name="Release the ten, or charge them before a judge"
    ).click()
    cam.shoot(page, "demands-timeline-open")
    page.locator(".evidence-list a.mono").first.click()
    cam.shoot(page, "demands-evidence-custody")
    cam.shoot(page, "demands-review", f"{base}/review/")
    cam.shoot(page, "demands-import", f"{base}/import/")
    page.get_by_label("A CSV file").set_input_files(
        {"name": "upr-info-export.csv", "mimeType": "text/csv", "buffer": UPR_INFO_SAMPLE}
    )
    page.get_by_role("button", name="Show the preview").click()
    cam.shoot(page, "demands-import-preview")
    cam.shoot(page, "demands-vocabulary", f"{base}/vocabulary/")
    cam.shoot(page, "demands-public-tracker", f"/c/{CAMPAIGN}/demands/")


def demand_phone_pages(cam: Camera, browser: Browser, owner: BrowserContext) -> None:
    context = new_context(
        browser,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        storage_state=owner.storage_state(),
    )
    page = context.new_page()
    base = f"/t/{TEAM}/demands/{CAMPAIGN}"
    cam.shoot(page, "phone-demands-tracker", f"{base}/")
    page.get_by_role("table").get_by_role(
        "link", name="Release the ten, or charge them before a judge"
    ).click()
    cam.shoot(page, "phone-demands-timeline")
    page.goto(cam.base + f"{base}/import/")
    page.get_by_label("A CSV file").set_input_files(
        {"name": "upr-info-export.csv", "mimeType": "text/csv", "buffer": UPR_INFO_SAMPLE}
    )
    page.get_by_role("button", name="Show the preview").click()
    cam.shoot(page, "phone-demands-import-preview")
    cam.shoot(page, "phone-demands-public-tracker", f"/c/{CAMPAIGN}/demands/")
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
                demand_pages(cam, page)
                demand_phone_pages(cam, browser, owner)
                browser.close()
        finally:
            demo.terminate()
            demo.wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
