"""The region editor in a real browser: a box drawn by mouse is saved and blurred."""

import re

import pytest
from playwright.sync_api import expect

from houseboat.publishing.models import Attachment
from tests.browser.conftest import live_server, visit  # noqa: F401  (the browser fixtures)
from tests.conftest import PASSWORD
from tests.safety.test_regions import attach, draft

pytestmark = pytest.mark.browser


@pytest.fixture
def picture(bob, campaign_a, tmp_path) -> Attachment:
    return attach(bob, draft(bob, campaign_a), tmp_path)


def test_a_box_drawn_by_mouse_is_saved_and_counted(visit, picture):  # noqa: F811
    page = visit.page
    page.set_viewport_size({"width": 1280, "height": 1400})  # the whole picture on screen
    page.goto(visit.url("/login/"))
    page.get_by_label("Username").fill("bob")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(visit.url(f"/t/team-a/safety/pictures/{picture.pk}/faces/"))

    count = page.locator("#region-count")
    expect(count).to_have_text("1 box")
    overlay = page.locator("#region-overlay")
    expect(overlay.locator("rect")).to_have_count(1)
    expect(page.locator("#region-stage.drawable")).to_be_visible()  # the script is ready
    box = overlay.bounding_box()
    scale = box["width"] / 512

    # Over the suit and flag, lower right: no face there, so the finder drew nothing.
    page.mouse.move(box["x"] + 380 * scale, box["y"] + 330 * scale)
    page.mouse.down()
    page.mouse.move(box["x"] + 430 * scale, box["y"] + 380 * scale, steps=5)
    page.mouse.move(box["x"] + 480 * scale, box["y"] + 430 * scale, steps=5)
    page.mouse.up()

    expect(overlay.locator("rect")).to_have_count(2)
    expect(count).to_have_text("2 boxes")
    expect(page.locator(".region-row")).to_have_count(2)
    expect(page.locator(".region-row").nth(1)).to_contain_text("drawn by a person")

    page.get_by_role("button", name="Save and blur the boxes").click()

    expect(page.locator(".messages")).to_contain_text(re.compile("Saved. 2 box"))
    expect(count).to_have_text("2 boxes")
    expect(page.locator("#region-overlay rect.hand")).to_have_count(1)
    assert not visit.console_errors, visit.console_errors
