"""The graphic shield in a real browser: blurred until chosen, counted, a break suggested."""

import re

import pytest
from playwright.sync_api import expect

from houseboat.safety.models import SafetySettings
from tests.browser.conftest import live_server, visit  # noqa: F401  (the browser fixtures)
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

SHA = "e" * 64


@pytest.fixture
def low_limit(team_a):
    return SafetySettings.objects.create(team=team_a, graphic_daily_limit=1)


def test_a_graphic_picture_is_blurred_until_chosen_then_counted_and_a_break_suggested(
    visit,  # noqa: F811
    victor,
    low_limit,
):
    page = visit.page
    page.goto(visit.url("/login/"))
    page.get_by_label("Username").fill("victor")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(visit.url("/t/team-a/safety/graphic/"))

    figure = page.locator("figure.graphic")
    picture = figure.locator("img")
    expect(figure).to_have_class(re.compile("shielded"))
    expect(picture).to_have_css("filter", re.compile("grayscale.*blur"))
    expect(page.locator("#graphic-break")).to_be_hidden()

    # The example on this page is not counted; make it stand for an archived picture.
    figure.evaluate(f"figure => figure.dataset.seenUrl = '/t/team-a/safety/graphic/seen/{SHA}/'")
    with page.expect_response(re.compile(r"/graphic/seen/")) as answer:
        figure.get_by_role("button", name=re.compile("Graphic content")).click()
    assert answer.value.status == 200
    expect(figure).not_to_have_class(re.compile("shielded"))
    expect(picture).to_have_css("filter", "none")
    expect(page.locator("#graphic-break")).to_be_visible()
    expect(page.locator("#graphic-break")).to_contain_text("take a break")

    figure.get_by_role("button", name="Hide again").click()
    expect(figure).to_have_class(re.compile("shielded"))
    assert not visit.console_errors, visit.console_errors
