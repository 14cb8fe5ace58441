"""Right to left, in a real browser (issue 16): the composer, the archive, the Safety page
and the public page in Arabic and Persian lay out from the right, keep the punctuation
around people's names and handles where it belongs, and read counters in order.

What is checked is what a reader sees: bounding boxes of elements and of single
characters, not the markup alone.
"""

from datetime import UTC, datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from houseboat.campaigns.constants import PostStatus
from houseboat.campaigns.models import SitePost
from houseboat.connectors.base import RemoteAuthor, RemoteItem
from houseboat.listening.imports import capture_live
from houseboat.safety.models import Alert
from tests.browser.test_demo_flow import assert_stayed_home, sign_in
from tests.browser.test_review_and_waiting import snapshot

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
AMINA = RemoteAuthor("301", "amina_k", "Amina K.")
WORDS = {
    "ar": "الحرية للعشرة (@amina) اليوم 100",
    "fa": "آزادی برای ده نفر (@amina) روز 100",
}


@pytest.fixture(params=["ar", "fa"])
def language(request, alice, campaign_a):
    """Alice reads houseboat in Arabic or Persian; the public site speaks it too."""
    alice.language = request.param
    alice.save(update_fields=["language"])
    campaign_a.site_language = request.param
    campaign_a.save(update_fields=["site_language"])
    return request.param


@pytest.fixture
def archive_item(campaign_a):
    capture_live(
        campaign=campaign_a,
        items=[
            RemoteItem(
                network="x",
                remote_id="1",
                text="Proud to stand with the ten #FreeTheTen",
                created_at=datetime(2026, 11, 20, 10, 5, tzinfo=UTC),
                author=AMINA,
                url="https://x.com/i/web/status/1",
                language="en",
                raw={"id": "1"},
            )
        ],
        network="x",
        source="test",
    )


@pytest.fixture
def open_alerts(team_a, campaign_a):
    for n in range(3):
        Alert.objects.create(team=team_a, campaign=campaign_a, network="x", remote_id=str(n))


@pytest.fixture
def published(campaign_a, alice):
    SitePost.objects.create(
        campaign=campaign_a,
        title="",
        body="Day 12 of detention.",
        status=PostStatus.PUBLISHED,
        author=alice,
        published_at=timezone.now(),
    )


# --- what a reader sees ------------------------------------------------------------------


def box(locator: Locator) -> dict:
    found = locator.bounding_box()
    assert found is not None, f"{locator} is not on screen"
    return found


def char_x(locator: Locator, char: str) -> float:
    """Where on screen the first `char` inside the element is drawn (its left edge)."""
    return locator.evaluate(
        """(el, char) => {
            const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                const at = node.data.indexOf(char);
                if (at < 0) continue;
                const range = document.createRange();
                range.setStart(node, at);
                range.setEnd(node, at + char.length);
                return range.getBoundingClientRect().left;
            }
            throw new Error("no " + char + " in " + el.outerHTML);
        }""",
        char,
    )


def assert_page_is_right_to_left(page: Page, language: str) -> None:
    html = page.locator("html")
    expect(html).to_have_attribute("dir", "rtl")
    expect(html).to_have_attribute("lang", language)
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"


def assert_the_shell_is_mirrored(page: Page) -> None:
    """The navigation hugs the right edge, the page's content lies to its left, the brand
    starts the top bar at the right and the person's name stands apart from Sign out."""
    width = page.viewport_size["width"]
    nav, main = box(page.locator("nav.sidebar")), box(page.locator("main"))
    assert nav["x"] + nav["width"] == pytest.approx(width, abs=20)
    assert main["x"] + main["width"] <= nav["x"] + 1
    brand, end = box(page.locator(".brand")), box(page.locator(".topbar-end"))
    assert brand["x"] > end["x"]
    heading = box(page.locator("main h1").first)
    assert heading["x"] + heading["width"] == pytest.approx(main["x"] + main["width"], abs=40)
    who = page.locator(".topbar .who")
    # The name starts the person's links (at the right), before "Your security" and
    # "Sign out", so it belongs to neither.
    assert box(who)["x"] > box(page.locator(".topbar-end a[href='/account/security/']"))["x"]
    expect(who).to_have_text("alice")
    assert who.evaluate("el => el.tagName") == "BDI"
    sign_out = page.locator(".topbar button.link")
    assert "(" not in sign_out.inner_text() and "alice" not in sign_out.inner_text()


def assert_reads_left_to_right(locator: Locator, first: str, second: str) -> None:
    """A handle, a tag or a number pair keeps its own order inside a right-to-left line."""
    assert char_x(locator, first) < char_x(locator, second), locator.inner_html()


# --- the pages ---------------------------------------------------------------------------


def test_the_composer_reads_right_to_left_and_its_counter_in_order(visit, language, campaign_a):
    page = visit.page
    page.set_viewport_size(DESKTOP)
    sign_in(visit, "alice")
    page.goto(visit.url("/t/team-a/publish/new/"))
    assert_page_is_right_to_left(page, language)
    assert_the_shell_is_mirrored(page)

    page.locator("#id_campaign").select_option(label=campaign_a.name)
    page.locator("#id_text").fill(WORDS[language])
    fraction = page.locator(".target.site .counts .fraction").first
    expect(fraction.locator(".used")).not_to_have_text("0", timeout=10_000)

    # The used count, then the limit, as in "31 / 20000", however the page runs; the
    # pair is its own left-to-right island, at the start (right) of its line.
    assert fraction.evaluate("el => el.tagName") == "BDI"
    assert fraction.get_attribute("dir") == "ltr"
    used, limit = box(fraction.locator(".used")), box(fraction.locator(".limit"))
    assert used["x"] < limit["x"]
    line = box(page.locator(".target.site .counts .count").first)
    whole = box(fraction)
    assert whole["x"] + whole["width"] == pytest.approx(line["x"] + line["width"], abs=2)
    shown = fraction.inner_text()
    if language == "fa":  # Persian pages show Persian digits unless the person chose others
        assert all(c in PERSIAN_DIGITS + " /" for c in shown), shown
    else:
        assert all(c in "0123456789 /" for c in shown), shown
    snapshot(page, f"rtl-composer-{language}")
    assert_stayed_home(visit)


def test_the_archive_keeps_handles_and_tags_whole(visit, language, archive_item, campaign_a):
    page = visit.page
    page.set_viewport_size(DESKTOP)
    sign_in(visit, "alice")
    page.goto(visit.url(f"/t/team-a/archive/?campaign={campaign_a.slug}"))
    assert_page_is_right_to_left(page, language)
    assert_the_shell_is_mirrored(page)

    item = page.locator("article.archive-item").first
    handle = item.locator("bdi", has_text="amina_k")
    expect(handle).to_have_text("@amina_k")
    assert_reads_left_to_right(handle, "@", "amina")  # never "amina_k@"
    tag = item.locator(".tag bdi")
    expect(tag).to_have_text("#FreeTheTen")
    assert_reads_left_to_right(tag, "#", "Free")
    # Each field of the line is its own island, so the fields keep their order from the
    # right: the author, the network, the time, the language. Left bare, "Telegram",
    # "UTC" and "en" would join into one left-to-right run and swap places.
    fields = [item.locator("strong bdi"), item.locator(".network"), item.locator("time")]
    edges = [box(field)["x"] + box(field)["width"] for field in fields]
    assert edges == sorted(edges, reverse=True), edges
    assert box(item.locator("p.muted [lang=en]"))["x"] < box(fields[-1])["x"]
    when = item.locator("time")
    digits = when.inner_text()
    assert ("۲۰۲۶" in digits) if language == "fa" else ("2026" in digits)
    snapshot(page, f"rtl-archive-{language}")
    assert_stayed_home(visit)


def test_the_safety_page_counts_in_the_readers_digits(visit, language, open_alerts):
    page = visit.page
    page.set_viewport_size(DESKTOP)
    sign_in(visit, "alice")
    page.goto(visit.url("/t/team-a/safety/"))
    assert_page_is_right_to_left(page, language)
    assert_the_shell_is_mirrored(page)

    alerts = page.locator(".safety-cards .attention strong")
    expect(alerts).to_contain_text("۳" if language == "fa" else "3")
    nav_count = page.locator(".sidebar .nav-count").first
    expect(nav_count).to_be_visible()
    if language == "fa":
        assert nav_count.inner_text().strip()[0] in PERSIAN_DIGITS
    # The card's red edge marks its start: the right-hand side in right-to-left.
    card = page.locator(".safety-cards .attention")
    assert card.evaluate("el => getComputedStyle(el).borderRightWidth") == "5px"
    snapshot(page, f"rtl-safety-{language}")
    assert_stayed_home(visit)


def test_the_public_page_reads_right_to_left(visit, language, published, campaign_a):
    page = visit.page
    page.set_viewport_size(PHONE)
    page.goto(visit.url(f"/c/{campaign_a.slug}/"))
    assert_page_is_right_to_left(page, language)

    name = page.locator(".site-name bdi")
    expect(name).to_have_text(campaign_a.name)
    head, link = box(page.locator(".site-head")), box(page.locator(".site-name"))
    assert link["x"] + link["width"] == pytest.approx(head["x"] + head["width"], abs=2)
    when = page.locator("article time").first
    assert when.get_attribute("dir") == "auto"
    year = str(timezone.now().year)
    if language == "fa":
        year = year.translate(str.maketrans("0123456789", PERSIAN_DIGITS))
    expect(when).to_contain_text(year)
    snapshot(page, f"rtl-public-{language}")
    assert_stayed_home(visit)


def test_a_person_who_chose_arabic_indic_digits_sees_them_on_an_arabic_page(
    visit, alice, open_alerts
):
    alice.language, alice.digits = "ar", "arab"
    alice.save(update_fields=["language", "digits"])
    page = visit.page
    sign_in(visit, "alice")
    page.goto(visit.url("/t/team-a/safety/"))
    expect(page.locator(".safety-cards .attention strong")).to_contain_text("٣")
    assert_stayed_home(visit)
