"""In a real browser: a held dead-man statement is read by its holder and the owners only."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from houseboat.connectors.services import own_site_channel
from houseboat.core.models import Membership
from houseboat.publishing import deadman
from tests.browser.test_demo_flow import assert_stayed_home, sign_in
from tests.browser.test_review_and_waiting import snapshot

pytestmark = pytest.mark.browser

CHARLIES = "If you read this, Charlie was taken at the Harbour checkpoint"


def prepare(user, team, campaign, name: str, text: str):
    membership = Membership.objects.get(user=user, team=team)
    statements = deadman.Statements(
        name=name,
        text=text,
        channels=[own_site_channel(campaign)],
        texts={},
        check_in_every=timedelta(hours=72),
        warn_before=timedelta(hours=24),
        campaign=campaign,
    )
    switch = deadman.prepare(membership, statements)
    deadman.submit(membership, switch)
    return switch


@pytest.fixture
def switches(alice, bob, charlie, team_a, campaign_a):
    charlies = prepare(charlie, team_a, campaign_a, "If Charlie is taken", CHARLIES)
    bobs = prepare(bob, team_a, campaign_a, "If Bob is detained", "Bob is detained.")
    return charlies, bobs


def test_an_editor_sees_only_their_own_switch_and_who_approves_it(visit, switches):
    charlies, bobs = switches
    page = visit.page
    sign_in(visit, "bob")

    page.goto(visit.url("/t/team-a/publish/deadman/"))
    expect(page.locator("main")).to_contain_text("shown only to its holder and the team's owners")
    expect(page.get_by_role("link", name="If Bob is detained")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("If Charlie is taken")
    snapshot(page, "deadman-editor-list")

    page.goto(visit.url(f"/t/team-a/publish/deadman/{bobs.pk}/"))
    expect(page.locator("main")).to_contain_text(
        "Only alice, the team's only owner, can approve these statements"
    )
    expect(page.get_by_role("button", name="Approve the statements")).to_have_count(0)
    snapshot(page, "deadman-editor-own")
    assert_stayed_home(visit)

    # Last, because the browser logs the 404 it is meant to get as a console error.
    response = page.goto(visit.url(f"/t/team-a/publish/deadman/{charlies.pk}/"))
    assert response.status == 404
    expect(page.locator("body")).not_to_contain_text(CHARLIES)


def test_the_owner_reads_a_members_statement_and_approves_it(visit, switches):
    page = visit.page
    sign_in(visit, "alice")

    expect(page.locator("section.waiting")).to_contain_text(
        "2 dead-man switches wait for your approval"
    )
    snapshot(page, "deadman-owner-home")
    page.goto(visit.url("/t/team-a/publish/deadman/"))
    expect(page.get_by_role("link", name="If Charlie is taken")).to_be_visible()
    snapshot(page, "deadman-owner-list")
    page.get_by_role("link", name="If Charlie is taken").click()
    expect(page.locator("blockquote")).to_contain_text(CHARLIES)
    snapshot(page, "deadman-owner-detail")

    page.get_by_role("button", name="Approve the statements").click()

    expect(page.locator("main")).to_contain_text("Approved by alice")
    assert_stayed_home(visit)
