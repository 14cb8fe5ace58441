"""In a real browser: the approver is told what waits, and reads the risk review first."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from houseboat.core.models import Membership
from houseboat.publishing import services
from houseboat.safety.models import Alert, DoNotName
from tests.browser.test_demo_flow import assert_stayed_home, sign_in

pytestmark = pytest.mark.browser

TEXT = "Vigil at 12 Harbour Street on Friday. Call +44 20 7946 0958. Amina Yusuf will speak."


def snapshot(page, name: str) -> None:
    """Keep a screenshot for a person to look at, when HOUSEBOAT_SCREENSHOTS names a folder."""
    if folder := os.environ.get("HOUSEBOAT_SCREENSHOTS"):
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


@pytest.fixture
def waiting(charlie, campaign_a, team_a, bob):
    charlie_member = Membership.objects.get(user=charlie, team=team_a)
    DoNotName.objects.create(team=team_a, name="Amina Yusuf", note="her brother is detained")
    post = services.create_post(membership=charlie_member, campaign=campaign_a, text=TEXT)
    services.submit(charlie_member, post)
    Alert.objects.create(team=team_a, campaign=campaign_a, network="x", remote_id="1")
    return post


def test_an_editor_sees_what_waits_and_the_risk_review_before_approving(visit, waiting):
    page = visit.page
    sign_in(visit, "bob")

    expect(page).to_have_url(re.compile(r"/t/team-a/"))
    box = page.locator("section.waiting")
    expect(box).to_contain_text("1 post waits for your approval")
    expect(box).to_contain_text("1 safety alert is open")
    expect(page.locator("nav.sidebar .nav-count")).to_have_count(2)
    snapshot(page, "home-with-waiting")

    box.get_by_role("link", name="1 post waits for your approval").click()
    expect(page).to_have_url(re.compile(r"/publish/review/$"))
    risks = page.locator(".review-risks .risk")
    expect(risks).to_have_count(3)  # the phone number, the address, the listed name
    expect(page.locator(".review-risks")).to_contain_text("her brother is detained")
    approve = page.get_by_role("button", name="Approve and schedule")
    assert risks.last.bounding_box()["y"] < approve.bounding_box()["y"]
    snapshot(page, "review-with-risks")
    assert_stayed_home(visit)


def test_a_member_gives_an_address_for_notices_on_their_security_page(visit, bob):
    page = visit.page
    sign_in(visit, "bob")
    page.goto(visit.url("/account/security/"))

    form = page.locator("#notices")
    expect(form).to_contain_text("only that something waits")
    form.get_by_label("E-mail address for notices").fill("bob@example.org")
    form.get_by_role("button", name="Save").click()

    expect(page.locator(".messages")).to_contain_text("never what")
    expect(page.get_by_label("E-mail address for notices")).to_have_value("bob@example.org")
    snapshot(page, "security-notices")
    assert_stayed_home(visit)
