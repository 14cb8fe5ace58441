"""The RSS/Atom connector against real-shaped feed documents in tests/fixtures/rss/."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import respx

from houseboat.connectors.base import (
    NetworkUnreachable,
    NotSupported,
    PermissionMissing,
    RateLimited,
    Source,
    UnexpectedResponse,
)
from houseboat.connectors.rss.connector import SEEN_CAP, RssConnector
from tests.connectors.replay import FIXTURES, assert_sent, load, transport

FEED = "https://gazette.example.org/rights/feed/"


def fixture(name: str) -> dict[str, Any]:
    return load("rss", name)


def answer(recorded: dict[str, Any]) -> httpx.Response:
    """The recorded answer, its body read as bytes from the feed file beside it."""
    response = recorded["response"]
    body = b""
    if response.get("body_file"):
        body = (FIXTURES / "rss" / response["body_file"]).read_bytes()
    return httpx.Response(response["status"], headers=response["headers"], content=body)


def serve(router: respx.Router, *recorded: dict[str, Any]) -> respx.Route:
    """Answer GETs of the first fixture's URL with each fixture in turn (the last repeats)."""
    url = recorded[0]["request"]["url"]
    answers = [answer(item) for item in recorded]
    answers += [answers[-1]] * 5
    return router.get(url).mock(side_effect=answers)


@pytest.fixture
def router() -> respx.Router:
    return respx.Router(assert_all_called=False)


def connect(router: respx.Router, url: str = FEED, **config: Any) -> RssConnector:
    connector = RssConnector(
        config={"feed_url": url, **config}, secrets={}, transport=transport(router)
    )
    connector.sleeps = []  # type: ignore[attr-defined]
    connector.sleep = connector.sleeps.append  # type: ignore[attr-defined, method-assign]
    return connector


def read(connector: RssConnector, cursor: str | None = None):
    return connector.read(Source("feed"), cursor)


# --- reading -------------------------------------------------------------------------------


def test_the_first_read_returns_every_entry_as_plain_text_with_its_details(router):
    got = serve(router, fixture("rss20"))

    page = read(connect(router))

    assert_sent(got.calls.last.request, fixture("rss20"))
    assert "If-None-Match" not in got.calls.last.request.headers
    first, second = page.items
    assert first.network == "rss"
    assert first.remote_id == "https://gazette.example.org/?p=4812"
    assert first.text == (
        "Court hears appeal of the Riverside Ten\n\n"
        "The appeal of ten journalists detained in Riverside opened on Tuesday. "
        "Read our coverage & the joint statement."
    )
    assert first.created_at == datetime(2026, 3, 10, 7, 15, tzinfo=UTC)  # +0100 made UTC
    assert first.author.display_name == "Amina Haddad"
    assert first.url == "https://gazette.example.org/rights/2026/03/10/riverside-ten-appeal/"
    assert first.language == "en-gb"
    assert first.links == [
        "https://gazette.example.org/rights/tag/riverside-ten/",
        "https://rights.example.net/statement",
    ]
    assert [(m.url, m.kind) for m in first.media] == [
        ("https://gazette.example.org/media/court-steps.jpg", "image")
    ]
    assert json.loads(json.dumps(first.raw))["published_parsed"] == "2026-03-10T07:15:00+00:00"
    assert (
        second.text == "Editorial: The right to report\n\nNobody should go to prison for reporting."
    )
    assert [(m.url, m.kind) for m in second.media] == [
        ("https://gazette.example.org/media/podcast-0309.mp3", "audio")
    ]


def test_a_second_read_of_the_same_feed_returns_nothing_new(router):
    feed = copy.deepcopy(fixture("rss20"))
    feed["response"]["headers"] = {"Content-Type": "application/rss+xml"}  # no validators
    serve(router, feed, feed)
    connector = connect(router)

    first = read(connector)
    second = read(connector, first.cursor)

    assert len(first.items) == 2
    assert second.items == []


def test_a_feed_with_one_new_entry_returns_exactly_that_one(router):
    serve(router, fixture("rss20"), fixture("rss20_next"))
    connector = connect(router)

    first = read(connector)
    second = read(connector, first.cursor)

    assert [item.remote_id for item in second.items] == ["https://gazette.example.org/?p=4820"]
    assert second.items[0].text.startswith("Verdict expected on Friday")
    assert json.loads(second.cursor)["etag"] == '"5f2a-62f0c4d8"'


def test_an_unchanged_feed_answers_304_and_the_cursor_stays(router):
    got = serve(router, fixture("rss20"), fixture("not_modified"))
    connector = connect(router)

    first = read(connector)
    second = read(connector, first.cursor)

    assert_sent(got.calls.last.request, fixture("not_modified"))
    assert second.items == []
    assert second.cursor == first.cursor


@pytest.mark.parametrize(
    ("scenario", "count", "first_id", "language", "title"),
    [
        (
            "rss10",
            2,
            "https://watch.example.net/bulletin/2026-10/",
            "fr",
            "Bulletin 10 : les détenus de Riverside",
        ),
        (
            "atom10",
            2,
            "urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a",
            "ar",
            "الإفراج عن صحفيين اثنين",
        ),
        (
            "atom03",
            1,
            "tag:olddesk.example.com,2026:/2026/03/hearing",
            "en",
            "Notes from the hearing",
        ),
        (
            "rss091",
            2,
            "https://solidarity.example.org/notices/vigil",
            "en-us",
            "Vigil on Friday at 18:00",
        ),
        (
            "latin1",
            1,
            "https://cote.example.fr/2026/03/proces",
            "fr-fr",
            "Procès à Rivière : « libérez-les » réclament les défenseurs",
        ),
    ],
)
def test_every_feed_format_is_read(router, scenario, count, first_id, language, title):
    recorded = fixture(scenario)
    serve(router, recorded)

    page = read(connect(router, recorded["request"]["url"]))

    assert len(page.items) == count
    assert page.items[0].remote_id == first_id
    assert page.items[0].language == language
    assert page.items[0].text.split("\n\n")[0] == title


def test_rss_1_0_dates_and_creators_come_from_dublin_core(router):
    serve(router, fixture("rss10"))

    item = read(connect(router, fixture("rss10")["request"]["url"])).items[0]

    assert item.created_at == datetime(2026, 3, 6, 9, 0, tzinfo=UTC)
    assert item.author.display_name == "Camille Martin"


def test_atom_html_summaries_are_stripped_and_enclosures_kept(router):
    serve(router, fixture("atom10"))

    first, second = read(connect(router, fixture("atom10")["request"]["url"])).items

    assert first.text == "الإفراج عن صحفيين اثنين\n\nأفرجت السلطات عن صحفيين اثنين من العشرة."
    assert first.author.url == "https://marsad.example.org/authors/layla"
    assert first.created_at == datetime(2026, 3, 10, 8, 30, tzinfo=UTC)
    assert [(m.url, m.kind) for m in first.media] == [
        ("https://marsad.example.org/img/release.png", "image")
    ]
    # No author on the entry: the publication itself is the author.
    assert second.author.display_name == "مرصد الحريات"
    assert second.created_at == datetime(2026, 3, 8, 9, 0, tzinfo=UTC)


def test_a_feed_without_dates_or_ids_still_returns_only_new_entries(router):
    recorded = fixture("rss091")
    serve(router, recorded)
    connector = connect(router, recorded["request"]["url"])

    first = read(connector)
    second = read(connector, first.cursor)

    vigil, letters = first.items
    assert vigil.created_at is None
    assert vigil.remote_id == "https://solidarity.example.org/notices/vigil"  # the link
    assert letters.remote_id.startswith("sha256:")  # neither id nor link
    assert second.items == []


def test_a_latin_1_feed_is_decoded_by_its_xml_declaration(router):
    serve(router, fixture("latin1"))

    item = read(connect(router, fixture("latin1")["request"]["url"])).items[0]

    assert "défenseurs des droits exigent la libération" in item.text


def test_a_truncated_feed_keeps_its_whole_entries_and_drops_the_cut_one(router):
    truncated = copy.deepcopy(fixture("truncated"))
    truncated["response"]["headers"]["ETag"] = '"cut"'
    serve(router, truncated, fixture("rss20"))
    connector = connect(router)

    first = read(connector)
    second = read(connector, first.cursor)

    assert [item.remote_id for item in first.items] == ["https://gazette.example.org/?p=4812"]
    # The cut download's ETag is not kept, so the whole feed is asked for again...
    assert json.loads(first.cursor)["etag"] == ""
    # ...and the entry that was cut off arrives once, whole.
    assert [item.remote_id for item in second.items] == ["https://gazette.example.org/?p=4807"]


def test_a_web_page_instead_of_a_feed_names_the_feed_it_advertises(router):
    recorded = fixture("html_page")
    serve(router, recorded)

    with pytest.raises(UnexpectedResponse) as caught:
        read(connect(router, recorded["request"]["url"]))

    assert "is a web page, not a feed" in caught.value.message
    assert "https://gazette.example.org/rights/feed/" in caught.value.message
    assert caught.value.reason  # feedparser's own words
    assert caught.value.permanent


def test_something_that_is_not_a_feed_is_unexpected_with_feedparsers_reason(router):
    router.get(FEED).mock(
        return_value=httpx.Response(
            200, headers={"Content-Type": "application/xml"}, content=b"<?xml version='1.0'?><oops"
        )
    )

    with pytest.raises(UnexpectedResponse) as caught:
        read(connect(router))

    assert "not RSS or Atom" in caught.value.message
    assert "line" in caught.value.reason


def test_a_body_that_looks_like_a_file_name_is_not_opened_as_one(router, tmp_path):
    secret = tmp_path / "local.xml"
    secret.write_bytes((FIXTURES / "rss" / "rss20_cdata.xml").read_bytes())
    router.get(FEED).mock(return_value=httpx.Response(200, content=str(secret).encode()))

    with pytest.raises(UnexpectedResponse):
        read(connect(router))


def test_relative_links_resolve_against_the_feed_address(router):
    body = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>/</link>'
        b"<item><title>A</title><link>/a</link></item></channel></rss>"
    )
    router.get(FEED).mock(return_value=httpx.Response(200, content=body))

    item = read(connect(router)).items[0]

    assert item.url == "https://gazette.example.org/a"


def test_the_cursor_remembers_at_most_500_ids(router):
    items = "".join(
        f"<item><title>N{n}</title><guid>urn:n:{n}</guid></item>" for n in range(SEEN_CAP + 100)
    )
    body = f'<rss version="2.0"><channel><title>T</title>{items}</channel></rss>'.encode()
    router.get(FEED).mock(return_value=httpx.Response(200, content=body))

    page = read(connect(router))

    assert len(page.items) == SEEN_CAP + 100
    assert len(json.loads(page.cursor)["seen"]) == SEEN_CAP


def test_a_cursor_that_cannot_be_read_starts_afresh(router):
    serve(router, fixture("rss20"))

    page = read(connect(router), "not json at all")

    assert len(page.items) == 2


def test_only_feeds_can_be_read(router):
    with pytest.raises(NotSupported):
        connect(router).read(Source("hashtag", "Riverside"), None)


# --- fetching -------------------------------------------------------------------------------


def test_a_moved_feed_is_followed_and_check_says_where_it_went(router):
    old = "http://gazette.example.org/feed"
    router.get(old).mock(return_value=httpx.Response(301, headers={"Location": FEED}))
    serve(router, fixture("rss20"))

    account = connect(router, old).check()

    assert account.remote_id == old
    assert account.handle == "Harbour Gazette — Rights & Justice"
    assert account.url == "https://gazette.example.org/rights/"
    assert any(f"moved to {FEED}" in note for note in account.notes)


def test_check_reports_the_feed_title_and_link(router):
    serve(router, fixture("rss20"))

    account = connect(router).check()

    assert account.remote_id == FEED
    assert account.display_name == "Harbour Gazette — Rights & Justice"
    assert account.permissions == ["read"]


def test_endless_redirects_give_up(router):
    router.get(FEED).mock(return_value=httpx.Response(302, headers={"Location": FEED}))

    with pytest.raises(UnexpectedResponse, match="redirects too often"):
        read(connect(router))


def test_a_redirect_away_from_the_web_is_refused(router):
    router.get(FEED).mock(
        return_value=httpx.Response(302, headers={"Location": "file:///etc/passwd"})
    )

    with pytest.raises(UnexpectedResponse, match="not a web address"):
        read(connect(router))


def test_a_missing_feed_says_to_check_the_address(router):
    router.get(FEED).mock(return_value=httpx.Response(404))

    with pytest.raises(UnexpectedResponse, match="no feed at") as caught:
        read(connect(router))

    assert caught.value.permanent


def test_a_feed_behind_a_login_is_permission_missing(router):
    router.get(FEED).mock(return_value=httpx.Response(403))

    with pytest.raises(PermissionMissing, match="public feeds only"):
        read(connect(router))


def test_a_short_rate_limit_is_waited_out(router):
    router.get(FEED).mock(
        side_effect=[httpx.Response(429, headers={"Retry-After": "2"}), answer(fixture("rss20"))]
    )
    connector = connect(router)

    page = read(connector)

    assert len(page.items) == 2
    assert connector.sleeps and 1 <= connector.sleeps[0] <= 2.5


def test_a_long_rate_limit_ends_in_rate_limited_with_its_time(router):
    router.get(FEED).mock(return_value=httpx.Response(429, headers={"Retry-After": "7200"}))
    before = datetime.now(UTC)

    with pytest.raises(RateLimited) as caught:
        read(connect(router))

    assert abs((caught.value.until - (before + timedelta(hours=2))).total_seconds()) < 5


def test_a_read_that_times_out_is_tried_again(router):
    got = router.get(FEED).mock(
        side_effect=[httpx.ReadTimeout("timed out"), answer(fixture("rss20"))]
    )

    page = read(connect(router))

    assert got.call_count == 2
    assert len(page.items) == 2


def test_a_server_that_cannot_be_reached_is_network_unreachable(router):
    got = router.get(FEED).mock(side_effect=httpx.ConnectError("refused"))

    with pytest.raises(NetworkUnreachable):
        read(connect(router))

    assert got.call_count == 3


def test_a_feed_on_a_private_address_is_refused_unless_allowed():
    connector = RssConnector(config={"feed_url": "http://127.0.0.1:8080/feed"}, secrets={})
    connector.sleep = lambda seconds: None

    with pytest.raises(NetworkUnreachable, match="private or local address"):
        read(connector)


def test_a_feed_address_that_is_not_http_is_refused(router):
    with pytest.raises(UnexpectedResponse, match="not a web address"):
        read(connect(router, "file:///etc/passwd"))

    assert not router.calls
