"""The first ten minutes of an owner, in a real browser against a real server.

Sign in, see the campaigns, create one, put its public page on, publish a post, and
read the public page and its feed as a visitor would. Along the way: the strict CSP
holds (the browser reports no violation) and nothing is fetched from any host but
the server itself.
"""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def sign_in(visit, username: str) -> None:
    page = visit.page
    page.goto(visit.url("/"))
    expect(page).to_have_url(re.compile(r"/login/"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def assert_stayed_home(visit) -> None:
    """Every request went to the server on 127.0.0.1, and the CSP was never violated."""
    hosts = {urlsplit(url).hostname for url in visit.requests}
    assert hosts == {"127.0.0.1"}, f"requests left the server: {visit.requests}"
    # Chromium asks for /favicon.ico on documents with no icon link, such as the raw feed.
    errors = [error for error in visit.console_errors if "/favicon.ico)" not in error]
    assert not errors, errors


def test_owner_launches_a_campaign_with_its_public_page_and_feed(visit, alice, campaign_a):
    page = visit.page
    sign_in(visit, "alice")

    # Alice is in one team, so she lands straight on its campaigns.
    expect(page).to_have_url(visit.url("/t/team-a/"))
    expect(page.get_by_role("heading", name="Campaigns")).to_be_visible()
    expect(page.get_by_role("link", name="Free the Ten")).to_be_visible()

    page.get_by_role("link", name="New campaign").click()
    page.get_by_label("Name").fill("Justice for Nadia")
    page.get_by_label("Public summary").fill("Nadia Haddad was arrested at a peaceful vigil.")
    page.get_by_label("Goals").fill("Nadia released\nCharges dropped")
    page.get_by_label("Hashtags").fill("#JusticeForNadia #FreeNadia")
    page.get_by_label("Key messages").fill("Internal line: never say her street")
    page.get_by_role("button", name="Save").click()

    expect(page).to_have_url(visit.url("/t/team-a/campaigns/justice-for-nadia/"))
    expect(page.get_by_text("Campaign created.")).to_be_visible()
    expect(page.get_by_text("#FreeNadia")).to_be_visible()
    expect(page.get_by_text("Not public yet.")).to_be_visible()

    # Until the owner turns it on, the public address answers like any unknown page.
    response = page.goto(visit.url("/c/justice-for-nadia/"))
    assert response.status == 404
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    assert len(visit.console_errors) == 1 and "404" in visit.console_errors[0]
    visit.console_errors.clear()  # The browser logs the 404 this test asked for.

    page.goto(visit.url("/t/team-a/campaigns/justice-for-nadia/"))
    page.get_by_role("link", name="Edit campaign").click()
    page.get_by_label("Public page is on").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Public: anyone can read the page")).to_be_visible()

    page.get_by_role("link", name="Write an article").click()
    page.get_by_label("Title").fill("Day 1: Nadia is held without charge")
    page.get_by_label("Text").fill("Write to the prosecutor today.")
    page.get_by_role("button", name="Publish now").click()
    expect(page.get_by_text("Published on the campaign's own site.")).to_be_visible()

    page.get_by_role("link", name="Open public page").click()
    expect(page).to_have_url(visit.url("/c/justice-for-nadia/"))
    expect(page.get_by_role("heading", name="Justice for Nadia", level=1)).to_be_visible()
    expect(page.get_by_text("Nadia Haddad was arrested at a peaceful vigil.")).to_be_visible()
    expect(page.get_by_role("link", name="Day 1: Nadia is held without charge")).to_be_visible()
    # The public page shows what the team chose to publish, and nothing about the team.
    public_text = page.locator("body").inner_text()
    for private in ("Internal line", "alice", "Team A", "Nadia released"):
        assert private not in public_text

    page.get_by_role("link", name="Day 1: Nadia is held without charge").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Day 1: Nadia is held without charge")
    expect(page.get_by_text("Write to the prosecutor today.")).to_be_visible()

    feed = page.goto(visit.url("/c/justice-for-nadia/feed.atom"))
    assert feed.status == 200
    assert feed.headers["content-type"].startswith("application/atom+xml")
    assert "<title>Day 1: Nadia is held without charge</title>" in feed.text()

    assert_stayed_home(visit)


def test_pages_carry_a_strict_csp_that_the_browser_enforces(visit, alice):
    page = visit.page
    sign_in(visit, "alice")
    expect(page.get_by_role("heading", name="Campaigns")).to_be_visible()
    response = page.reload()
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp

    # A script smuggled into the page (as a stored XSS would) does not run, and the
    # browser reports it: the console watch of the other browser tests would catch it.
    page.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "window.smuggled = true";
            document.body.append(script);
        }"""
    )
    assert page.evaluate("() => window.smuggled") is None
    assert any("Content Security Policy" in error for error in visit.console_errors)
