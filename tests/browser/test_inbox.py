"""In a real browser: an editor gives an inbox message to a colleague and answers it."""

import re

import pytest
from playwright.sync_api import expect

from houseboat.connectors.models import Channel
from houseboat.core.models import Membership
from houseboat.inbox.filing import file_all
from houseboat.listening.imports import capture_live
from houseboat.publishing import services
from houseboat.publishing.constants import DeliveryState
from houseboat.publishing.models import Delivery
from tests.browser.test_demo_flow import assert_stayed_home, sign_in
from tests.browser.test_review_and_waiting import snapshot
from tests.inbox.conftest import item

pytestmark = pytest.mark.browser


@pytest.fixture
def inbox(team_a, campaign_a, bob, charlie, settings, tmp_path):
    settings.HOUSEBOAT_ARCHIVE_DIR = tmp_path / "archive"
    channel = Channel.objects.create(
        team=team_a,
        network="mastodon",
        name="Mastodon — main",
        config={"base_url": "https://social.example"},
        account_handle="@freetheten@social.example",
        status="ok",
    )
    editor = Membership.objects.get(user=bob)
    post = services.create_post(
        membership=editor,
        campaign=campaign_a,
        text="Vigil on Friday",
        channels=[channel],
        own_site=False,
    )
    services.schedule(editor, post)
    Delivery.objects.filter(variant__post=post).update(
        state=DeliveryState.SENT,
        remote_id="1001",
        remote_url="https://social.example/@freetheten/1001",
    )
    capture_live(
        campaign=campaign_a,
        items=[item("2001", "@freetheten Where exactly on Friday?", reply_to_id="1001")],
        network="mastodon",
        source="test",
    )
    file_all(campaign_a)
    return campaign_a


def test_an_editor_assigns_a_message_and_replies_to_it(visit, inbox):
    page = visit.page
    sign_in(visit, "bob")
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name=re.compile("Inbox")
    ).click()

    expect(page).to_have_url(re.compile(r"/t/team-a/inbox/"))
    entry = page.locator("article.inbox-entry").first
    expect(entry).to_contain_text("Where exactly on Friday?")
    expect(entry.locator(".inbox-context")).to_contain_text("Vigil on Friday")

    entry.get_by_label("Give to").select_option(label="charlie")
    entry.get_by_role("button", name="Assign").click()
    expect(page.locator(".messages")).to_contain_text("Given to charlie")
    entry = page.locator("article.inbox-entry").first
    expect(entry).to_contain_text("Given to charlie")

    entry.locator("summary", has_text="Reply").click()
    entry.get_by_label("Your reply, on Mastodon").fill("At the ministry steps, 6 pm.")
    snapshot(page, "inbox-reply-open")
    entry.get_by_role("button", name="Send reply").click()

    expect(page.locator(".messages")).to_contain_text("Reply queued")
    entry = page.locator("article.inbox-entry").first
    expect(entry.locator(".inbox-reply-status")).to_contain_text("Reply queued")
    snapshot(page, "inbox-after-reply")
    assert_stayed_home(visit)
