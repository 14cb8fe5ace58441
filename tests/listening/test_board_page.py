"""The board page: who sees and changes a campaign's columns, and what a column shows."""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, datetime

import pytest
from django.utils import timezone
from PIL import Image

from houseboat.connectors.base import RemoteAuthor, RemoteItem, RemoteMedia
from houseboat.connectors.models import Channel
from houseboat.listening import polling
from houseboat.listening.models import (
    Column,
    ColumnReadMark,
    Item,
    ItemMedia,
    MediaBlob,
    blob_path,
)
from houseboat.safety.models import Alert, GraphicMark

BOARD = "/t/team-a/archive/board/"


@pytest.fixture
def channel(team_a) -> Channel:
    return Channel.objects.create(
        team=team_a, network="mastodon", name="Mastodon main", config={"base_url": "https://m.x"}
    )


@pytest.fixture
def column(campaign_a, channel) -> Column:
    return Column.objects.create(campaign=campaign_a, channel=channel, kind="hashtag", query="cats")


def post(number: int, text: str, language: str = "en") -> RemoteItem:
    return RemoteItem(
        network="mastodon",
        remote_id=str(1000 + number),
        text=text,
        language=language,
        created_at=datetime(2026, 11, 1, 12, number, tzinfo=UTC),
        author=RemoteAuthor(remote_id="7", handle="rosa", display_name="Rosa"),
        url=f"https://m.x/@rosa/{1000 + number}",
    )


def fill(column: Column, *items: RemoteItem) -> None:
    """Store items the way a poll does: the archive's pipeline, then the column's links."""
    polling.ingest(column, list(items), 0)


def test_every_member_sees_the_board_and_an_outsider_gets_404(
    as_alice, as_bob, as_charlie, as_mallory, column
):
    fill(column, post(1, "Free them all #cats"))
    for client in (as_alice, as_bob, as_charlie):
        page = client.get(BOARD)
        assert page.status_code == 200
        assert "#cats · Mastodon main" in page.text
        assert "Free them all #cats" in page.text
    assert as_mallory.get(BOARD).status_code == 404
    assert as_mallory.get(f"/t/team-a/archive/board/columns/{column.pk}/").status_code == 404
    mine = as_mallory.post(f"/t/team-b/archive/board/columns/{column.pk}/pause/")
    assert mine.status_code == 404  # another team's column, even through one's own team


def test_owners_and_editors_add_columns_and_a_contributor_cannot(
    as_alice, as_bob, as_charlie, campaign_a, channel
):
    form = {"campaign": campaign_a.slug, "kind": "hashtag", "channel": channel.pk, "query": "x"}
    assert as_alice.post(f"{BOARD}columns/new/", form).status_code == 302
    assert as_bob.post(f"{BOARD}columns/new/", {**form, "query": "y"}).status_code == 302
    assert as_charlie.post(f"{BOARD}columns/new/", {**form, "query": "z"}).status_code == 403
    assert list(Column.objects.values_list("query", "position")) == [("x", 0), ("y", 1)]
    assert "Add a column" in as_alice.get(BOARD).text
    assert "Add a column" not in as_charlie.get(BOARD).text


def test_a_column_that_cannot_be_added_says_why_and_adds_nothing(as_alice, campaign_a, channel):
    page = as_alice.post(
        f"{BOARD}columns/new/",
        {"campaign": campaign_a.slug, "kind": "feed", "query": "javascript:alert(1)"},
        follow=True,
    )
    assert "is not a feed address" in page.text
    page = as_alice.post(
        f"{BOARD}columns/new/",
        {"campaign": campaign_a.slug, "kind": "page", "channel": channel.pk},
        follow=True,
    )
    assert "cannot read a Facebook Page feed and comments column" in page.text
    assert not Column.objects.exists()


def test_editors_move_pause_resume_and_remove_columns_and_a_contributor_cannot(
    as_bob, as_charlie, column, campaign_a, channel
):
    other = Column.objects.create(
        campaign=campaign_a, channel=channel, kind="keyword", query="prison", position=1
    )
    url = f"{BOARD}columns/{other.pk}/"
    assert as_charlie.post(url + "left/").status_code == 403
    assert as_charlie.post(url + "pause/").status_code == 403
    assert as_charlie.post(url + "remove/").status_code == 403

    as_bob.post(url + "left/")
    assert list(Column.objects.order_by("position").values_list("pk", flat=True)) == [
        other.pk,
        column.pk,
    ]
    as_bob.post(url + "pause/")
    other.refresh_from_db()
    assert other.paused and other.pause_reason == "Paused by bob."
    assert "Paused by bob." in as_charlie.get(BOARD).text
    as_bob.post(url + "resume/")
    other.refresh_from_db()
    assert not other.paused
    fill(other, post(1, "kept"))
    as_bob.post(url + "remove/")
    assert not Column.objects.filter(pk=other.pk).exists()
    assert Item.objects.filter(text="kept").exists()  # the archive keeps what it read


def test_a_failing_column_shows_its_reason_in_words(as_charlie, column):
    Column.objects.filter(pk=column.pk).update(
        paused=True,
        pause_reason="Paused after 5 failed reads in a row. The last: Mastodon had a server "
        "error (503). Resume the column once that is fixed.",
    )
    page = as_charlie.get(BOARD)
    assert "Paused after 5 failed reads in a row." in page.text
    Column.objects.filter(pk=column.pk).update(paused=False, last_error="slow down until 12:00")
    assert "Trouble reading: slow down until 12:00" in as_charlie.get(BOARD).text


def test_mark_read_is_per_person_and_new_items_show_unread_again(as_alice, as_charlie, column):
    fill(column, post(1, "one"), post(2, "two"))
    body = f"{BOARD}columns/{column.pk}/"
    assert '2<span class="visually-hidden"> unread' in as_charlie.get(body).text
    assert as_charlie.post(body + "read/").status_code == 302
    assert "unread" not in as_charlie.get(body).text
    assert '2<span class="visually-hidden"> unread' in as_alice.get(body).text
    fill(column, post(3, "three"))
    assert '1<span class="visually-hidden"> unread' in as_charlie.get(body).text
    assert ColumnReadMark.objects.count() == 1


def test_a_column_filters_by_language(as_charlie, column):
    fill(column, post(1, "hello world", "en"), post(2, "bonjour le monde", "fr"))
    body = f"{BOARD}columns/{column.pk}/"
    both = as_charlie.get(body).text
    assert "hello world" in both and "bonjour le monde" in both
    french = as_charlie.get(body, {f"lang{column.pk}": "fr"}).text
    assert "bonjour le monde" in french and "hello world" not in french
    # The refresh keeps asking for the chosen language.
    assert f"?lang{column.pk}=fr" in french


def test_an_item_with_a_safety_alert_carries_its_badge(as_charlie, column, campaign_a):
    fill(column, post(1, "calm"), post(2, "a threat"))
    Alert.objects.create(
        team=campaign_a.team,
        campaign=campaign_a,
        network="mastodon",
        remote_id="1002",
        kinds="threat",
        matches=[],
    )
    page = as_charlie.get(f"{BOARD}columns/{column.pk}/").text
    assert page.count("Safety alert") == 1
    assert "Safety alert: threat" in page


def test_an_item_gone_from_the_platform_is_marked_and_kept(as_charlie, column):
    fill(column, post(1, "the evidence"))
    Item.objects.update(gone_at=timezone.now(), gone_reason="deleted")
    page = as_charlie.get(f"{BOARD}columns/{column.pk}/").text
    assert "Gone from the platform (deleted)" in page
    assert "the evidence" in page


def test_the_column_refreshes_itself_and_the_nav_links_the_board(as_charlie, column):
    page = as_charlie.get(BOARD).text
    assert f'hx-get="/t/team-a/archive/board/columns/{column.pk}/"' in page
    assert 'hx-trigger="every 10s"' in page
    assert f'href="{BOARD}"' in page


def test_a_graphic_picture_in_a_column_is_shielded_as_in_the_archive(as_charlie, column):
    picture = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 40, 40)).save(picture, format="PNG")
    data = picture.getvalue()
    digest = hashlib.sha256(data).hexdigest()
    item = post(1, "After the raid")
    fill(column, RemoteItem(**{**item.__dict__, "media": (RemoteMedia(url="https://m.x/1.png"),)}))
    blob_path(digest).parent.mkdir(parents=True, exist_ok=True)
    blob_path(digest).write_bytes(data)
    blob = MediaBlob.objects.create(sha256=digest, size=len(data), mime_type="image/png")
    ItemMedia.objects.update(blob=blob)
    GraphicMark.objects.create(team=column.campaign.team, media_sha256=digest, reason="injuries")

    page = as_charlie.get(f"{BOARD}columns/{column.pk}/").text
    [_before, figure] = page.split('<figure class="graphic shielded"')
    assert "Graphic content" in figure and "injuries" in figure
    assert f'<img src="/t/team-a/archive/media/{digest}/"' in figure


def test_column_changes_need_the_pages_csrf_token(alice, column):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    assert client.post(f"{BOARD}columns/{column.pk}/pause/").status_code == 403
    assert client.post(f"{BOARD}columns/{column.pk}/read/").status_code == 403
    column.refresh_from_db()
    assert not column.paused


def test_the_campaign_page_links_its_board(as_charlie, campaign_a):
    page = as_charlie.get(f"/t/team-a/campaigns/{campaign_a.slug}/").text
    assert f'href="{BOARD}?campaign={campaign_a.slug}"' in page
