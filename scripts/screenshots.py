"""Take a full-page screenshot of every houseboat page, for a person to look at.

    bash scripts/uv run python scripts/screenshots.py OUTDIR

Starts `houseboat demo` in a throwaway data directory on a free port of 127.0.0.1,
walks through the app in headless Chromium as the demo owner (and as a newcomer who
joins by invitation), and writes numbered PNGs to OUTDIR. Needs Debian's chromium
(`apt-get install chromium`) or another one named by HOUSEBOAT_TEST_CHROMIUM.
Screenshots are for looking at, not for git (/screenshots/ is ignored).
"""

import base64
import hashlib
import hmac
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

CHROMIUM = os.environ.get("HOUSEBOAT_TEST_CHROMIUM", "/usr/bin/chromium")
# The same quiet headless flags as the browser tests (tests/browser/conftest.py).
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
TEAM = "riverside"
CAMPAIGN = "free-the-riverside-ten"
NEWCOMER = ("sam", "paper lantern quiet harbour")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def houseboat(data_dir: Path, *args: str, **kwargs) -> subprocess.Popen:
    """Start the houseboat command on the demo's data dir (never a real database)."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "HOUSEBOAT_DATA_DIR"}}
    return subprocess.Popen(  # noqa: S603 (this interpreter, our own arguments)
        [sys.executable, "-m", "houseboat", "--data-dir", str(data_dir), *args],
        env=env,
        text=True,
        **kwargs,
    )


def start_demo(data_dir: Path, port: int) -> tuple[subprocess.Popen, str]:
    """Start the demo and return it with the owner's password, read from its output."""
    demo = houseboat(data_dir, "demo", "--port", str(port), stdout=subprocess.PIPE)
    password = ""
    for line in demo.stdout:
        print(line, end="")
        if match := re.match(r"\s*Password:\s+(\S+)", line):
            password = match.group(1)
        if line.startswith("Press Ctrl-C"):
            return demo, password
    raise SystemExit(f"houseboat demo stopped before it was ready (exit code {demo.wait()})")


def totp(secret: str, at: float | None = None) -> str:
    """The 6-digit code an authenticator app shows for a base32 secret (RFC 6238)."""
    letters = "".join(secret.split()).upper()
    key = base64.b32decode(letters + "=" * (-len(letters) % 8))
    counter = struct.pack(">Q", int((at or time.time()) // 30))
    digest = hmac.new(key, counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


class Camera:
    """Numbered full-page screenshots of one browser tab."""

    def __init__(self, out: Path, base: str) -> None:
        self.out, self.base, self.count = out, base, 0

    def shoot(self, page: Page, name: str, path: str | None = None) -> None:
        if path is not None:
            page.goto(self.base + path)
        page.wait_for_load_state("networkidle")
        self.count += 1
        target = self.out / f"{self.count:02d}-{name}.png"
        page.screenshot(path=target, full_page=True)
        print(f"  {target.name}  {page.url}")


def new_context(browser: Browser, **options) -> BrowserContext:
    options.setdefault("viewport", {"width": 1280, "height": 800})
    return browser.new_context(locale="en-GB", timezone_id="UTC", **options)


def sign_in(page: Page, base: str, username: str, password: str) -> None:
    page.goto(base + "/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def owner_pages(cam: Camera, page: Page, password: str) -> tuple[str, str]:
    """The owner's walk; return the invitation link and a recovery code."""
    base, team = cam.base, f"/t/{TEAM}"
    cam.shoot(page, "login", "/login/")
    sign_in(page, base, "amina", password)
    cam.shoot(page, "home-your-teams")
    cam.shoot(page, "campaigns", f"{team}/")
    cam.shoot(page, "campaign-detail", f"{team}/campaigns/{CAMPAIGN}/")
    cam.shoot(page, "campaign-edit", f"{team}/campaigns/{CAMPAIGN}/edit/")
    cam.shoot(page, "campaign-new", f"{team}/campaigns/new/")
    page.get_by_role("button", name="Save").click()
    cam.shoot(page, "campaign-new-with-errors")
    cam.shoot(page, "post-new", f"{team}/campaigns/{CAMPAIGN}/posts/new/")
    cam.shoot(page, "channels", f"{team}/channels/")
    cam.shoot(page, "members", f"{team}/members/")
    page.get_by_label("Who it is for").fill("Sam, volunteer from the vigil")
    page.locator("#id_role").select_option("viewer")
    page.get_by_role("button", name="Create invitation link").click()
    cam.shoot(page, "members-invitation-link")
    link = page.locator("#invite-link").input_value()
    cam.shoot(page, "team-settings", f"{team}/settings/")
    cam.shoot(page, "audit-log", f"{team}/audit/")
    cam.shoot(page, "security-2fa-off", "/account/security/")
    cam.shoot(page, "two-factor-setup", "/account/two-factor/")
    secret = page.locator("code.secret").inner_text()
    page.get_by_label("Code").fill(totp(secret))
    page.get_by_role("button", name="Turn on").click()
    cam.shoot(page, "recovery-codes")
    recovery = page.locator(".codes code").first.inner_text()
    cam.shoot(page, "security-2fa-on", "/account/security/")
    return link, recovery


def second_sign_in(cam: Camera, page: Page, password: str, recovery: str) -> None:
    page.get_by_role("button", name=re.compile("Sign out")).first.click()
    sign_in(page, cam.base, "amina", password)
    cam.shoot(page, "login-two-factor-code")
    page.get_by_label("Code").fill(recovery)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r"/$"))


def newcomer_pages(cam: Camera, browser: Browser, link: str) -> None:
    context = new_context(browser)
    page = context.new_page()
    page.goto(link)
    cam.shoot(page, "join")
    username, password = NEWCOMER
    page.get_by_label("Username").fill(username)
    page.locator("#id_password1").fill(password)
    page.locator("#id_password2").fill(password)
    page.get_by_role("button", name="Create account and join").click()
    cam.shoot(page, "joined-as-viewer")
    cam.shoot(page, "error-403", f"/t/{TEAM}/campaigns/new/")
    cam.shoot(page, "join-link-used", link.removeprefix(cam.base))
    context.close()


def public_pages(cam: Camera, page: Page) -> None:
    cam.shoot(page, "public-page", f"/c/{CAMPAIGN}/")
    page.locator("article h2 a").first.click()
    cam.shoot(page, "public-post")
    cam.shoot(page, "error-404", "/no-such-page/")


def arabic_pages(cam: Camera, page: Page) -> None:
    page.goto(cam.base + f"/t/{TEAM}/campaigns/{CAMPAIGN}/")
    page.locator("#lang").select_option("ar")
    page.get_by_role("button", name="Go").click()
    cam.shoot(page, "arabic-rtl-campaign-detail")
    cam.shoot(page, "arabic-rtl-members", f"/t/{TEAM}/members/")
    cam.shoot(page, "arabic-rtl-public-page", f"/c/{CAMPAIGN}/")


def phone_pages(cam: Camera, browser: Browser, owner: BrowserContext) -> None:
    context = new_context(
        browser,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        storage_state=owner.storage_state(),
    )
    page = context.new_page()
    cam.shoot(page, "phone-campaigns", f"/t/{TEAM}/")
    cam.shoot(page, "phone-campaign-detail", f"/t/{TEAM}/campaigns/{CAMPAIGN}/")
    cam.shoot(page, "phone-security", "/account/security/")
    cam.shoot(page, "phone-public-page", f"/c/{CAMPAIGN}/")
    context.close()


# Too long for X (280), fine for Mastodon (500): the composer must say so before scheduling.
LONG_POST = (
    "Sixty-three days ago police in Port Verene detained ten reporters of the Riverside "
    "Courier after they published an investigation into the harbour contracts. None of "
    "them has been charged. Three have still not seen a lawyer. Tomorrow at 6 pm families "
    "and colleagues hold a silent vigil at 14 Quay Street. Bring a candle, not a sign."
)
CONTRIBUTOR = ("lucia", "quiet lantern river stone")  # set by publishing_pages
# The demo makes its members with passwords nobody knows; the contributor's pages need one.
SET_CONTRIBUTOR_PASSWORD = f"""
from houseboat.core.models import User
user = User.objects.get(username={CONTRIBUTOR[0]!r})
user.set_password({CONTRIBUTOR[1]!r})
user.save()
"""


def checked(page: Page) -> None:
    """Wait for the composer's live check to answer and be drawn."""
    page.wait_for_timeout(900)  # the check waits 500 ms after the last keystroke
    page.wait_for_load_state("networkidle")


def publishing_pages(cam: Camera, page: Page, data_dir: Path) -> None:
    """The Publish pages, with the demo's posts in every state (houseboat/publishing/demo.py)."""
    houseboat(data_dir, "shell", "-c", SET_CONTRIBUTOR_PASSWORD).wait()
    pub = f"/t/{TEAM}/publish"
    cam.shoot(page, "publish-posts", f"{pub}/")
    cam.shoot(page, "publish-needs-a-person", f"{pub}/?show=attention")
    cam.shoot(page, "publish-review", f"{pub}/review/")
    cam.shoot(page, "publish-calendar-week", f"{pub}/calendar/")
    cam.shoot(page, "publish-calendar-month", f"{pub}/calendar/?view=month")
    cam.shoot(page, "publish-new", f"{pub}/new/")
    page.get_by_role("checkbox", name=re.compile("Mastodon — @freeriverside10")).check()
    page.get_by_role("checkbox", name=re.compile("X — @FreeRiverside10")).check()
    page.get_by_label("Message").fill(LONG_POST)
    page.get_by_label("Link").fill("https://riverside.example/vigil")
    checked(page)
    cam.shoot(page, "publish-new-too-long-for-x")
    page.get_by_role("button", name=re.compile("Split into a thread")).click()
    cam.shoot(page, "publish-split-into-a-thread")
    page.get_by_label("At a time").check()
    page.get_by_label("Time zone").select_option("Europe/Berlin")
    spring = f"{time.gmtime().tm_year + 1}-03-28T02:30"  # the EU's clocks skip 02:00-03:00
    page.get_by_label("Date and time").fill(spring)
    checked(page)
    cam.shoot(page, "publish-time-the-clocks-skip")
    queue_pages(cam, page, pub)


def queue_pages(cam: Camera, page: Page, pub: str) -> None:
    """Posting times: the list, a channel's suggested times, and the queue without any."""
    cam.shoot(page, "publish-posting-times", f"{pub}/times/")
    page.get_by_role("row", name=re.compile("X — @FreeRiverside10")).get_by_role("link").click()
    cam.shoot(page, "publish-posting-times-suggested")
    cam.shoot(page, "publish-new-queue", f"{pub}/new/")
    page.get_by_label("Message").fill("Vigil tomorrow at 6 pm, 14 Quay Street.")
    page.get_by_role("checkbox", name=re.compile("X — @FreeRiverside10")).check()
    page.get_by_label(re.compile("Add to queue")).check()
    page.get_by_role("button", name="Add to queue").click()
    cam.shoot(page, "publish-queue-channel-without-posting-times")


def contributor_pages(cam: Camera, browser: Browser) -> None:
    context = new_context(browser)
    page = context.new_page()
    sign_in(page, cam.base, *CONTRIBUTOR)
    pub = f"/t/{TEAM}/publish"
    cam.shoot(page, "publish-posts-as-contributor", f"{pub}/?show=drafts")
    page.get_by_role("link", name="Edit").first.click()
    cam.shoot(page, "publish-sent-back-to-contributor")
    context.close()


def no_worker_page(cam: Camera, browser: Browser) -> None:
    """A fresh install served without a worker: the Publish pages must say so."""
    with tempfile.TemporaryDirectory(prefix="houseboat-screenshots-") as tmp:
        data_dir, secret = Path(tmp) / "data", Path(tmp) / "password"
        secret.write_text("harbour lights at dawn", encoding="utf-8")
        houseboat(data_dir, "migrate", "-v", "0").wait()
        houseboat(data_dir, "createuser", "rosa", "--password-file", str(secret)).wait()
        houseboat(data_dir, "team", "create", "Harbour Watch", "--owner", "rosa").wait()
        port = free_port()
        server = houseboat(
            data_dir, "serve", "--no-migrate", "--port", str(port), stdout=subprocess.PIPE
        )
        try:
            for line in server.stdout:
                if "serving on" in line:
                    break
            context = new_context(browser)
            page = context.new_page()
            base = f"http://127.0.0.1:{port}"
            sign_in(page, base, "rosa", "harbour lights at dawn")
            page.goto(f"{base}/t/harbour-watch/publish/")
            cam.shoot(page, "publish-no-worker-running")
            context.close()
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(timeout=30)


def publishing_phone_pages(cam: Camera, browser: Browser, owner: BrowserContext) -> None:
    context = new_context(
        browser,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        storage_state=owner.storage_state(),
    )
    page = context.new_page()
    pub = f"/t/{TEAM}/publish"
    cam.shoot(page, "phone-publish-posts", f"{pub}/")
    cam.shoot(page, "phone-publish-calendar-week", f"{pub}/calendar/")
    cam.shoot(page, "phone-publish-new", f"{pub}/new/")
    context.close()


def publishing_arabic_pages(cam: Camera, page: Page) -> None:
    pub = f"/t/{TEAM}/publish"
    cam.shoot(page, "arabic-rtl-publish-posts", f"{pub}/")
    cam.shoot(page, "arabic-rtl-publish-new", f"{pub}/new/")


def archive_pages(cam: Camera, page: Page) -> None:
    """The archive's media (one shielded, then shown), Import (a file that fails), Retention."""
    team = f"/t/{TEAM}/archive"
    cam.shoot(page, "archive-media", f"{team}/?campaign={CAMPAIGN}&media=yes")
    page.locator(".graphic-reveal").first.click()
    page.wait_for_timeout(500)  # the un-blurring is a short transition
    cam.shoot(page, "archive-media-revealed")
    cam.shoot(page, "archive-import", f"{team}/import/?campaign={CAMPAIGN}")
    page.get_by_label("What kind of file").select_option("x-archive")
    page.get_by_label("The file").set_input_files(
        {"name": "tweets.zip", "mimeType": "application/zip", "buffer": b"not a zip"}
    )
    page.get_by_role("button", name="Upload and import").click()
    cam.shoot(page, "archive-import-job-queued")
    cam.shoot(page, "archive-retention", f"{team}/retention/")
    page.get_by_label("Cut-off date").fill(time.strftime("%Y-%m-%d"))
    page.get_by_role("button", name="Count what would be purged").click()
    cam.shoot(page, "archive-retention-confirm")


def organizing_pages(cam: Camera, page: Page) -> None:
    """Organise: overview, calls to action and their tracked links, supporters, the
    funnel, follow-ups and donations; the public page and sign-up form; a CSV import."""
    org = f"/t/{TEAM}/organise"
    cam.shoot(page, "organise-overview", f"{org}/")
    cam.shoot(page, "organise-home-needs-a-person", f"/t/{TEAM}/")
    cam.shoot(page, "organise-actions", f"{org}/actions/")
    page.goto(cam.base + f"{org}/actions/")
    page.get_by_role("link", name="Candle vigil: 60 days without charge").click()
    cam.shoot(page, "organise-action-event")
    action_path = page.url.removeprefix(cam.base)
    cam.shoot(page, "organise-check-in", f"{action_path}check-in/")
    cam.shoot(page, "organise-action-new", f"{org}/actions/new/")
    cam.shoot(page, "organise-supporters", f"{org}/supporters/")
    page.goto(cam.base + f"{org}/supporters/")
    page.locator("table.list a").first.click()
    cam.shoot(page, "organise-supporter")
    cam.shoot(page, "organise-supporter-new", f"{org}/supporters/new/")
    cam.shoot(page, "organise-import", f"{org}/supporters/import/")
    page.get_by_label("CSV file").set_input_files(
        {
            "name": "volunteers.csv",
            "mimeType": "text/csv",
            "buffer": b"Nickname,Contacts,Agreed to,Town\n"
            b"Rosa,email:rosa@example.org,email,Old town\n"
            b",email:nameless@example.org,,\n"
            b"Ivo,myspace:@ivo,,Harbour\n",
        }
    )
    page.get_by_role("button", name="Next: match the columns").click()
    cam.shoot(page, "organise-import-map")
    page.get_by_label("Display name").select_option("Nickname")
    page.get_by_label("Handles (NETWORK:HANDLE; …)").select_option("Contacts")
    page.get_by_label("Consent (whatsapp; telegram; email)").select_option("Agreed to")
    page.get_by_label("Area").select_option("Town")
    page.get_by_role("button", name="Import").click()
    cam.shoot(page, "organise-import-done")
    cam.shoot(page, "organise-from-archive", f"{org}/from-archive/")
    cam.shoot(page, "organise-funnel", f"{org}/funnel/")
    cam.shoot(page, "organise-ladder", f"{org}/ladder/")
    cam.shoot(page, "organise-follow-ups", f"{org}/follow-ups/")
    page.goto(cam.base + f"{org}/follow-ups/")
    page.get_by_role("link", name="Tonight: a candle for the ten").click()
    cam.shoot(page, "organise-follow-up-draft")
    cam.shoot(page, "organise-follow-up-new", f"{org}/follow-ups/new/")
    cam.shoot(page, "organise-donations", f"{org}/donations/")
    cam.shoot(page, "public-action", action_path.replace(f"{org}/actions/", f"/c/{CAMPAIGN}/act/"))
    cam.shoot(page, "public-sign-up", f"/c/{CAMPAIGN}/join/")


def organizing_phone_pages(cam: Camera, browser: Browser, owner: BrowserContext) -> None:
    """The check-in page at the door, and the public pages, on a phone."""
    phone = new_context(
        browser,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        storage_state=owner.storage_state(),
    )
    page = phone.new_page()
    org = f"/t/{TEAM}/organise"
    page.goto(cam.base + f"{org}/actions/")
    page.get_by_role("link", name="Candle vigil: 60 days without charge").click()
    action_path = page.url.removeprefix(cam.base)
    cam.shoot(page, "phone-organise-check-in", f"{action_path}check-in/")
    cam.shoot(page, "phone-organise-funnel", f"{org}/funnel/")
    cam.shoot(page, "phone-organise-supporters", f"{org}/supporters/")
    public = action_path.replace(f"{org}/actions/", f"/c/{CAMPAIGN}/act/")
    cam.shoot(page, "phone-public-action", public)
    cam.shoot(page, "phone-public-sign-up", f"/c/{CAMPAIGN}/join/")
    phone.close()


def take(out: Path, base: str, password: str, data_dir: Path) -> None:
    from screenshots_board import board_pages, board_phone_pages  # the Listen board
    from screenshots_demands import demand_pages, demand_phone_pages  # the Demands pages

    # A second team, so the start page lists teams instead of opening the only one.
    houseboat(data_dir, "team", "create", "Harbour Watch", "--owner", "amina").wait()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        cam = Camera(out, base)
        owner = new_context(browser)
        page = owner.new_page()
        link, recovery = owner_pages(cam, page, password)
        second_sign_in(cam, page, password, recovery)
        publishing_pages(cam, page, data_dir)
        archive_pages(cam, page)
        board_pages(cam, page)
        demand_pages(cam, page)
        organizing_pages(cam, page)
        organizing_phone_pages(cam, browser, owner)
        contributor_pages(cam, browser)
        no_worker_page(cam, browser)
        newcomer_pages(cam, browser, link)
        public_pages(cam, page)
        phone_pages(cam, browser, owner)
        publishing_phone_pages(cam, browser, owner)
        demand_phone_pages(cam, browser, owner)
        board_phone_pages(cam, browser, owner)
        arabic_pages(cam, page)
        publishing_arabic_pages(cam, page)
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
