"""The Import page and its job page in a real browser: a chat with its time zone, skipped
records listed by reason, and a whole Telegram account's checklist of chats.

Set HOUSEBOAT_SCREENSHOTS to a folder to keep a screenshot of each page.
"""

import json
import os
import threading
from pathlib import Path

import pytest
from playwright.sync_api import expect

from houseboat.listening import jobs
from tests.browser.test_demo_flow import assert_stayed_home, sign_in
from tests.listening.test_telegram_fidelity import account_export

pytestmark = pytest.mark.browser

CHAT = (
    "24/11/2026, 21:05 - Ana: hola, la vigilia es el viernes\n"
    "24/11/2026, 21:06 - Omar: allí estaré\n"
    "24/11/2026, 21:07 - Ana: un mensaje cortado a la mit"
)


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"


def shoot(visit, name: str) -> None:
    folder = os.environ.get("HOUSEBOAT_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        visit.page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def run_worker() -> None:
    """Run the import worker once, off the browser's thread (its loop forbids queries)."""
    thread = threading.Thread(target=jobs.run_import_jobs, args=("browser-test",))
    thread.start()
    thread.join()


def test_a_chat_imported_with_its_zone_reports_what_it_assumed(visit, bob, campaign_a, tmp_path):
    chat = tmp_path / "_chat.txt"
    chat.write_text(CHAT, encoding="utf-8")
    sign_in(visit, "bob")
    page = visit.page
    page.goto(visit.url("/t/team-a/archive/import/"))
    page.get_by_label("What kind of file").select_option("whatsapp-txt")
    page.get_by_label("The file").set_input_files(str(chat))
    page.get_by_label("Time zone of the phone or computer").fill("America/Bogota")
    page.get_by_label("How the WhatsApp chat writes dates").select_option("dmy")
    shoot(visit, "import-page")
    page.get_by_role("button", name="Upload and import").click()
    expect(page.get_by_text("Waiting for the background worker")).to_be_visible()
    run_worker()
    page.reload()
    expect(page.get_by_text("Done.")).to_be_visible()
    expect(page.get_by_text("How the file was read")).to_be_visible()
    expect(page.get_by_text("its last message may be cut off")).to_be_visible()
    shoot(visit, "import-job-done")
    assert_stayed_home(visit)


def test_a_whole_telegram_account_is_imported_chat_by_chosen_chat(visit, bob, campaign_a, tmp_path):
    export = tmp_path / "result.json"
    export.write_text(json.dumps(account_export(), indent=1), encoding="utf-8")
    sign_in(visit, "bob")
    page = visit.page
    page.goto(visit.url("/t/team-a/archive/import/"))
    page.get_by_label("What kind of file").select_option("telegram-json")
    page.get_by_label("The file").set_input_files(str(export))
    page.get_by_role("button", name="Upload and import").click()
    expect(page.get_by_text("Which chats should go into the archive?")).to_be_visible()
    page.get_by_label("Free the Ten").check()
    shoot(visit, "import-job-choose-chats")
    page.get_by_role("button", name="Import the chats I ticked").click()
    expect(page.get_by_text("Waiting for the background worker")).to_be_visible()
    run_worker()
    page.reload()
    expect(page.get_by_text("2 new posts in the archive")).to_be_visible()
    assert_stayed_home(visit)


@pytest.fixture
def scripted_archive(campaign_a, tmp_path):
    """An archive whose imported posts name themselves with a script and the web."""
    from houseboat.listening.imports import run_import
    from tests.listening.test_archive_links import outbox_with_addresses

    run_import(campaign=campaign_a, format="mastodon-outbox", path=outbox_with_addresses(tmp_path))


def test_an_imported_script_address_is_text_on_the_archive_page(visit, victor, scripted_archive):
    sign_in(visit, "victor")
    page = visit.page
    page.goto(visit.url("/t/team-a/archive/"))
    expect(page.get_by_text("4 items")).to_be_visible()
    links = page.get_by_role("link", name="Original post")
    expect(links).to_have_count(1)
    assert links.get_attribute("href") == "https://example.social/@ana/112000000000000004"
    expect(page.get_by_text("Original address (not a web link, shown as text):")).to_have_count(3)
    shoot(visit, "archive-addresses")
    assert_stayed_home(visit)
