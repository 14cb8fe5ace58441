"""The Matrix connector against replayed Client-Server API answers (spec.matrix.org).

The same behaviours run against a real Synapse in tests/realservers/; here each
answer the spec describes, errors included, is replayed exactly.
"""

from __future__ import annotations

import copy
import html
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from houseboat.connectors.base import (
    AuthRevoked,
    MediaFile,
    NotSupported,
    OutcomeUnknown,
    OutgoingPost,
    PayloadRejected,
    PermissionMissing,
    Published,
    RateLimited,
    Source,
)
from houseboat.connectors.matrix.connector import MatrixConnector, normalise_homeserver
from houseboat.connectors.matrix.events import event_item, formatted_body, text_content
from tests.connectors.replay import assert_sent, load, response_for, route, transport

HS = "https://matrix.example.org"
ROOM_ID = "!636q39766251:example.org"
USER = "@desk:example.org"
TOKEN = "syt_ZGVzaw_aBcDeFgHiJkLmNoPqRsT_4d5e6f"
PASSWORD = "correct horse battery staple"
KEY = "0b5b1a8e-delivery"
SEND = f"{HS}/_matrix/client/v3/rooms/{ROOM_ID}/send/m.room.message/"


def fixture(name: str) -> dict[str, Any]:
    return load("matrix", name)


@pytest.fixture
def router() -> respx.Router:
    return respx.Router(assert_all_called=False)


def connect(router: respx.Router, secrets: dict | None = None, **config: Any) -> MatrixConnector:
    saved: list[dict] = []
    connector = MatrixConnector(
        config={"homeserver_url": HS, "room": "#campaign:example.org", **config},
        secrets={"access_token": TOKEN} if secrets is None else secrets,
        save_secrets=saved.append,
        transport=transport(router),
    )
    connector.saved = saved  # type: ignore[attr-defined]
    connector.sleeps = []  # type: ignore[attr-defined]
    connector.sleep = connector.sleeps.append  # type: ignore[attr-defined, method-assign]
    return connector


def checks(router: respx.Router, member: str = "member_join", levels: str = "power_levels"):
    return {
        name: route(router, fixture(name))
        for name in ("whoami", "directory_room", member, levels, "media_config")
    }


def post(text: str = "Hello", key: str = KEY, **kwargs: Any) -> OutgoingPost:
    return OutgoingPost(text=text, idempotency_key=key, **kwargs)


def sent_json(call: Any) -> dict[str, Any]:
    return json.loads(call.request.content)


def send_route(router: respx.Router, part: int, event_id: str) -> respx.Route:
    return router.put(f"{SEND}houseboat.{KEY}.{part}").mock(
        return_value=httpx.Response(200, json={"event_id": event_id})
    )


# --- check -------------------------------------------------------------------------------


def test_check_names_the_account_the_room_and_what_its_power_level_allows(router):
    routes = checks(router)

    account = connect(router).check()

    for name, matched in routes.items():
        assert_sent(matched.calls.last.request, fixture(name))
    assert account.handle == USER and account.remote_id == USER
    assert account.url == "https://matrix.to/#/@desk:example.org"
    assert set(account.permissions) == {"read", "publish", "delete"}
    assert account.notes == [f"Posts to #campaign:example.org ({ROOM_ID})."]
    assert account.limits == {"media": {"max_bytes": 20971520}}


def test_check_says_a_room_admin_must_raise_the_power_level_in_an_announcement_room(router):
    checks(router, levels="power_levels_announcements")

    account = connect(router).check()

    assert account.permissions == ["read"]
    assert any("power level in the room is 0, and posting needs 50" in n for n in account.notes)
    assert any("taking a post down must be done by a room moderator" in n for n in account.notes)


def test_check_tells_an_invited_account_to_accept_the_invitation(router):
    checks(router, member="member_invite")

    account = connect(router).check()

    assert account.permissions == []
    assert any("invited to the room but has not joined" in note for note in account.notes)


def test_an_unknown_room_address_is_named_in_the_error(router):
    route(router, fixture("whoami"))
    route(router, fixture("directory_not_found"))

    with pytest.raises(PayloadRejected, match=re.escape("no room #campaign:example.org")) as caught:
        connect(router).check()

    assert "M_NOT_FOUND" in str(caught.value)


def test_a_password_signs_in_once_keeps_the_token_and_device_and_forgets_the_password(router):
    login = route(router, fixture("login"))
    routes = checks(router)
    connector = connect(router, {"password": PASSWORD}, user_id=USER)

    connector.check()

    assert_sent(login.calls.last.request, fixture("login"))
    token = fixture("login")["response"]["json"]["access_token"]
    assert routes["whoami"].calls.last.request.headers["Authorization"] == f"Bearer {token}"
    assert connector.saved[-1] == {"access_token": token, "device_id": "GHTYAJCE", "password": ""}
    assert login.call_count == 1


def test_signing_in_again_asks_for_the_device_already_held(router):
    login = route(router, fixture("login"))
    checks(router)
    connector = connect(router, {"password": PASSWORD, "device_id": "GHTYAJCE"}, user_id=USER)

    connector.check()

    assert sent_json(login.calls.last)["device_id"] == "GHTYAJCE"


def test_a_wrong_password_says_so_and_never_repeats_it(router):
    route(router, fixture("login_forbidden"))
    connector = connect(router, {"password": PASSWORD}, user_id=USER)

    with pytest.raises(
        AuthRevoked, match=re.escape("refused the password for @desk:example.org")
    ) as caught:
        connector.check()

    assert PASSWORD not in str(caught.value)
    assert connector.saved == []


def test_a_channel_with_neither_token_nor_password_asks_for_one(router):
    with pytest.raises(AuthRevoked, match="no access token and no password"):
        connect(router, {}).check()


def test_a_password_without_the_user_id_asks_for_the_user_id(router):
    with pytest.raises(AuthRevoked, match="needs the account's user id"):
        connect(router, {"password": PASSWORD}).check()


def test_a_logged_out_token_asks_for_reconnecting(router):
    route(router, fixture("error_unknown_token"))

    with pytest.raises(AuthRevoked, match="Reconnect the channel") as caught:
        connect(router).check()

    assert "M_UNKNOWN_TOKEN" in caught.value.reason


def test_a_refused_token_is_replaced_by_signing_in_while_the_password_is_held(router):
    refused = response_for(fixture("error_unknown_token"))
    whoami = router.get(f"{HS}/_matrix/client/v3/account/whoami").mock(
        side_effect=[refused, response_for(fixture("whoami"))]
    )
    route(router, fixture("login"))
    for name in ("directory_room", "member_join", "power_levels", "media_config"):
        route(router, fixture(name))
    connector = connect(router, {"access_token": "syt_stale", "password": PASSWORD}, user_id=USER)

    assert connector.check().handle == USER
    assert whoami.call_count == 2
    assert connector.secrets["password"] == ""


def test_the_homeserver_address_takes_https_and_refuses_other_schemes(router):
    assert normalise_homeserver(" matrix.example.org/ ") == "https://matrix.example.org"
    with pytest.raises(Exception, match="not an http"):
        connect(router, homeserver_url="ftp://matrix.example.org").check()


# --- publish -----------------------------------------------------------------------------


def test_a_post_goes_out_with_its_html_form_under_a_transaction_id_from_the_delivery(router):
    route(router, fixture("directory_room"))
    sent = route(router, fixture("send_message"))
    text = "Free the Ten <script>x</script> & https://example.org/ten\nwith @amal:example.org"

    published = connect(router).publish(post(text))

    assert_sent(sent.calls.last.request, {**fixture("send_message"), "request": {
        **fixture("send_message")["request"],
        "json": {
            "msgtype": "m.text",
            "body": text,
            "format": "org.matrix.custom.html",
            "formatted_body": (
                "Free the Ten &lt;script&gt;x&lt;/script&gt; &amp; "
                '<a href="https://example.org/ten">https://example.org/ten</a><br/>with '
                '<a href="https://matrix.to/#/@amal:example.org">@amal:example.org</a>'
            ),
            "m.mentions": {"user_ids": ["@amal:example.org"]},
        },
    }})  # fmt: skip
    assert published == Published(
        remote_id="$YUwRidLecu:example.org",
        url=f"https://matrix.to/#/{ROOM_ID}/$YUwRidLecu:example.org",
        extra={"room_id": ROOM_ID, "event_ids": ["$YUwRidLecu:example.org"]},
    )


def test_plain_text_goes_out_without_an_html_form_and_notifies_nobody(router):
    route(router, fixture("directory_room"))
    sent = route(router, fixture("send_message"))

    connect(router).publish(post("Day 12 of the vigil."))

    assert sent_json(sent.calls.last) == {
        "msgtype": "m.text",
        "body": "Day 12 of the vigil.",
        "m.mentions": {},
    }


def test_sending_the_same_delivery_again_uses_the_same_transaction_id(router):
    route(router, fixture("directory_room"))
    sent = route(router, fixture("send_message"))

    first = connect(router).publish(post("Once only"))
    again = connect(router).publish(post("Once only"))

    assert [call.request.url for call in sent.calls] == [sent.calls[0].request.url] * 2
    assert first == again


def test_a_part_of_a_thread_replies_to_the_part_before(router):
    route(router, fixture("directory_room"))
    sent = route(router, fixture("send_message"))
    before = Published(remote_id="$143273582443PhrSn:example.org")

    connect(router).publish(post("2/2 Come at nine.", reply_to=before, thread_root=before))

    assert sent_json(sent.calls.last)["m.relates_to"] == {
        "m.in_reply_to": {"event_id": "$143273582443PhrSn:example.org"}
    }


def picture(tmp_path: Path, alt: str = "Candles outside the courthouse") -> MediaFile:
    path = tmp_path / "vigil.png"
    Image.new("RGB", (40, 30), (10, 20, 30)).save(path)
    return MediaFile(path=path, mime_type="image/png", alt=alt)


def test_a_picture_is_uploaded_and_sent_after_the_text_with_its_alt_text_as_body(router, tmp_path):
    route(router, fixture("directory_room"))
    upload = route(router, fixture("upload"))
    text = send_route(router, 0, "$text:example.org")
    image = send_route(router, 1, "$image:example.org")
    item = picture(tmp_path)

    published = connect(router).publish(post("The vigil tonight.", media=[item]))

    assert_sent(upload.calls.last.request, fixture("upload"))
    assert upload.calls.last.request.content == item.path.read_bytes()
    assert sent_json(text.calls.last)["body"] == "The vigil tonight."
    assert sent_json(image.calls.last) == {
        "msgtype": "m.image",
        "body": "Candles outside the courthouse",
        "url": "mxc://example.org/AQwafuaFswefuhsfAFAgsw",
        "info": {"mimetype": "image/png", "size": item.size, "w": 40, "h": 30},
        "m.mentions": {},
    }
    assert published.remote_id == "$text:example.org"
    assert published.extra["event_ids"] == ["$text:example.org", "$image:example.org"]


def test_a_picture_without_alt_text_is_described_by_its_file_name(router, tmp_path):
    route(router, fixture("directory_room"))
    route(router, fixture("upload"))
    image = send_route(router, 0, "$image:example.org")

    connect(router).publish(post("", media=[picture(tmp_path, alt="")]))

    assert sent_json(image.calls.last)["body"] == "vigil.png"


def test_a_picture_that_fails_after_the_text_went_out_leaves_the_outcome_open(router, tmp_path):
    route(router, fixture("directory_room"))
    route(router, fixture("upload"))
    send_route(router, 0, "$text:example.org")
    router.put(f"{SEND}houseboat.{KEY}.1").mock(
        return_value=httpx.Response(403, json={"errcode": "M_FORBIDDEN", "error": "no images"})
    )

    with pytest.raises(OutcomeUnknown, match="1 of the 2 messages"):
        connect(router).publish(post("The vigil tonight.", media=[picture(tmp_path)]))


def test_a_room_the_account_may_not_post_in_is_named_with_what_to_check(router):
    route(router, fixture("directory_room"))
    route(router, fixture("send_forbidden"))

    with pytest.raises(PermissionMissing, match=re.escape("may not post in #campaign:example.org")):
        connect(router).publish(post("Hello?"))


def test_a_long_rate_limit_ends_in_rate_limited_with_the_time_the_server_gave(router):
    route(router, fixture("directory_room"))
    route(router, fixture("error_limit_exceeded"))
    before = datetime.now(UTC)

    with pytest.raises(RateLimited) as caught:
        connect(router).publish(post("Hello"))

    expected = before + timedelta(milliseconds=2_000_000)
    assert expected <= caught.value.until <= expected + timedelta(seconds=5)


def test_a_short_rate_limit_is_waited_out_and_the_same_transaction_sent_again(router):
    route(router, fixture("directory_room"))
    short = copy.deepcopy(fixture("error_limit_exceeded"))
    short["response"]["json"]["retry_after_ms"] = 1500
    sent = router.put(f"{SEND}houseboat.{KEY}.0").mock(
        side_effect=[response_for(short), response_for(fixture("send_message"))]
    )
    connector = connect(router)

    published = connector.publish(post("Hello"))

    assert published.remote_id == "$YUwRidLecu:example.org"
    assert sent.call_count == 2
    assert len(connector.sleeps) == 1 and 1.4 <= connector.sleeps[0] <= 1.6


def test_a_text_too_large_for_one_event_is_refused_before_anything_is_sent(router):
    sent = router.route()

    with pytest.raises(PayloadRejected, match="Split it into a thread"):
        connect(router, room=ROOM_ID).publish(post("الحرية " * 9000))

    assert sent.call_count == 0


def test_the_token_never_appears_in_an_error(router):
    route(router, fixture("directory_room"))
    router.put(f"{SEND}houseboat.{KEY}.0").mock(
        return_value=httpx.Response(400, json={"errcode": "M_BAD_JSON", "error": f"bad {TOKEN}"})
    )

    with pytest.raises(PayloadRejected) as caught:
        connect(router).publish(post("Hello"))

    assert TOKEN not in str(caught.value)


# --- delete ------------------------------------------------------------------------------


def test_delete_redacts_each_message_of_the_post_and_finds_gone_ones_fine(router):
    redact = route(router, fixture("redact"))
    published = Published(
        remote_id="$YUwRidLecu:example.org",
        extra={"room_id": ROOM_ID, "event_ids": ["$YUwRidLecu:example.org"]},
    )

    connect(router).delete(published)

    assert_sent(redact.calls.last.request, fixture("redact"))
    router.routes.clear()
    route(router, fixture("redact_not_found"))
    connect(router).delete(published)  # gone already: what was asked


# --- read --------------------------------------------------------------------------------


def test_the_first_read_takes_the_latest_page_oldest_first_and_keeps_the_rooms_end(router):
    route(router, fixture("directory_room"))
    latest = route(router, fixture("messages_latest"))

    page = connect(router).read(Source("room"), None)

    assert_sent(latest.calls.last.request, fixture("messages_latest"))
    assert [item.text for item in page.items] == [
        "Vigil at the courthouse at 6 #FreeTheTen",
        "Thank you all: https://example.org/ten",
    ]
    assert page.cursor == "t47429-4392820_219380_26003_2265"
    first = page.items[0]
    assert first.remote_id == "$143273582443PhrSn:example.org"
    assert first.created_at == datetime(2015, 5, 27, 14, 10, 24, 653000, tzinfo=UTC)
    assert first.author.handle == "@amal:example.org"
    assert first.hashtags == ["FreeTheTen"]
    assert first.url == f"https://matrix.to/#/{ROOM_ID}/$143273582443PhrSn:example.org"
    assert page.items[1].links == ["https://example.org/ten"]


def test_a_later_read_goes_forward_from_the_cursor_leaving_out_edits_and_removed_messages(router):
    route(router, fixture("directory_room"))
    forward = route(router, fixture("messages_forward"))

    page = connect(router).read(Source("room"), "t47429-4392820_219380_26003_2265")

    assert_sent(forward.calls.last.request, fixture("messages_forward"))
    assert page.cursor == "t47455-4392901_219380_26003_2265"
    reply, image = page.items
    assert reply.text == "We will be there with @amal:example.org #FreeTheTen"
    assert reply.reply_to_id == "$143273582449XyzAb:example.org"
    assert reply.mentions == ["@amal:example.org"]
    assert reply.links == []  # the quoted message's link is not this message's
    assert image.media[0].url == "mxc://example.org/JWEIFJgwEIhweiWJE"
    assert image.media[0].alt == "Candles outside the courthouse at dusk"
    assert getattr(page, "more", False) is False


def test_a_read_with_nothing_new_keeps_the_cursor(router):
    route(router, fixture("directory_room"))
    route(router, fixture("messages_forward_empty"))

    page = connect(router).read(Source("room"), "t47455-4392901_219380_26003_2265")

    assert page.items == [] and page.cursor == "t47455-4392901_219380_26003_2265"


def test_a_full_page_says_more_is_waiting(router):
    route(router, fixture("directory_room"))
    full = copy.deepcopy(fixture("messages_forward"))
    message = full["response"]["json"]["chunk"][0]
    full["response"]["json"]["chunk"] = [
        {**message, "event_id": f"$n{n}:example.org"} for n in range(50)
    ]
    route(router, full)

    page = connect(router).read(Source("room"), "t47429-4392820_219380_26003_2265")

    assert len(page.items) == 50 and page.cursor == "t47455-4392901_219380_26003_2265"
    if hasattr(page, "more"):
        assert page.more is True


def test_a_room_given_by_id_in_the_column_is_read_without_the_directory(router):
    read = route(router, fixture("messages_latest"))

    connect(router, room="").read(Source("room", ROOM_ID), None)

    assert read.call_count == 1


def test_reading_anything_but_a_room_is_not_supported(router):
    with pytest.raises(NotSupported, match="follow a room"):
        connect(router).read(Source("hashtag", "FreeTheTen"), None)


def test_recent_posts_lists_the_accounts_own_messages_in_the_room(router):
    route(router, fixture("directory_room"))
    route(router, fixture("whoami"))
    own = route(router, fixture("messages_own"))

    recent = connect(router).recent_posts()

    assert_sent(own.calls.last.request, fixture("messages_own"))
    assert [item.remote_id for item in recent] == ["$143273582449XyzAb:example.org"]


def test_a_matrix_to_link_gives_its_event_id(router):
    connector = connect(router)
    link = f"https://matrix.to/#/{ROOM_ID}/$YUwRidLecu:example.org?via=example.org"
    assert connector.remote_id_from_url(link) == "$YUwRidLecu:example.org"
    assert connector.remote_id_from_url("https://matrix.to/#/#campaign:example.org") == ""


# --- properties --------------------------------------------------------------------------

ALLOWED_TAGS = re.compile(r'<a href="[^"<>]*">|</a>')


@given(st.text())
def test_the_html_form_of_any_text_holds_no_markup_but_houseboats_and_reads_back_the_same(text):
    rendered = formatted_body(text)
    bare = ALLOWED_TAGS.sub("", rendered).replace("<br/>", "\n")
    assert "<" not in bare and ">" not in bare
    assert html.unescape(bare) == text.replace("\r\n", "\n")


@given(st.text())
def test_the_plain_body_is_always_the_text_itself(text):
    assert text_content(text)["body"] == text


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=20,
)
CONTENT_KEYS = st.sampled_from(
    ["msgtype", "body", "format", "formatted_body", "m.relates_to", "m.mentions", "url", "filename"]
)


@given(
    st.fixed_dictionaries(
        {"type": st.just("m.room.message"), "event_id": st.text(min_size=1)},
        optional={
            "content": st.dictionaries(CONTENT_KEYS, JSON, max_size=8),
            "sender": JSON,
            "origin_server_ts": JSON,
        },
    )
)
def test_any_message_event_maps_to_an_item_or_is_left_out_without_an_error(event):
    item = event_item(event, ROOM_ID)
    assert item is None or item.remote_id == event["event_id"]


def test_a_room_id_without_a_server_name_is_taken_as_an_id_as_room_version_12_makes_them(router):
    # Synapse 1.135+ makes version-12 rooms, whose ids are "!" and a hash, no ":server".
    room_id = "!tn0BzMLs5KCmZb-2wOSs8YIsTSDQS4jDbmKhQ4DZSKE"
    sent = router.put(url__startswith=f"{HS}/_matrix/client/v3/rooms/").mock(
        return_value=httpx.Response(200, json={"event_id": "$abc"})
    )

    published = connect(router, room=room_id).publish(post("Hello"))

    assert sent.calls.last.request.url.path.startswith(f"/_matrix/client/v3/rooms/{room_id}/send/")
    assert published.extra["room_id"] == room_id


def test_gone_names_removed_messages_and_leaves_out_what_it_cannot_tell(router):
    route(router, fixture("directory_room"))
    for name in ("event_redacted", "event_present", "event_not_found"):
        route(router, fixture(name))

    gone = connect(router).gone(
        [
            "$143273582443PhrSn:example.org",
            "$143273582449XyzAb:example.org",
            "$elsewhere:example.org",
        ]
    )

    assert gone == {"$143273582443PhrSn:example.org": "deleted"}
