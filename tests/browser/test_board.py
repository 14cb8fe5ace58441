"""The board in a real browser: a column shows what the worker read without a page reload.

Set HOUSEBOAT_SCREENSHOTS to a folder to keep screenshots at desktop and phone width.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from houseboat.connectors.base import RemoteAuthor, RemoteItem
from houseboat.connectors.models import Channel
from houseboat.listening import polling
from houseboat.listening.models import Column
from tests.browser.test_demo_flow import assert_stayed_home, sign_in
from tests.browser.test_import_pages import shoot

pytestmark = pytest.mark.browser


def post(number: int, text: str, language: str = "en") -> RemoteItem:
    return RemoteItem(
        network="mastodon",
        remote_id=str(5000 + number),
        text=text,
        language=language,
        created_at=datetime(2026, 11, 30, 9, number, tzinfo=UTC),
        author=RemoteAuthor(remote_id="9", handle="lena", display_name="Lena Ortiz"),
        url=f"https://m.x/@lena/{5000 + number}",
    )


@pytest.fixture
def columns(campaign_a, bob) -> tuple[Column, Column]:
    channel = Channel.objects.create(
        team=campaign_a.team, network="mastodon", name="Mastodon main", config={}
    )
    tag = Column.objects.create(
        campaign=campaign_a, channel=channel, kind="hashtag", query="FreeTheTen"
    )
    polling.ingest(
        tag,
        [
            post(1, "Vigil outside the court at 6pm tonight. Bring candles. #FreeTheTen"),
            post(2, "Les familles demandent la libération des dix. #FreeTheTen", "fr"),
        ],
        0,
    )
    Column.objects.filter(pk=tag.pk).update(last_polled_at=datetime.now(UTC), items_new=2)
    words = Column.objects.create(
        campaign=campaign_a,
        channel=channel,
        kind="keyword",
        query="hearing postponed",
        position=1,
        paused=True,
        pause_reason="Paused after 5 failed reads in a row. The last: Mastodon had a server "
        "error (503). Resume the column once that is fixed.",
    )
    return tag, words


def add_in_background(column: Column, item: RemoteItem) -> None:
    """What a worker round does, off the browser's thread (its loop forbids queries)."""
    thread = threading.Thread(target=polling.ingest, args=(column, [item], 0))
    thread.start()
    thread.join()


def test_a_column_shows_what_the_worker_read_without_a_reload(visit, columns):
    tag, _words = columns
    sign_in(visit, "bob")
    page = visit.page
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(visit.url("/t/team-a/archive/board/"))
    expect(page.get_by_text("Vigil outside the court")).to_be_visible()
    expect(page.get_by_text("Paused after 5 failed reads in a row.")).to_be_visible()
    shoot(visit, "board-desktop")
    page.evaluate("window.sameVisit = true")

    add_in_background(tag, post(3, "Hearing moved to Friday, 10am. #FreeTheTen"))
    expect(page.get_by_text("Hearing moved to Friday, 10am.")).to_be_visible(timeout=25_000)
    assert page.evaluate("window.sameVisit === true")  # the column refreshed, not the page

    page.get_by_role("button", name="Mark read").first.click()
    expect(page.locator(f"#column-{tag.pk} .is-unread")).to_have_count(0)

    page.set_viewport_size({"width": 390, "height": 844})
    shoot(visit, "board-phone")
    assert_stayed_home(visit)
    assert not visit.console_errors
