"""In a real browser: an editor takes a sent post down and watches the results arrive."""

import re
import threading

import pytest
import respx
from django.db import connection
from playwright.sync_api import expect

from houseboat.core.models import Membership
from houseboat.publishing import dispatch, services, takedown
from tests.browser.test_demo_flow import assert_stayed_home, sign_in
from tests.browser.test_review_and_waiting import snapshot
from tests.connectors.replay import transport

pytestmark = pytest.mark.browser


@pytest.fixture
def sent(bob, team_a, campaign_a):
    """A post that went out on the campaign's own site."""
    member = Membership.objects.get(user=bob, team=team_a)
    post = services.create_post(
        membership=member, campaign=campaign_a, text="The witness list, sent by mistake"
    )
    services.schedule(member, post)
    dispatch.dispatch("sender", transport=transport(respx.Router()))
    return post


def in_a_worker_thread(step) -> None:
    """Run a worker step as the worker would, off the browser's thread (Django refuses
    queries from a thread where Playwright keeps an event loop running)."""

    def run() -> None:
        try:
            step()
        finally:
            connection.close()

    worker = threading.Thread(target=run)
    worker.start()
    worker.join()


def test_an_editor_takes_a_post_down_and_the_results_update_by_themselves(visit, sent):
    page = visit.page
    sign_in(visit, "bob")
    page.goto(visit.url("/t/team-a/publish/?show=sent"))
    page.get_by_role("link", name="Take down everywhere").click()

    expect(page.locator("h2", has_text="What will happen")).to_be_visible()
    expect(page.get_by_text("Removed from the page and the feed")).to_be_visible()
    snapshot(page, "takedown-confirm")
    page.get_by_role("button", name="Yes, take it down everywhere").click()

    results = page.locator("#takedown-results")
    expect(results).to_contain_text("Taking it down…")
    expect(results).to_contain_text("Waiting for the worker")
    in_a_worker_thread(lambda: takedown.takedown_due("worker-1"))

    # No reload: the results ask again every 2 seconds until every channel settled.
    expect(results).to_contain_text("Taken down", timeout=15_000)
    expect(results.locator("h2")).to_have_text("Results")
    expect(page).to_have_url(re.compile(r"/takedown/$"))
    snapshot(page, "takedown-results")
    assert_stayed_home(visit)
