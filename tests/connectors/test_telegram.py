"""The Telegram connector against replayed Bot API answers (core.telegram.org/bots/api)."""

from __future__ import annotations

import copy
import json
import logging
from datetime import UTC, datetime, timedelta
from email.parser import BytesParser
from email.policy import HTTP
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from houseboat.connectors.base import (
    AuthRevoked,
    ConnectorError,
    MediaFile,
    NetworkUnreachable,
    NotSupported,
    OutcomeUnknown,
    OutgoingPost,
    PayloadRejected,
    PermissionMissing,
    Published,
    RateLimited,
    Source,
    UnexpectedResponse,
)
from houseboat.connectors.telegram.connector import TelegramConnector, utf16_slice
from houseboat.connectors.text import check, length
from tests.connectors.replay import assert_sent, load, response_for, route, transport

TOKEN = "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11"
BASE = f"https://api.telegram.org/bot{TOKEN}"


def fixture(name: str) -> dict[str, Any]:
    return load("telegram", name)


@pytest.fixture
def router() -> respx.Router:
    return respx.Router(assert_all_called=False)


def connect(router: respx.Router, **config: Any) -> TelegramConnector:
    connector = TelegramConnector(
        config={"chat_id": "@riversideten", **config},
        secrets={"bot_token": TOKEN},
        transport=transport(router),
    )
    connector.sleeps = []  # type: ignore[attr-defined]
    connector.sleep = connector.sleeps.append  # type: ignore[attr-defined, method-assign]
    return connector


def post(text: str = "Hello", **kwargs: Any) -> OutgoingPost:
    return OutgoingPost(text=text, idempotency_key="post-1", **kwargs)


def media_file(tmp_path: Path, name: str, mime_type: str, size: int = 2048) -> MediaFile:
    path = tmp_path / name
    with path.open("wb") as handle:
        handle.truncate(size)  # sparse: a large file costs no disk
    return MediaFile(path=path, mime_type=mime_type)


def form_parts(request: httpx.Request) -> dict[str, Any]:
    """Read a multipart/form-data body: field name -> text, or (filename, type, bytes)."""
    head = f"Content-Type: {request.headers['content-type']}\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + request.content)
    parts: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        filename = part.get_filename()
        payload = part.get_payload(decode=True)
        if filename:
            parts[name] = (filename, part.get_content_type(), payload)
        else:
            parts[name] = payload.decode("utf-8")
    return parts


def flood(name: str, *, without_header: bool = False) -> httpx.Response:
    data = copy.deepcopy(fixture(name))
    if without_header:
        data["response"]["headers"].pop("Retry-After")
    return response_for(data)


# --- check -----------------------------------------------------------------------------------


def test_check_names_the_channel_and_the_bot_and_its_rights(router):
    me = route(router, fixture("get_me"))
    chat = route(router, fixture("get_chat"))
    member = route(router, fixture("get_chat_member_admin"))

    account = connect(router).check()

    assert_sent(me.calls.last.request, fixture("get_me"))
    assert_sent(chat.calls.last.request, fixture("get_chat"))
    assert_sent(member.calls.last.request, fixture("get_chat_member_admin"))
    assert account.remote_id == "-1001234567890"
    assert account.handle == "@riversideten"
    assert account.display_name == "Free the Riverside Ten"
    assert account.url == "https://t.me/riversideten"
    assert set(account.permissions) == {"publish", "delete", "read"}
    assert account.notes == ["Posts as the bot @riverside_desk_bot."]


def test_check_tells_how_to_make_the_bot_an_administrator_when_it_is_not(router):
    route(router, fixture("get_me"))
    route(router, fixture("get_chat"))
    route(router, fixture("get_chat_member_left"))

    account = connect(router).check()

    assert account.permissions == []
    assert any("administrator with the right to post" in note for note in account.notes)


def test_check_with_a_revoked_token_says_to_ask_botfather(router):
    router.get(f"{BASE}/getMe").mock(return_value=response_for(fixture("error_unauthorized")))

    with pytest.raises(AuthRevoked) as caught:
        connect(router).check()

    assert "@BotFather" in str(caught.value)
    assert TOKEN not in str(caught.value)


# --- publish: text -------------------------------------------------------------------------


def test_publish_text_sends_message_and_returns_the_public_link(router):
    sent = route(router, fixture("send_message"))
    text = fixture("send_message")["request"]["json"]["text"]

    published = connect(router).publish(post(text))

    assert_sent(sent.calls.last.request, fixture("send_message"))
    assert published.remote_id == "311"
    assert published.url == "https://t.me/riversideten/311"
    assert published.extra == {"chat_id": -1001234567890, "message_ids": [311]}


def test_publish_sends_parse_mode_only_when_asked(router):
    sent = route(router, fixture("send_message"))
    connector = connect(router)

    connector.publish(post("<b>Day 100</b>", options={"parse_mode": "HTML"}))
    body = json.loads(sent.calls.last.request.content)
    assert body == {"chat_id": "@riversideten", "text": "<b>Day 100</b>", "parse_mode": "HTML"}

    entities = [{"type": "bold", "offset": 0, "length": 3}]
    connector.publish(post("Day 100", options={"entities": entities}))
    body = json.loads(sent.calls.last.request.content)
    assert body == {"chat_id": "@riversideten", "text": "Day 100", "entities": entities}


def test_publish_a_thread_part_replies_to_the_previous_one(router):
    sent = route(router, fixture("send_message_reply"))
    request = fixture("send_message_reply")["request"]["json"]

    published = connect(router).publish(
        post(
            request["text"],
            reply_to=Published(remote_id="311"),
            thread_root=Published(remote_id="311"),
            options={"link_preview_options": {"is_disabled": True}},
        )
    )

    assert_sent(sent.calls.last.request, fixture("send_message_reply"))
    assert published.remote_id == "312"


def test_publish_replies_to_an_item_read_from_the_channel(router):
    sent = route(router, fixture("send_message_reply"))

    connect(router).publish(post("2/", reply_to=Published(remote_id="-1001234567890:311")))

    body = json.loads(sent.calls.last.request.content)
    assert body["reply_parameters"] == {"message_id": 311}


def test_a_reply_to_a_direct_message_goes_to_the_persons_private_chat(router):
    sent = route(router, fixture("send_message_reply"))

    connect(router).publish(
        post(
            "Thank you for writing.",
            reply_to=Published(remote_id="555000111:17", extra={"chat_id": "555000111"}),
        )
    )

    body = json.loads(sent.calls.last.request.content)
    assert body["chat_id"] == "555000111"  # not the channel's @riversideten
    assert body["reply_parameters"] == {"message_id": 17}


# --- publish: media ------------------------------------------------------------------------


def test_publish_one_photo_uploads_it_with_its_caption(router, tmp_path):
    sent = route(router, fixture("send_photo"))
    photo = media_file(tmp_path, "steps.jpg", "image/jpeg")

    published = connect(router).publish(
        post("Vigil at the court steps tonight.", media=[photo], reply_to=Published("311"))
    )

    request = sent.calls.last.request
    assert_sent(request, fixture("send_photo"))
    assert request.headers["content-type"].startswith("multipart/form-data; boundary=")
    parts = form_parts(request)
    assert parts["chat_id"] == "@riversideten"
    assert parts["caption"] == "Vigil at the court steps tonight."
    assert json.loads(parts["reply_parameters"]) == {"message_id": 311}
    assert parts["photo"] == ("steps.jpg", "image/jpeg", b"\0" * 2048)
    assert published.remote_id == "320"
    assert published.url == "https://t.me/riversideten/320"


@pytest.mark.parametrize(
    ("name", "mime_type", "scenario", "field", "message_id"),
    [
        ("vigil.mp4", "video/mp4", "send_video", "video", "321"),
        ("statement.pdf", "application/pdf", "send_document", "document", "322"),
    ],
)
def test_publish_a_video_or_a_document_uses_its_own_method(
    router, tmp_path, name, mime_type, scenario, field, message_id
):
    sent = route(router, fixture(scenario))

    published = connect(router).publish(
        post("Vigil at the court steps tonight.", media=[media_file(tmp_path, name, mime_type)])
    )

    assert_sent(sent.calls.last.request, fixture(scenario))
    assert form_parts(sent.calls.last.request)[field][0] == name
    assert published.remote_id == message_id


def test_publish_an_album_sends_a_media_group_with_attach_references(router, tmp_path):
    sent = route(router, fixture("send_media_group"))
    photos = [media_file(tmp_path, f"family-{n}.jpg", "image/jpeg", 100 + n) for n in range(3)]

    published = connect(router).publish(post("Families outside the court.", media=photos))

    request = sent.calls.last.request
    assert_sent(request, fixture("send_media_group"))
    parts = form_parts(request)
    assert json.loads(parts["media"]) == [
        {"type": "photo", "media": "attach://file0", "caption": "Families outside the court."},
        {"type": "photo", "media": "attach://file1"},
        {"type": "photo", "media": "attach://file2"},
    ]
    assert [parts[f"file{n}"][0] for n in range(3)] == [f"family-{n}.jpg" for n in range(3)]
    assert published.remote_id == "330"
    assert published.extra["message_ids"] == [330, 331, 332]


def test_a_caption_too_long_goes_out_as_a_reply_under_the_media(router, tmp_path):
    photo_route = route(router, fixture("send_photo"))
    text_route = route(router, fixture("send_message"))
    long_text = "Riverside " * 110  # 1100 characters: over the 1024 of a caption

    published = connect(router).publish(
        post(long_text, media=[media_file(tmp_path, "a.jpg", "image/jpeg")])
    )

    assert "caption" not in form_parts(photo_route.calls.last.request)
    body = json.loads(text_route.calls.last.request.content)
    assert body["text"] == long_text
    assert body["reply_parameters"] == {"message_id": 320}
    assert published.remote_id == "320"
    assert published.extra["message_ids"] == [320, 311]


def test_a_failed_text_after_sent_media_is_outcome_unknown_so_nothing_is_sent_twice(
    router, tmp_path
):
    route(router, fixture("send_photo"))
    route(router, fixture("error_message_too_long"))

    with pytest.raises(OutcomeUnknown) as caught:
        connect(router).publish(
            post("x" * 1500, media=[media_file(tmp_path, "a.jpg", "image/jpeg")])
        )

    assert "message 320" in str(caught.value)
    assert "message is too long" in str(caught.value)


def test_an_album_mixing_a_document_and_photos_is_refused_before_sending(router, tmp_path):
    files = [
        media_file(tmp_path, "a.jpg", "image/jpeg"),
        media_file(tmp_path, "b.pdf", "application/pdf"),
    ]

    with pytest.raises(PayloadRejected, match="album"):
        connect(router).publish(post("Files", media=files))

    assert not router.calls


def test_more_than_ten_files_are_refused_before_sending(router, tmp_path):
    files = [media_file(tmp_path, f"{n}.jpg", "image/jpeg") for n in range(11)]

    with pytest.raises(PayloadRejected, match="at most 10"):
        connect(router).publish(post("Files", media=files))

    assert not router.calls


def test_a_photo_over_10_mb_is_refused_but_a_video_of_40_mb_goes(router, tmp_path):
    route(router, fixture("send_video"))
    connector = connect(router)

    with pytest.raises(PayloadRejected, match="photos up to 10 MB"):
        connector.publish(
            post("Big", media=[media_file(tmp_path, "big.jpg", "image/jpeg", 10_500_000)])
        )
    connector.publish(post("Big", media=[media_file(tmp_path, "big.mp4", "video/mp4", 40_000_000)]))

    assert len(router.calls) == 1


def test_a_file_type_telegram_is_not_sent_is_refused(router, tmp_path):
    with pytest.raises(PayloadRejected, match="image/heic"):
        connect(router).publish(post("x", media=[media_file(tmp_path, "a.heic", "image/heic")]))


# --- publish: errors ------------------------------------------------------------------------


def test_revoked_token_is_auth_revoked_with_a_botfather_hint(router):
    route(router, fixture("error_unauthorized"))

    with pytest.raises(AuthRevoked) as caught:
        connect(router).publish(post())

    assert "revoked" in caught.value.message
    assert "@BotFather" in caught.value.message
    assert caught.value.reason == "Unauthorized"


@pytest.mark.parametrize("scenario", ["error_not_member", "error_kicked"])
def test_a_bot_outside_the_channel_is_told_to_become_an_administrator(router, scenario):
    route(router, fixture(scenario))

    with pytest.raises(PermissionMissing) as caught:
        connect(router).publish(post())

    assert "administrator with the right to post" in caught.value.message
    assert caught.value.reason == fixture(scenario)["response"]["json"]["description"]


def test_an_unknown_chat_gets_a_hint_about_the_chat_id(router):
    route(router, fixture("error_chat_not_found"))

    with pytest.raises(PayloadRejected) as caught:
        connect(router).publish(post())

    assert "@channelusername" in caught.value.message
    assert "-100" in caught.value.message
    assert "chat not found" in str(caught.value)


def test_a_refused_message_shows_telegrams_reason(router):
    route(router, fixture("error_message_too_long"))

    with pytest.raises(PayloadRejected) as caught:
        connect(router).publish(post("<b>" * 2000, options={"parse_mode": "HTML"}))

    assert caught.value.reason == "Bad Request: message is too long"
    assert "message is too long" in str(caught.value)


def test_a_group_that_became_a_supergroup_tells_the_new_id(router):
    route(router, fixture("error_migrated"))

    with pytest.raises(PayloadRejected) as caught:
        connect(router, chat_id="-4012345678").publish(post())

    assert "-1001122334455" in caught.value.message


def test_a_short_flood_wait_is_waited_out_and_the_message_sent(router):
    router.post(f"{BASE}/sendMessage").mock(
        side_effect=[flood("error_flood_short"), response_for(fixture("send_message"))]
    )
    connector = connect(router)

    published = connector.publish(post("Hello"))

    assert published.remote_id == "311"
    assert len(connector.sleeps) == 1
    assert 2 <= connector.sleeps[0] <= 3.5


def test_a_long_flood_wait_ends_in_rate_limited_until_the_time_in_the_body(router):
    # Without the Retry-After header: the time must come from parameters.retry_after.
    sent = router.post(f"{BASE}/sendMessage").mock(
        return_value=flood("error_flood_long", without_header=True)
    )
    before = datetime.now(UTC)

    with pytest.raises(RateLimited) as caught:
        connect(router).publish(post())

    expected = before + timedelta(seconds=1800)
    assert abs((caught.value.until - expected).total_seconds()) < 5
    assert sent.call_count == 1


def test_a_publish_that_times_out_is_outcome_unknown_and_not_sent_again(router):
    sent = router.post(f"{BASE}/sendMessage").mock(side_effect=httpx.ReadTimeout("read timed out"))

    with pytest.raises(OutcomeUnknown):
        connect(router).publish(post())

    assert sent.call_count == 1


def test_a_connection_that_failed_before_sending_is_tried_again(router):
    sent = router.post(f"{BASE}/sendMessage").mock(
        side_effect=[
            httpx.ConnectError("connection refused"),
            response_for(fixture("send_message")),
        ]
    )

    published = connect(router).publish(post())

    assert published.remote_id == "311"
    assert sent.call_count == 2


def test_a_garbled_answer_after_a_publish_is_outcome_unknown(router):
    router.post(f"{BASE}/sendMessage").mock(
        return_value=httpx.Response(200, text="<html>gateway</html>")
    )

    with pytest.raises(OutcomeUnknown):
        connect(router).publish(post())


def test_an_answer_without_a_message_id_after_a_publish_is_outcome_unknown(router):
    router.post(f"{BASE}/sendMessage").mock(
        return_value=httpx.Response(200, json={"ok": True, "result": {"text": "Hello"}})
    )

    with pytest.raises(OutcomeUnknown):
        connect(router).publish(post())


def test_a_read_answer_in_an_unknown_shape_is_unexpected(router):
    router.get(f"{BASE}/getUpdates").mock(return_value=httpx.Response(200, json={"result": []}))

    with pytest.raises(UnexpectedResponse):
        connect(router).read(Source("updates"), None)


# --- delete ---------------------------------------------------------------------------------


def test_delete_removes_every_message_of_an_album(router):
    deleted = route(router, fixture("delete_message"))

    connect(router).delete(
        Published(
            remote_id="330", extra={"chat_id": -1001234567890, "message_ids": [330, 331, 332]}
        )
    )

    assert_sent(deleted.calls[0].request, fixture("delete_message"))
    sent_ids = [json.loads(call.request.content)["message_id"] for call in deleted.calls]
    assert sent_ids == [330, 331, 332]


def test_deleting_a_message_already_gone_succeeds(router):
    route(router, fixture("error_delete_not_found"))

    connect(router).delete(Published(remote_id="311"))


def test_a_message_telegram_will_not_delete_explains_the_48_hours(router):
    route(router, fixture("error_cant_delete"))

    # Not the bot's to do: a person deletes it in the app (the takedown shows the steps).
    with pytest.raises(NotSupported) as caught:
        connect(router).delete(Published(remote_id="311"))

    assert "48 hours" in caught.value.message
    assert caught.value.reason == "Bad Request: message can't be deleted"


# --- read -----------------------------------------------------------------------------------


def test_read_turns_updates_into_items_and_moves_the_cursor_past_them(router):
    got = route(router, fixture("get_updates"))

    page = connect(router).read(Source("updates"), "900000001")

    assert_sent(got.calls.last.request, fixture("get_updates"))
    assert page.cursor == "900000004"
    post_item, forwarded, edited = page.items

    assert post_item.remote_id == "-1001234567890:340"
    assert post_item.url == "https://t.me/riversideten/340"
    assert post_item.created_at == datetime.fromtimestamp(1773140000, UTC)
    assert post_item.author.handle == "riversideten"
    assert post_item.author.display_name == "Free the Riverside Ten"
    # Offsets are UTF-16 units: the flag before them is four, not two code points.
    assert post_item.hashtags == ["FreeRiversideTen"]
    assert post_item.mentions == ["riverside_lawyers"]
    assert post_item.links == ["https://example.org/p/100"]
    assert post_item.raw["update_id"] == 900000001

    assert forwarded.remote_id == "-1009876543210:77"
    assert forwarded.author.remote_id == "5550001"
    assert forwarded.author.display_name == "Layla Haddad"
    assert forwarded.text.startswith("Court steps")
    assert forwarded.hashtags == ["Vigil"]
    assert forwarded.links == ["https://example.org/vigil"]
    assert forwarded.repost_of_id == "-1001234567890:320"
    assert forwarded.reply_to_id == "-1009876543210:76"
    assert [m.url for m in forwarded.media] == ["tg-file:AgACAgQAAxkDAAM77large"]
    assert forwarded.media[0].kind == "image"

    assert edited.remote_id == "-1001234567890:340"
    assert edited.hashtags == ["FreeRiversideTen"]
    assert "edited_channel_post" in edited.raw


def test_read_with_no_updates_keeps_the_cursor(router):
    got = route(router, fixture("get_updates_empty"))

    page = connect(router).read(Source("updates"), "900000004")

    assert_sent(got.calls.last.request, fixture("get_updates_empty"))
    assert page.items == []
    assert page.cursor == "900000004"


def test_the_first_read_sends_no_offset(router):
    got = route(router, fixture("get_updates_empty"))

    connect(router).read(Source("updates"), None)

    assert "offset" not in got.calls.last.request.url.params


def test_a_read_that_times_out_is_tried_again(router):
    got = router.get(f"{BASE}/getUpdates").mock(
        side_effect=[httpx.ReadTimeout("read timed out"), response_for(fixture("get_updates"))]
    )

    page = connect(router).read(Source("updates"), None)

    assert got.call_count == 2
    assert len(page.items) == 3


def test_a_webhook_on_the_bot_says_to_remove_it(router):
    route(router, fixture("error_webhook_conflict"))

    with pytest.raises(NotSupported) as caught:
        connect(router).read(Source("updates"), None)

    assert "webhook" in caught.value.message
    assert "deleteWebhook" in caught.value.message


def test_bots_cannot_search_hashtags(router):
    with pytest.raises(NotSupported):
        connect(router).read(Source("hashtag", "FreeRiversideTen"), None)


def test_entity_offsets_are_cut_in_utf16_units():
    text = "👩🏽‍⚖️ e\u0301 #Tag"
    # woman judge with skin tone: 7 UTF-16 units; "e" + combining acute: 2; spaces: 2
    assert utf16_slice(text, 11, 4) == "#Tag"
    assert utf16_slice("🇺🇦 #Ukraine", 5, 8) == "#Ukraine"


# --- what bots cannot see -----------------------------------------------------------------


def test_metrics_are_not_supported_because_bots_see_no_views(router):
    with pytest.raises(NotSupported):
        connect(router).metrics([Published("311")])
    assert "metrics" not in TelegramConnector.manifest["can"]
    assert "no view counts" in TelegramConnector.manifest["notes"]


def test_recent_posts_are_not_available_to_bots(router):
    with pytest.raises(NotSupported, match="Telegram app"):
        connect(router).recent_posts()


# --- length and limits ------------------------------------------------------------------


def test_text_is_counted_in_utf16_units_as_telegram_counts_it():
    counted = TelegramConnector.manifest["limits"]["text"]["counted"]
    assert length("😀", counted) == 2
    assert length("🇺🇦", counted) == 4
    assert length("👋🏽", counted) == 4
    assert length("e\u0301", counted) == 2  # a combining mark is a unit of its own
    assert length("مرحبا", counted) == 5
    assert length("क्षि", counted) == 4
    url = "https://example.org/a-very-long-petition-address-that-is-not-shortened"
    assert length(url, counted) == len(url)  # Telegram does not shorten links


@pytest.mark.parametrize(
    ("text", "fits"),
    [
        ("😀" * 2048, True),
        ("😀" * 2049, False),
        ("ب" * 4096, True),
        ("ब" * 4097, False),
        ("e\u0301" * 2048, True),
        ("e\u0301" * 2048 + "x", False),
    ],
)
def test_the_4096_limit_with_unicode(router, text, fits):
    connector = connect(router)
    problems = check(connector.limits(), text, label="Telegram")
    assert (not problems) is fits
    if not fits:
        with pytest.raises(PayloadRejected, match="Too long for Telegram"):
            connector.publish(post(text))
        assert not router.calls


def test_a_caption_is_limited_to_1024_units(tmp_path, router):
    connector = connect(router)
    photo = [media_file(tmp_path, "a.jpg", "image/jpeg")]
    assert not check(connector.limits(), "😀" * 512, photo, label="Telegram")
    assert check(connector.limits(), "😀" * 513, photo, label="Telegram")


def test_telegram_has_no_alt_text_and_says_so():
    manifest = TelegramConnector.manifest
    assert "alt_max" not in manifest["limits"]["media"]
    assert "no alt text" in manifest["notes"]
    assert manifest["limits"]["media"]["max_count"] == 10


# --- secrets --------------------------------------------------------------------------------


def errors_from_every_failure(router: respx.Router) -> list[ConnectorError]:
    errors: list[ConnectorError] = []
    attempts = [
        httpx.ConnectError(f"connection to {BASE} refused"),
        httpx.ReadTimeout(f"timed out reading {BASE}/sendMessage"),
        httpx.Response(
            400, json={"ok": False, "error_code": 400, "description": f"Bad Request: {TOKEN}"}
        ),
        httpx.Response(401, json={"ok": False, "error_code": 401, "description": "Unauthorized"}),
        httpx.Response(502, text=f"bad gateway for /bot{TOKEN}/sendMessage"),
        httpx.Response(200, text=f"garbled {TOKEN}"),
    ]
    for attempt in attempts:
        router.routes.clear()
        router.post(f"{BASE}/sendMessage").mock(side_effect=[attempt] * 3)
        try:
            connect(router).publish(post())
        except ConnectorError as error:
            errors.append(error)
    return errors


def test_no_error_message_or_houseboat_log_line_contains_the_token(router, caplog):
    caplog.set_level(logging.DEBUG, logger="houseboat")

    errors = errors_from_every_failure(router)

    assert len(errors) == 6
    kinds = {type(error) for error in errors}
    assert {NetworkUnreachable, OutcomeUnknown, PayloadRejected, AuthRevoked} <= kinds
    for error in errors:
        assert TOKEN not in str(error)
        assert TOKEN not in error.reason
        assert TOKEN.split(":")[1] not in str(error)
    houseboat_lines = [r.getMessage() for r in caplog.records if r.name.startswith("houseboat")]
    assert houseboat_lines
    assert not any(TOKEN in line for line in houseboat_lines)


def test_the_httpx_request_log_that_would_show_the_token_is_silenced(settings):
    level = settings.LOGGING.get("loggers", {}).get("httpx", {}).get("level", "NOTSET")
    assert logging.getLevelName(level) >= logging.WARNING


def test_a_malformed_token_is_refused_without_calling_telegram(router):
    connector = TelegramConnector(
        config={"chat_id": "@riversideten"},
        secrets={"bot_token": "oops"},
        transport=transport(router),
    )

    with pytest.raises(AuthRevoked, match="@BotFather"):
        connector.publish(post())

    assert not router.calls


def test_a_local_bot_api_server_needs_a_private_address_allowed():
    connector = TelegramConnector(
        config={"chat_id": "@riversideten", "api_base_url": "http://127.0.0.1:8081"},
        secrets={"bot_token": TOKEN},
    )
    connector.sleep = lambda seconds: None

    with pytest.raises(NetworkUnreachable) as caught:
        connector.publish(post())

    assert "allow a private address" in str(caught.value)
    assert TOKEN not in str(caught.value)


def test_a_local_bot_api_server_is_called_at_its_own_address(router):
    fixture_ = copy.deepcopy(fixture("send_message"))
    fixture_["request"]["url"] = f"http://10.0.0.5:8081/bot{TOKEN}/sendMessage"
    sent = route(router, fixture_)

    connect(router, api_base_url="http://10.0.0.5:8081/", allow_private_network=True).publish(
        post(fixture_["request"]["json"]["text"])
    )

    assert_sent(sent.calls.last.request, fixture_)


def test_a_bot_api_server_address_that_is_not_http_is_refused(router):
    with pytest.raises(NetworkUnreachable, match="not an http"):
        connect(router, api_base_url="ftp://example.org").publish(post())


@pytest.mark.parametrize("value", ["", "@riversideten"], ids=["no chat", "the channel's chat"])
def test_a_chats_column_reads_the_bots_updates_like_the_updates_source(router, value):
    got = route(router, fixture("get_updates"))
    page = connect(router).read(Source("chats", value), "900000001")
    assert_sent(got.calls.last.request, fixture("get_updates"))
    assert [item.remote_id for item in page.items][:1] == ["-1001234567890:340"]
    assert page.more is False, "three updates is not a full page"


def test_a_full_page_of_updates_says_there_may_be_more(router):
    recorded = fixture("get_updates")
    template = recorded["response"]["json"]["result"][0]
    updates = []
    for n in range(100):
        update = copy.deepcopy(template)
        update["update_id"] = 900000001 + n
        update["channel_post"]["message_id"] = 1000 + n
        updates.append(update)
    router.get(recorded["request"]["url"]).mock(
        return_value=httpx.Response(200, json={"ok": True, "result": updates})
    )
    page = connect(router).read(Source("chats"), "900000001")
    assert page.more is True and len(page.items) == 100
    assert page.cursor == "900000101", "the next read starts after the last one returned"


def test_a_chats_column_for_one_chat_is_refused_because_updates_are_handed_out_once(router):
    with pytest.raises(PayloadRejected) as caught:
        connect(router).read(Source("chats", "@another_channel"), None)
    assert "every chat and channel the bot is in" in caught.value.message
    assert not router.calls
