"""Mastodon: answers replayed as docs.joinmastodon.org documents them, and the sign-in flow."""

import copy
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import respx
from django.urls import include, path

from houseboat.connectors import text
from houseboat.connectors.base import (
    AuthRevoked,
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
from houseboat.connectors.mastodon import views
from houseboat.connectors.mastodon.connector import (
    MEDIA_WAITS,
    InvalidServerAddress,
    MastodonConnector,
    MediaStillProcessing,
    html_to_text,
    mastodon_length,
    newest_id,
    normalise_base_url,
)
from houseboat.connectors.models import Channel
from houseboat.core.constants import AuditAction
from houseboat.core.models import AuditEvent
from houseboat.urls import urlpatterns as project_urlpatterns
from tests.connectors.replay import assert_sent, load, route, transport

TOKEN = "ZA-Yj3aBD8U8Cm7lKUp-lm9O9BmDgdhHzDeqsY8tlL0"
CLIENT_SECRET = "ZEaFUFmF0umgBX1qKJDjaU99Q31lDkOU8NutzTOoliw"
BASE = "https://mastodon.social"
WAVE = "👋🏽"  # 2 code points, one grapheme
FAMILY = "👨‍👩‍👧"  # 5 code points, one grapheme
ARABIC = "حرية"  # 4 letters
BHARAT = "भारत"  # 4 code points (a vowel sign joins the first letter), 3 graphemes

# The views, mounted where the lead mounts them, in front of the whole project's URLs.
urlpatterns = [
    path("t/<slug:team_slug>/channels/mastodon/", include("houseboat.connectors.mastodon.urls")),
    *project_urlpatterns,
]


def fixture(name: str) -> dict:
    return load("mastodon", name)


@pytest.fixture
def router() -> respx.Router:
    return respx.Router(assert_all_called=False)


@pytest.fixture
def sleeps() -> list[float]:
    return []


def mastodon(router: respx.Router, sleeps: list[float], **config) -> MastodonConnector:
    connector = MastodonConnector(
        config={"base_url": BASE, **config},
        secrets={"access_token": TOKEN},
        transport=transport(router),
    )
    connector.sleep = sleeps.append
    return connector


@pytest.fixture
def connector(router, sleeps) -> MastodonConnector:
    return mastodon(router, sleeps)


def answer(name: str, **headers: str) -> httpx.Response:
    data = fixture(name)["response"]
    return httpx.Response(
        data["status"], headers={**data.get("headers", {}), **headers}, json=data.get("json")
    )


def at_host(data: dict, host: str) -> dict:
    moved = copy.deepcopy(data)
    moved["request"]["url"] = moved["request"]["url"].replace("mastodon.social", host)
    return moved


def media_file(tmp_path: Path, name: str, mime: str, alt: str = "", size: int = 64) -> MediaFile:
    file = tmp_path / name
    file.write_bytes(b"\x00" * size)
    return MediaFile(file, mime, alt=alt)


# --- who am I --------------------------------------------------------------------------


def test_check_names_the_account_by_its_full_handle_and_learns_the_servers_limits(
    router, connector
):
    verify = route(router, fixture("verify_credentials"))
    route(router, fixture("instance_v2"))
    route(router, fixture("apps_verify_credentials"))

    account = connector.check()

    assert_sent(verify.calls.last.request, fixture("verify_credentials"))
    assert account.remote_id == "14715"
    assert account.handle == "@trwnh@mastodon.social"
    assert account.url == "https://mastodon.social/@trwnh"
    assert account.display_name == "infinite love ⴳ"
    assert list(account.permissions) == ["read", "write"]
    assert account.notes == []
    assert account.limits["text"] == {"max": 500, "url_length": 23}
    media = account.limits["media"]
    assert media["max_count"] == 4
    assert media["image_max_bytes"] == 10485760
    assert media["video_max_bytes"] == media["max_bytes"] == 41943040
    assert media["alt_max"] == 1500
    assert "video/mp4" in media["types"] and len(media["types"]) == 27


def test_check_uses_the_servers_own_domain_and_notes_a_longer_character_limit(router, sleeps):
    host = "social.example.org"
    route(router, at_host(fixture("verify_credentials"), host))
    route(router, fixture("instance_v2_long_posts"))
    route(router, at_host(fixture("apps_verify_credentials"), host))
    connector = mastodon(router, sleeps, base_url=f"https://{host}")

    account = connector.check()

    assert account.handle == "@trwnh@example.org"
    assert account.limits["text"]["max"] == 5000
    assert any("5000 characters" in note for note in account.notes)


def test_check_falls_back_to_the_v1_instance_on_servers_older_than_4_0(router, connector):
    route(router, fixture("verify_credentials"))
    route(router, fixture("instance_v2_missing"))
    v1 = route(router, fixture("instance_v1"))
    route(router, fixture("apps_verify_credentials_before_4_3"))

    account = connector.check()

    assert v1.called
    assert account.handle == "@trwnh@mastodon.social"
    assert account.limits["text"] == {"max": 500, "url_length": 23}
    assert len(account.limits["media"]["types"]) == 6
    assert list(account.permissions) == []  # servers before 4.3 do not say


def test_a_read_only_token_is_noted_as_unable_to_publish(router, connector):
    route(router, fixture("verify_credentials"))
    route(router, fixture("instance_v2"))
    route(router, fixture("apps_verify_credentials_read_only"))

    account = connector.check()

    assert list(account.permissions) == ["read"]
    assert any("cannot publish" in note or "not publish" in note for note in account.notes)


def test_a_revoked_token_asks_to_reconnect_the_channel(router, connector):
    route(router, fixture("verify_credentials_revoked"))
    with pytest.raises(AuthRevoked) as caught:
        connector.check()
    assert "reconnect the channel" in str(caught.value)
    assert caught.value.reason == "The access token is invalid"
    assert caught.value.permanent


def test_a_disabled_account_is_a_missing_permission_with_the_servers_reason(router, connector):
    route(router, fixture("verify_credentials_disabled"))
    with pytest.raises(PermissionMissing) as caught:
        connector.check()
    assert "Your login is currently disabled" in str(caught.value)


@pytest.mark.parametrize(
    ("name", "error", "says"),
    [
        ("verify_credentials_revoked", AuthRevoked, "does not accept this token"),
        ("verify_credentials_token_revoked", AuthRevoked, "token was revoked"),
        ("verify_credentials_token_expired", AuthRevoked, "token has expired"),
        ("verify_credentials_no_user", AuthRevoked, "no account behind this token"),
        ("verify_credentials_snac2_unknown_token", AuthRevoked, "does not accept this token"),
        ("verify_credentials_disabled", PermissionMissing, "account is disabled or suspended"),
        ("verify_credentials_unconfirmed", PermissionMissing, "e-mail address is not confirmed"),
        ("verify_credentials_pending_approval", PermissionMissing, "waiting for the server"),
    ],
)
def test_a_failed_check_says_which_of_token_or_account_is_at_fault(
    router, connector, name, error, says
):
    route(router, fixture(name))
    with pytest.raises(error) as caught:
        connector.check()
    assert says in caught.value.message
    assert "refused the request" not in str(caught.value)
    assert caught.value.permanent


def test_a_post_from_a_suspended_account_says_the_account_is_suspended(router, connector):
    route(router, fixture("status_create_disabled"))
    with pytest.raises(PermissionMissing) as caught:
        connector.publish(OutgoingPost(text="hi", idempotency_key="k"))
    assert "account is disabled or suspended" in caught.value.message
    assert caught.value.reason == "Your login is currently disabled"


def test_a_channel_without_a_token_asks_to_reconnect_before_calling(router):
    connector = MastodonConnector(
        config={"base_url": BASE}, secrets={}, transport=transport(router)
    )
    with pytest.raises(AuthRevoked):
        connector.check()
    assert not router.calls


# --- publishing --------------------------------------------------------------------------


def test_publishing_sends_the_text_with_the_idempotency_key_and_reads_where_it_landed(
    router, connector
):
    create = route(router, fixture("status_create"))
    post = OutgoingPost(
        text="Free the Ten! Vigil on Friday at 18:00 https://example.org/vigil",
        idempotency_key="delivery-42",
    )

    published = connector.publish(post)

    assert_sent(create.calls.last.request, fixture("status_create"))
    assert published.remote_id == "103254962155278888"
    assert published.url == "https://mastodon.social/@trwnh/103254962155278888"


def test_a_thread_reply_uploads_each_file_with_its_alt_text_and_waits_for_the_video(
    router, connector, sleeps, tmp_path
):
    uploads = router.post(f"{BASE}/api/v2/media").mock(
        side_effect=[answer("media_upload"), answer("media_upload_processing")]
    )
    router.get(f"{BASE}/api/v1/media/22348642").mock(
        side_effect=[answer("media_get_processing"), answer("media_get_ready")]
    )
    create = route(router, fixture("status_create_thread_reply"))
    post = OutgoingPost(
        text="الحرية للعشرة",
        idempotency_key="delivery-43",
        media=[
            media_file(tmp_path, "candles.jpg", "image/jpeg", alt="Candles outside the ministry"),
            media_file(tmp_path, "vigil.mp4", "video/mp4", alt="The vigil, filmed from the steps"),
        ],
        reply_to=Published(remote_id="103254962155278888"),
        options={
            "content_warning": "عنف الشرطة",
            "sensitive": True,
            "visibility": "unlisted",
            "language": "ar",
        },
    )

    published = connector.publish(post)

    first, second = (call.request for call in uploads.calls)
    assert first.headers["Authorization"] == f"Bearer {TOKEN}"
    assert first.headers["Content-Type"].startswith("multipart/form-data")
    assert b'filename="candles.jpg"' in first.content
    assert b'name="description"' in first.content
    assert b"Candles outside the ministry" in first.content
    assert b'filename="vigil.mp4"' in second.content
    assert sleeps == [1, 2]  # one 206 "still processing", then ready
    assert_sent(create.calls.last.request, fixture("status_create_thread_reply"))
    assert published.remote_id == "103254962155279001"


def test_an_upload_without_alt_text_sends_no_description(router, connector, tmp_path):
    uploads = route(router, fixture("media_upload"))
    route(router, fixture("status_create"))
    post = OutgoingPost(
        text="", idempotency_key="k", media=[media_file(tmp_path, "a.png", "image/png")]
    )
    connector.publish(post)
    assert b'name="description"' not in uploads.calls.last.request.content


def test_a_refused_post_shows_mastodons_reason(router, connector):
    route(router, fixture("status_create_too_long"))
    with pytest.raises(PayloadRejected) as caught:
        connector.publish(OutgoingPost(text="x" * 501, idempotency_key="k"))
    assert "Mastodon refused the post" in str(caught.value)
    assert "Validation failed: Text character limit of 500 exceeded" in str(caught.value)


def test_a_missing_scope_asks_to_reconnect_with_write_access(router, connector):
    route(router, fixture("status_create_scope_missing"))
    with pytest.raises(PermissionMissing) as caught:
        connector.publish(OutgoingPost(text="hi", idempotency_key="k"))
    assert "scope is missing" in caught.value.message
    assert "This action is outside the authorized scopes" in caught.value.reason


def test_a_reply_to_a_deleted_post_is_refused_with_a_clear_reason(router, connector):
    route(router, fixture("status_create_reply_gone"))
    post = OutgoingPost(text="hi", idempotency_key="k", reply_to=Published(remote_id="1"))
    with pytest.raises(PayloadRejected) as caught:
        connector.publish(post)
    assert "replies to is gone" in str(caught.value)


def test_a_refused_upload_posts_nothing(router, connector, tmp_path):
    route(router, fixture("media_upload_invalid"))
    create = route(router, fixture("status_create"))
    post = OutgoingPost(
        text="hi", idempotency_key="k", media=[media_file(tmp_path, "a.webp", "image/webp")]
    )
    with pytest.raises(PayloadRejected) as caught:
        connector.publish(post)
    assert "a.webp" in str(caught.value)
    assert "File content type is invalid" in str(caught.value)
    assert not create.called


def test_a_video_that_never_finishes_processing_posts_nothing(router, connector, sleeps, tmp_path):
    route(router, fixture("media_upload_processing"))
    route(router, fixture("media_get_processing"))
    create = route(router, fixture("status_create"))
    post = OutgoingPost(
        text="hi", idempotency_key="k", media=[media_file(tmp_path, "v.mp4", "video/mp4")]
    )
    with pytest.raises(MediaStillProcessing) as caught:
        connector.publish(post)
    assert not caught.value.permanent
    assert "Nothing was posted" in str(caught.value)
    assert sleeps == list(MEDIA_WAITS)
    assert not create.called


def test_a_timeout_while_posting_is_not_retried_in_a_loop_as_the_key_may_be_ignored(
    router, connector
):
    # snac2 and other servers with Mastodon's API ignore Idempotency-Key: a retry here
    # could post twice. The dispatcher waits and looks for the post instead.
    create = router.post(f"{BASE}/api/v1/statuses").mock(
        side_effect=[httpx.ReadTimeout("slow"), answer("status_create")]
    )
    with pytest.raises(OutcomeUnknown) as caught:
        connector.publish(OutgoingPost(text="hi", idempotency_key="delivery-42"))
    assert create.call_count == 1
    assert create.calls[0].request.headers["Idempotency-Key"] == "delivery-42"
    assert TOKEN not in str(caught.value)


def test_a_gateway_timeout_while_posting_is_an_unknown_outcome_not_retried(router, connector):
    create = router.post(f"{BASE}/api/v1/statuses").mock(
        return_value=httpx.Response(504, text="<html>504 Gateway Time-out</html>")
    )
    with pytest.raises(OutcomeUnknown):
        connector.publish(OutgoingPost(text="hi", idempotency_key="delivery-42"))
    assert create.call_count == 1


def test_a_server_that_cannot_be_reached_is_unreachable_not_unknown(router, connector):
    router.post(f"{BASE}/api/v1/statuses").mock(side_effect=httpx.ConnectError("refused"))
    with pytest.raises(NetworkUnreachable) as caught:
        connector.publish(OutgoingPost(text="hi", idempotency_key="k"))
    assert not isinstance(caught.value, OutcomeUnknown)
    assert "mastodon.social" in str(caught.value)


def test_a_garbled_answer_to_a_post_is_an_unknown_outcome(router, connector):
    router.post(f"{BASE}/api/v1/statuses").mock(
        return_value=httpx.Response(200, text="<html>Bad gateway</html>")
    )
    with pytest.raises(OutcomeUnknown):
        connector.publish(OutgoingPost(text="hi", idempotency_key="k"))


def test_an_answer_without_an_id_is_an_unknown_outcome(router, connector):
    router.post(f"{BASE}/api/v1/statuses").mock(return_value=httpx.Response(200, json={}))
    with pytest.raises(OutcomeUnknown):
        connector.publish(OutgoingPost(text="hi", idempotency_key="k"))


def reset_in(delta: timedelta) -> tuple[datetime, str]:
    when = (datetime.now(UTC) + delta).replace(microsecond=0)
    return when, when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")  # Mastodon sends iso8601(6)


def test_a_short_rate_limit_is_waited_out_and_the_post_retried(router, connector, sleeps):
    _, header = reset_in(timedelta(seconds=5))
    router.post(f"{BASE}/api/v1/statuses").mock(
        side_effect=[
            answer("status_create_rate_limited", **{"X-RateLimit-Reset": header}),
            answer("status_create"),
        ]
    )
    published = connector.publish(OutgoingPost(text="hi", idempotency_key="k"))
    assert published.remote_id == "103254962155278888"
    assert len(sleeps) == 1 and 0 < sleeps[0] <= 5


def test_a_long_rate_limit_ends_in_rate_limited_until_mastodons_reset_time(
    router, connector, sleeps
):
    until, header = reset_in(timedelta(minutes=10))
    router.post(f"{BASE}/api/v1/statuses").mock(
        return_value=answer("status_create_rate_limited", **{"X-RateLimit-Reset": header})
    )
    with pytest.raises(RateLimited) as caught:
        connector.publish(OutgoingPost(text="hi", idempotency_key="k"))
    assert caught.value.until == until
    assert sleeps == []


def test_an_unknown_visibility_is_refused_before_anything_is_sent(router, connector):
    with pytest.raises(PayloadRejected) as caught:
        connector.publish(
            OutgoingPost(text="hi", idempotency_key="k", options={"visibility": "friends"})
        )
    assert "public, unlisted, private" in str(caught.value)
    assert not router.calls


def test_an_image_over_the_servers_image_limit_is_refused_before_uploading(
    router, sleeps, tmp_path
):
    connector = mastodon(router, sleeps, limits={"media": {"image_max_bytes": 1000}})
    post = OutgoingPost(
        text="hi",
        idempotency_key="k",
        media=[media_file(tmp_path, "big.jpg", "image/jpeg", size=2000)],
    )
    with pytest.raises(PayloadRejected) as caught:
        connector.publish(post)
    assert "big.jpg" in str(caught.value)
    assert not router.calls


def test_a_video_is_held_to_the_video_limit_not_the_image_limit(router, connector, tmp_path):
    route(router, fixture("media_upload"))
    route(router, fixture("status_create"))
    video = media_file(tmp_path, "v.mp4", "video/mp4", size=17 * 1024 * 1024)
    published = connector.publish(OutgoingPost(text="hi", idempotency_key="k", media=[video]))
    assert published.remote_id


def test_a_content_warning_counts_towards_the_limit_before_uploading(router, connector, tmp_path):
    post = OutgoingPost(
        text="a" * 490,
        idempotency_key="k",
        media=[media_file(tmp_path, "a.jpg", "image/jpeg")],
        options={"content_warning": "graphic violence"},
    )
    with pytest.raises(PayloadRejected) as caught:
        connector.publish(post)
    assert "506 characters with the content warning" in str(caught.value)
    assert not router.calls


# --- deleting ---------------------------------------------------------------------------


def test_deleting_a_post_sends_delete_for_its_id(router, connector):
    delete = route(router, fixture("status_delete"))
    connector.delete(Published(remote_id="103254193998341330"))
    assert_sent(delete.calls.last.request, fixture("status_delete"))


def test_deleting_a_post_that_is_already_gone_counts_as_done(router, connector):
    delete = route(router, fixture("status_delete_not_found"))
    connector.delete(Published(remote_id="103254193998341330"))  # no error: it is gone
    assert delete.call_count == 1


def test_looking_up_a_post_says_whether_it_is_still_there(router, connector):
    route(router, fixture("status_get"))
    route(router, fixture("status_get_not_found"))
    assert connector.exists(Published(remote_id="1")) is True
    assert connector.exists(Published(remote_id="2")) is False


# --- reading -----------------------------------------------------------------------------


def test_reading_a_hashtag_maps_each_status_and_moves_the_cursor_to_the_newest(router, connector):
    tag = route(router, fixture("timeline_tag"))

    page = connector.read(Source("hashtag", "#cats"), "103200000000000000")

    assert_sent(tag.calls.last.request, fixture("timeline_tag"))
    assert page.cursor == "103206185588894565"
    first, second = page.items
    assert first.network == "mastodon"
    assert first.remote_id == "103206185588894565"
    assert first.text == "#cats"
    assert first.hashtags == ["cats"]
    assert first.links == []  # a hashtag link is not a link to the outside
    assert first.author.handle == "@Gargron@mastodon.social"
    assert first.created_at == datetime(2019, 11, 26, 20, 50, 15, 866000, tzinfo=UTC)
    assert (first.metrics.replies, first.metrics.reposts, first.metrics.likes) == (0, 1, 4)
    assert second.text == (
        "Caught on the hop. 😺\n\n#Qualitätskatzen #cats #mastocats\n"
        "(photo: @kernpanik | license: CC BY-NC-SA 4.0)"
    )
    assert second.author.handle == "@noiob@awoo.space"
    assert second.mentions == ["kernpanik@chaos.social"]
    assert second.hashtags == ["qualitätskatzen", "cats", "mastocats"]
    assert second.media[0].kind == "image"
    assert second.media[0].alt == "test media description"
    assert second.media[0].url.endswith("57859aede991da25.jpeg")
    assert second.language == "en"
    assert second.raw["id"] == "103203659567597966"


def test_a_hashtag_nobody_on_the_server_has_used_reads_as_empty(router, connector):
    route(router, fixture("timeline_tag_unknown"))
    page = connector.read(Source("hashtag", "neverusedhere"), "5")
    assert page.items == [] and page.cursor is None


def test_reading_mentions_keeps_the_notification_id_as_the_cursor(router, connector):
    mentions = route(router, fixture("notifications_mentions"))

    page = connector.read(Source("mentions"), None)

    assert_sent(mentions.calls.last.request, fixture("notifications_mentions"))
    assert page.cursor == "34975861"
    (item,) = page.items
    assert item.remote_id == "103186126728896492"
    assert item.text == "@trwnh sup!"
    assert item.mentions == ["trwnh@mastodon.social"]
    assert item.reply_to_id == "103186038209478945"


def test_reading_an_account_looks_it_up_and_maps_boosts_and_links(router, connector):
    lookup = route(router, fixture("accounts_lookup"))
    statuses = route(router, fixture("account_statuses"))

    page = connector.read(Source("account", "@Gargron"), None)

    assert_sent(lookup.calls.last.request, fixture("accounts_lookup"))
    assert_sent(statuses.calls.last.request, fixture("account_statuses"))
    article, boost = page.items
    guardian = (
        "https://www.theguardian.com/money/2019/dec/07/"
        "i-lost-my-193000-inheritance-with-one-wrong-digit-on-my-sort-code"
    )
    assert (
        article.text
        == f'"I lost my inheritance with one wrong digit on my sort code"\n\n{guardian}'
    )
    assert article.links == [guardian]  # the anchor and the preview card, once
    assert boost.remote_id == "103254401326800919"
    assert boost.repost_of_id == "99734435964706331"
    assert boost.author.handle == "@Gargron@mastodon.social"  # who boosted it
    assert boost.text == "Polizeigewalt\n\n@trwnh Freiheit für die Zehn! #FreeTheTen"
    assert boost.hashtags == ["freetheten"]
    assert boost.reply_to_id == "99734435964700000"
    assert boost.language == "de"
    assert boost.url == "https://awoo.space/@noiob/99734435964706331"
    assert page.cursor == "103270115826048975"


def test_an_account_the_server_does_not_know_is_refused_with_advice(router, connector):
    route(router, fixture("accounts_lookup_not_found"))
    with pytest.raises(PayloadRejected) as caught:
        connector.read(Source("account", "nobody@nowhere.example"), None)
    assert "search for it once" in str(caught.value)


def test_reading_a_list_keeps_line_breaks_and_paragraphs(router, connector):
    listed = route(router, fixture("timeline_list"))
    page = connector.read(Source("list", "13"), None)
    assert_sent(listed.calls.last.request, fixture("timeline_list"))
    assert page.items[0].text == "Line one\nline two\n\nSecond paragraph & more"


def test_a_list_that_is_not_this_accounts_is_refused(router, connector):
    route(router, fixture("timeline_list_not_found"))
    with pytest.raises(PayloadRejected) as caught:
        connector.read(Source("list", "99"), None)
    assert "no Mastodon list 99" in str(caught.value)


def test_a_keyword_search_reads_statuses_with_their_content_warnings(router, connector):
    search = route(router, fixture("search_statuses"))
    page = connector.read(Source("keyword", "cats"), None)
    assert_sent(search.calls.last.request, fixture("search_statuses"))
    first, second = page.items
    assert first.text == "cats\ncats never change"
    assert second.text == "Cats\n\nCats are inherently good at self-care.\n\n#cats"
    assert page.cursor == "103085519055545958"


def test_a_read_that_times_out_is_retried(router, connector, sleeps):
    router.get(f"{BASE}/api/v1/timelines/list/13").mock(
        side_effect=[httpx.ReadTimeout("slow"), answer("timeline_list")]
    )
    page = connector.read(Source("list", "13"), None)
    assert len(page.items) == 1
    assert len(sleeps) == 1


@pytest.mark.parametrize(
    "response",
    [httpx.Response(200, json={"statuses": []}), httpx.Response(200, text="<html>oops</html>")],
)
def test_a_read_answered_in_an_unknown_shape_is_unexpected(router, connector, response):
    router.get(f"{BASE}/api/v1/timelines/list/13").mock(return_value=response)
    with pytest.raises(UnexpectedResponse):
        connector.read(Source("list", "13"), None)


def test_an_unknown_source_is_not_supported(connector):
    with pytest.raises(NotSupported):
        connector.read(Source("feed", "https://example.org/feed"), None)


def test_newest_id_compares_mastodon_ids_as_numbers_and_others_as_text():
    assert newest_id(["99", "100", "98"]) == "100"
    assert newest_id(["9zQ", "A1b"]) == "A1b"  # flake ids sort as text
    assert newest_id([]) is None


# --- metrics and own posts ---------------------------------------------------------------


def test_metrics_come_in_one_call_and_leave_out_posts_that_are_gone(router, connector):
    index = route(router, fixture("statuses_index"))
    found = connector.metrics([Published("1"), Published("2")])
    assert_sent(index.calls.last.request, fixture("statuses_index"))
    assert set(found) == {"1"}
    assert (found["1"].replies, found["1"].reposts, found["1"].likes) == (7, 98, 112)


def test_metrics_fall_back_to_one_call_per_post_on_servers_before_4_3(router, connector):
    route(router, fixture("statuses_index_missing"))
    one = route(router, fixture("status_get"))
    route(router, fixture("status_get_not_found"))
    found = connector.metrics([Published("1"), Published("2")])
    assert_sent(one.calls.last.request, fixture("status_get"))
    assert set(found) == {"1"} and found["1"].likes == 112


def test_recent_posts_are_the_accounts_own_without_boosts(router, connector):
    route(router, fixture("verify_credentials"))
    own = route(router, fixture("own_statuses"))
    posts = connector.recent_posts()
    assert_sent(own.calls.last.request, fixture("own_statuses"))
    assert [post.remote_id for post in posts] == ["103254962155278888", "103254193998341330"]
    assert posts[0].text == "Free the Ten! Vigil on Friday at 18:00 https://example.org/vigil"
    assert posts[0].links == ["https://example.org/vigil"]


# --- length and media, counted Mastodon's way --------------------------------------------


def test_the_manifest_counts_urls_as_23_and_remote_mentions_by_their_local_part(connector):
    limits = connector.limits()
    assert limits["text"] == {"max": 500, "counted": "mastodon", "url_length": 23}
    long_url = "https://example.org/" + "x" * 400
    # A space before the link: Mastodon (twitter-text) takes no link that follows a letter.
    assert text.check(limits, "a" * 476 + " " + long_url, label="Mastodon") == []
    assert text.check(limits, "a" * 477 + " " + long_url, label="Mastodon") != []
    mention = "@someone@a-very-long-server-name.example "
    assert text.check(limits, mention + "a" * (500 - len("@someone ")), label="Mastodon") == []


def test_arabic_is_counted_letter_by_letter(connector):
    limits = connector.limits()
    assert text.check(limits, ARABIC * 125, label="Mastodon") == []
    problems = text.check(limits, ARABIC * 125 + ARABIC[0], label="Mastodon")
    assert "501 characters, the limit is 500" in problems[0].message


@pytest.mark.parametrize(
    ("sample", "counted"),
    [
        (WAVE * 500, 500),
        (FAMILY * 3, 3),
        ("cafe\u0301", 4),
        (BHARAT, 3),
        (ARABIC, 4),
        ("🇵🇸", 1),
        ("read https://example.org/" + "x" * 300, 5 + 23),
        ("hi @alice@mastodon.social", len("hi @alice")),
    ],
)
def test_mastodon_length_counts_graphemes_urls_and_mentions_like_the_server(sample, counted):
    assert mastodon_length(sample) == counted


def test_the_content_warning_shares_the_budget_and_its_urls_are_not_shortened():
    assert mastodon_length("body", spoiler="CW " + WAVE) == 4 + 4
    assert mastodon_length("", spoiler="https://example.org/abc") == len("https://example.org/abc")


def test_limits_learned_from_the_server_replace_the_defaults(router, sleeps, tmp_path):
    connector = mastodon(
        router, sleeps, limits={"text": {"max": 5000}, "media": {"max_count": 2, "alt_max": 10}}
    )
    limits = connector.limits()
    assert limits["text"]["max"] == 5000 and limits["text"]["counted"] == "mastodon"
    assert text.check(limits, "a" * 4000, label="Mastodon") == []
    files = [media_file(tmp_path, f"{n}.jpg", "image/jpeg", alt="x" * 11) for n in range(3)]
    messages = [problem.message for problem in text.check(limits, "hi", files, label="Mastodon")]
    assert any("at most 2 files" in message for message in messages)
    assert any("description of 0.jpg" in message for message in messages)


def test_a_file_type_the_server_does_not_take_is_named(connector, tmp_path):
    bmp = media_file(tmp_path, "scan.bmp", "image/bmp")
    problems = text.check(connector.limits(), "hi", [bmp], label="Mastodon")
    assert "image/bmp" in problems[0].message


# --- secrets and addresses ---------------------------------------------------------------


def test_no_error_message_contains_the_token_even_when_the_server_repeats_it(router, connector):
    router.post(f"{BASE}/api/v1/statuses").mock(
        return_value=httpx.Response(422, json={"error": f"Token {TOKEN} may not post this"})
    )
    router.get(f"{BASE}/api/v1/accounts/verify_credentials").mock(
        return_value=httpx.Response(401, json={"error": f"Unknown token {TOKEN}"})
    )
    errors = []
    for call in (
        lambda: connector.publish(OutgoingPost(text="hi", idempotency_key="k")),
        connector.check,
    ):
        with pytest.raises(Exception) as caught:
            call()
        errors.append(caught.value)
    for error in errors:
        assert TOKEN not in str(error)
        assert TOKEN not in error.reason
        assert "[secret]" in error.reason


def test_the_client_secret_never_appears_in_a_sign_in_error(router):
    router.post(f"{BASE}/oauth/token").mock(
        return_value=httpx.Response(
            401, json={"error": "invalid_client", "error_description": f"bad {CLIENT_SECRET}"}
        )
    )
    connector = views.connector_for(BASE, client_secret=CLIENT_SECRET)
    connector.transport = transport(router)
    with pytest.raises(PayloadRejected) as caught:
        connector.exchange_code(
            client_id="id", client_secret=CLIENT_SECRET, redirect_uri="https://x/cb", code="c"
        )
    assert CLIENT_SECRET not in str(caught.value)


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        ("mastodon.social", "https://mastodon.social"),
        ("https://mastodon.social/", "https://mastodon.social"),
        ("  HTTPS://Mastodon.Social  ", "https://mastodon.social"),
        ("https://mastodon.social/@trwnh", "https://mastodon.social"),
        ("http://localhost:3000", "http://localhost:3000"),
    ],
)
def test_server_addresses_are_normalised(typed, normalised):
    assert normalise_base_url(typed) == normalised


@pytest.mark.parametrize(
    "typed", ["", "ftp://mastodon.social", "javascript:alert(1)", "https://", "https://u:p@host"]
)
def test_addresses_that_are_not_web_servers_are_refused(typed):
    with pytest.raises(ValueError):
        normalise_base_url(typed)


def test_a_bad_address_in_the_settings_is_a_permanent_error_that_says_what_to_do(router):
    connector = MastodonConnector(
        config={"base_url": "ftp://mastodon.social"},
        secrets={"access_token": TOKEN},
        transport=transport(router),
    )
    with pytest.raises(InvalidServerAddress) as caught:
        connector.check()
    assert caught.value.permanent
    assert "https://" in str(caught.value)


# --- "Sign in with Mastodon" ---------------------------------------------------------------

START = "/t/team-a/channels/mastodon/start/"
CALLBACK = "/t/team-a/channels/mastodon/callback/"
sign_in = pytest.mark.urls(__name__)


@pytest.fixture
def network(router, monkeypatch) -> respx.Router:
    monkeypatch.setattr(views, "TRANSPORT", transport(router))
    return router


def begin(client, network) -> dict:
    """Start a sign-in as this client; return the query of the authorise address."""
    route(network, fixture("apps_create"))
    response = client.post(START, {"instance": "mastodon.social", "name": "Mastodon — main"})
    assert response.status_code == 302
    return {k: v[0] for k, v in parse_qs(urlsplit(response["Location"]).query).items()}


@sign_in
def test_the_start_page_asks_for_the_server_and_a_name(as_alice):
    response = as_alice.get(START)
    assert response.status_code == 200
    assert b'name="instance"' in response.content
    assert b'name="name"' in response.content


@sign_in
def test_an_owner_is_sent_to_their_server_to_approve_houseboat(as_alice, network):
    register = route(network, fixture("apps_create"))
    response = as_alice.post(START, {"instance": "mastodon.social/", "name": "Mastodon — main"})

    assert response.status_code == 302
    where = urlsplit(response["Location"])
    assert (where.scheme, where.netloc, where.path) == (
        "https",
        "mastodon.social",
        "/oauth/authorize",
    )
    query = {k: v[0] for k, v in parse_qs(where.query).items()}
    assert query["response_type"] == "code"
    assert query["client_id"] == "TWhM-tNSuncnqN7DBJmoyeLnk6K3iJJ71KKXxgL1hPM"
    assert query["redirect_uri"] == f"http://testserver{CALLBACK}"
    assert query["scope"] == "read write"
    assert query["force_login"] == "true"
    assert len(query["state"]) >= 32
    assert "scope=read+write" in where.query
    assert_sent(register.calls.last.request, fixture("apps_create"))
    pending = as_alice.session[views.SESSION_KEY]
    assert pending["state"] == query["state"]
    assert CLIENT_SECRET not in str(pending)  # kept encrypted in the session table


@sign_in
def test_the_callback_creates_the_checked_channel_and_records_it(as_alice, network, team_a):
    query = begin(as_alice, network)
    exchange = route(network, fixture("oauth_token"))
    route(network, fixture("verify_credentials"))
    route(network, fixture("instance_v2"))
    route(network, fixture("apps_verify_credentials"))

    response = as_alice.get(
        CALLBACK,
        {"code": fixture("oauth_token")["request"]["form"]["code"], "state": query["state"]},
    )

    assert response.status_code == 302
    assert response["Location"].startswith("/t/team-a/channels/")
    assert_sent(exchange.calls.last.request, fixture("oauth_token"))
    channel = Channel.objects.get(team=team_a, network="mastodon")
    assert channel.name == "Mastodon — main"
    assert channel.config["base_url"] == BASE
    assert channel.secrets == {"access_token": TOKEN}
    assert channel.account_handle == "@trwnh@mastodon.social"
    assert channel.status == "ok"
    assert channel.config["limits"]["text"]["max"] == 500
    event = AuditEvent.objects.get(action=AuditAction.CHANNEL_ADDED)
    assert event.target == "Mastodon — main" and event.team == team_a
    assert views.SESSION_KEY not in as_alice.session  # the state works once


@sign_in
def test_a_denied_authorisation_says_so_and_connects_nothing(as_alice, network):
    query = begin(as_alice, network)
    response = as_alice.get(
        CALLBACK, {"error": "access_denied", "error_description": "denied", "state": query["state"]}
    )
    assert response.status_code == 400
    assert b"did not allow houseboat" in response.content
    assert not Channel.objects.filter(network="mastodon").exists()


@sign_in
def test_a_callback_with_another_state_is_refused(as_alice, network):
    begin(as_alice, network)
    exchange = route(network, fixture("oauth_token"))
    response = as_alice.get(CALLBACK, {"code": "c", "state": "forged"})
    assert response.status_code == 400
    assert b"Start again" in response.content
    assert not exchange.called
    assert not Channel.objects.filter(network="mastodon").exists()


@sign_in
def test_a_callback_nobody_started_is_refused(as_alice, network):
    response = as_alice.get(CALLBACK, {"code": "c", "state": "s"})
    assert response.status_code == 400


@sign_in
def test_an_expired_code_shows_a_clear_message(as_alice, network):
    query = begin(as_alice, network)
    route(network, fixture("oauth_token_invalid_grant"))
    response = as_alice.get(CALLBACK, {"code": "old", "state": query["state"]})
    assert response.status_code == 400
    assert b"expired or was used already" in response.content
    assert CLIENT_SECRET.encode() not in response.content


@sign_in
def test_an_unreachable_server_shows_a_message_not_a_traceback(as_alice, network):
    network.post(f"{BASE}/api/v1/apps").mock(side_effect=httpx.ConnectError("no route"))
    response = as_alice.post(START, {"instance": "mastodon.social", "name": "Mastodon"})
    assert response.status_code == 400
    assert b"could not be reached" in response.content
    assert b"Traceback" not in response.content


@sign_in
def test_a_server_that_refuses_the_app_shows_its_reason(as_alice, network):
    route(network, fixture("apps_create_invalid"))
    response = as_alice.post(START, {"instance": "mastodon.social", "name": "Mastodon"})
    assert response.status_code == 400
    assert b"Redirect URI must be an absolute URI" in response.content


@sign_in
def test_an_address_that_is_not_a_web_server_is_refused_in_the_form(as_alice, network):
    response = as_alice.post(START, {"instance": "ftp://mastodon.social", "name": "Mastodon"})
    assert response.status_code == 400
    assert b"not a web address" in response.content
    assert not network.calls


@sign_in
@pytest.mark.parametrize("page", [START, CALLBACK])
def test_a_contributor_may_not_connect_mastodon(as_charlie, page):
    assert as_charlie.get(page).status_code == 403


@sign_in
@pytest.mark.parametrize("page", [START, CALLBACK])
def test_an_outsider_gets_404(as_mallory, alice, page):
    assert as_mallory.get(page).status_code == 404
    assert as_mallory.post(page).status_code == 404


def test_a_server_that_is_not_mastodon_is_named_as_a_wrong_address(router, connector):
    router.get(f"{BASE}/api/v1/accounts/verify_credentials").mock(
        return_value=httpx.Response(404, text="<html>Not Found</html>")
    )
    with pytest.raises(InvalidServerAddress) as caught:
        connector.check()
    assert "does not answer like a Mastodon server" in str(caught.value)


@pytest.mark.parametrize(
    ("html", "plain", "links"),
    [
        ("<p>a</p>\n<p>b<br/>c</p>", "a\n\nb\nc", []),
        (
            '<p class="quote-inline">RE: <a href="https://x.example/@a/1">x.example/@a/1</a></p>'
            "<p>Agreed!</p>",
            "Agreed!",
            [],
        ),
        (
            '<p><a class="hashtag" data-tag="cats" href="https://pleroma.example/tag/cats">'
            '#cats</a> <a href="https://example.org/r">example.org/r</a></p>',
            "#cats example.org/r",
            ["https://example.org/r"],
        ),
        ("<p>5 &lt; 6 &amp;&amp; caf&eacute;</p>", "5 < 6 && café", []),
    ],
)
def test_status_html_becomes_plain_text_with_its_outside_links(html, plain, links):
    assert html_to_text(html) == (plain, links)
