"""Screenshots of the right-to-left pages: the composer, the archive, the Safety page and
the public page, in Arabic and Persian, at desktop (1280) and phone (390) width.

    bash scripts/uv run python scripts/screenshots_rtl.py OUTDIR

The same demo and browser as scripts/screenshots.py. The demo's campaign offers Arabic
and then Persian as its public site's second language, so the public page is shot
right to left too. Screenshots are for looking at, not for git.
"""

import signal
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Browser, Page, sync_playwright

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

WIDTHS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
# A message with a handle, a hashtag and a number, in the language of the page.
MESSAGES = {
    "ar": "الحرية لعشرة ريفرسايد (@amina) — اليوم 100 من الاحتجاز #FreeRiverside10",
    "fa": "آزادی برای ده نفر ریورساید (@amina) — روز ۱۰۰ بازداشت #FreeRiverside10",  # noqa: RUF001
}


def offer_site_language(data_dir: Path, language: str) -> None:
    """Make language the public site's second language (the demo's first is English)."""
    code = (
        "from houseboat.campaigns.models import Campaign; "
        f"Campaign.objects.filter(slug={CAMPAIGN!r}).update(site_second_language={language!r})"
    )
    houseboat(data_dir, "shell", "-c", code).wait(timeout=60)


def choose_language(page: Page, base: str, language: str) -> None:
    page.goto(base + f"/t/{TEAM}/")
    page.locator("#lang").select_option(language)
    page.locator("form.lang button").click()
    page.wait_for_load_state("networkidle")


def shoot_language(cam: Camera, browser: Browser, owner, language: str, data_dir: Path) -> None:
    offer_site_language(data_dir, language)
    for name, viewport in WIDTHS.items():
        context = new_context(
            browser,
            viewport=viewport,
            is_mobile=name == "phone",
            has_touch=name == "phone",
            storage_state=owner.storage_state(),
        )
        page = context.new_page()
        prefix = f"{language}-{name}"
        page.goto(cam.base + f"/t/{TEAM}/publish/new/")
        page.locator("#id_text").fill(MESSAGES[language])
        page.locator("#id_campaign").select_option(label=None, index=1)
        page.wait_for_timeout(1200)  # the counters and checks follow after 500 ms
        cam.shoot(page, f"{prefix}-composer")
        cam.shoot(page, f"{prefix}-archive", f"/t/{TEAM}/archive/?campaign={CAMPAIGN}")
        cam.shoot(page, f"{prefix}-safety", f"/t/{TEAM}/safety/")
        cam.shoot(page, f"{prefix}-security", "/account/security/")
        cam.shoot(page, f"{prefix}-calendar", f"/t/{TEAM}/publish/calendar/?view=month")
        cam.shoot(page, f"{prefix}-public", f"/c/{CAMPAIGN}/?lang={language}")
        context.close()


def take(out: Path, base: str, password: str, data_dir: Path) -> None:
    cam = Camera(out, base)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        owner = new_context(browser)
        page = owner.new_page()
        sign_in(page, base, "amina", password)
        for language in ("ar", "fa"):
            choose_language(page, base, language)
            shoot_language(cam, browser, owner, language, data_dir)
        browser.close()


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    if not Path(CHROMIUM).is_file():
        print(f"No Chromium at {CHROMIUM}: apt-get install chromium", file=sys.stderr)
        return 1
    out = Path(argv[0])
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="houseboat-screenshots-") as tmp:
        data_dir = Path(tmp) / "data"
        port = free_port()
        demo, password = start_demo(data_dir, port)
        try:
            take(out, f"http://127.0.0.1:{port}", password, data_dir)
        finally:
            demo.send_signal(signal.SIGINT)
            demo.wait(timeout=30)
    print(f"Screenshots in {out}/")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
