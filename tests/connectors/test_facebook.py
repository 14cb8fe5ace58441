"""Facebook Pages: what houseboat sends to the Graph API and how it reads the answers."""

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import respx

from houseboat.connectors import text
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
    UnexpectedResponse,
)
from houseboat.connectors.facebook.connector import GROUPS_NOTICE, FacebookConnector, hashtags
from houseboat.connectors.facebook.graph import appsecret_proof
from houseboat.connectors.registry import connector_class
from tests.connectors.replay import assert_sent, load, response_for, route, transport

PAGE = "1234567890"
TOKEN = "EAAGm0PX4ZCpsBAPageToken0123456789"
APP_SECRET = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
GRAPH = "https://graph.facebook.com/v26.0"
DOC = Path(__file__).resolve().parents[2] / "houseboat/connectors/facebook/doc.md"


def fixture(name: str) -> dict:
    return load("facebook", name)


def facebook(router: respx.Router, sleeps: list | None = None, **secrets) -> FacebookConnector:
    connector = FacebookConnector(
        config={"page_id": PAGE},
        secrets={"page_access_token": TOKEN, **secrets},
        transport=transport(router),
    )
    connector.sleep = sleeps.append if sleeps is not None else (lambda seconds: None)
    return connector


def no_comments(router: respx.Router) -> respx.Route:
    """A page read also looks for comments on recent posts: here the Page has no posts."""
    return router.get(f"{GRAPH}/{PAGE}/posts").mock(
        return_value=httpx.Response(200, json={"data": []})
    )


def photo(tmp_path: Path, name: str = "vigil.jpg", size: int = 2048, alt: str = "") -> MediaFile:
    path = tmp_path / name
    path.write_bytes(b"\xff\xd8\xff" + b"\0" * (size - 3))
    return MediaFile(path=path, mime_type="image/jpeg", alt=alt)


def post(text_: str = "Vigil on Friday at the ministry. #FreeTheTen", **options) -> OutgoingPost:
    return OutgoingPost(text=text_, idempotency_key="delivery-1", options=options)


def form_fields(request: httpx.Request) -> dict[str, str]:
    """The plain fields of a multipart body (files left out)."""
    boundary = request.headers["content-type"].split("boundary=")[1].encode()
    fields = {}
    for part in request.content.split(b"--" + boundary):
        head, _, body = part.partition(b"\r\n\r\n")
        if b"filename=" in head or b'name="' not in head:
            continue
        name = head.split(b'name="')[1].split(b'"')[0].decode()
        fields[name] = body.rstrip(b"\r\n").decode()
    return fields


# -- the manifest and the registry ------------------------------------------------------


def test_the_registry_finds_the_facebook_connector_and_its_manifest():
    assert connector_class("facebook") is FacebookConnector
    manifest = FacebookConnector.manifest
    assert manifest["network"] == "facebook" and manifest["label"] == "Facebook Page"
    assert "threads" not in manifest["can"] and "publish" in manifest["can"]
    names = [field["name"] for field in manifest["credentials"] + manifest["settings"]]
    assert names == [
        "page_access_token",
        "app_secret",
        "page_id",
        "graph_version",
        "graph_base_url",
    ]


def test_the_groups_notice_is_in_the_manifest_and_at_the_top_of_the_help():
    assert GROUPS_NOTICE in FacebookConnector.manifest["notes"]
    help_text = DOC.read_text(encoding="utf-8")
    assert GROUPS_NOTICE in help_text[:1200]


def test_the_graph_version_is_a_setting_with_the_newest_as_default():
    router = respx.Router()
    route(router, fixture("me_page"))
    connector = FacebookConnector(
        config={"page_id": PAGE, "graph_version": "21.0"},
        secrets={"page_access_token": TOKEN},
        transport=transport(router),
    )
    assert connector.graph_url("me") == "https://graph.facebook.com/v21.0/me"
    assert facebook(router).graph_url(PAGE, "feed") == f"{GRAPH}/{PAGE}/feed"


def test_an_id_cannot_change_the_path_it_is_put_in():
    assert facebook(respx.Router()).graph_url("../me/feed?x=1") == f"{GRAPH}/..%2Fme%2Ffeed%3Fx%3D1"


# -- publishing -----------------------------------------------------------------------------


def test_a_text_post_with_a_link_goes_to_the_page_feed():
    router = respx.Router()
    feed = route(router, fixture("publish_text"))
    published = facebook(router).publish(post(link="https://freetheten.example/vigil"))
    sent = feed.calls.last.request
    assert_sent(sent, fixture("publish_text"))
    assert "access_token" not in str(sent.url)  # the token travels in the header only
    assert published == Published(
        remote_id=f"{PAGE}_9876543210", url=f"https://www.facebook.com/{PAGE}_9876543210"
    )


def test_a_scheduled_post_is_sent_unpublished_with_its_time():
    router = respx.Router()
    feed = route(router, fixture("publish_scheduled"))
    when = datetime.fromtimestamp(1796112000, UTC)
    published = facebook(router).publish(post("Tomorrow: the verdict.", scheduled_at=when))
    assert_sent(feed.calls.last.request, fixture("publish_scheduled"))
    assert published.remote_id == f"{PAGE}_9876543211"


def test_one_photo_is_posted_with_the_message_as_its_caption(tmp_path):
    router = respx.Router()
    photos = route(router, fixture("publish_photo"))
    media = photo(tmp_path, alt="Candles outside the ministry")
    published = facebook(router).publish(
        OutgoingPost(text="Vigil tonight 🕯️", idempotency_key="d-2", media=[media])
    )
    sent = photos.calls.last.request
    assert_sent(sent, fixture("publish_photo"))
    assert form_fields(sent) == {
        "caption": "Vigil tonight 🕯️",
        "alt_text_custom": "Candles outside the ministry",
    }
    assert b'name="source"; filename="vigil.jpg"' in sent.content
    assert media.path.read_bytes() in sent.content
    # The answer names the photo and the post that shows it: the post is what was published.
    assert published.remote_id == f"{PAGE}_9876543212"


def test_several_photos_are_uploaded_unpublished_then_posted_together(tmp_path):
    router = respx.Router()
    uploads = router.post(f"{GRAPH}/{PAGE}/photos").mock(
        side_effect=[
            response_for(fixture("upload_unpublished_photo")),
            httpx.Response(200, json={"id": "5555000223"}),
        ]
    )
    feed = route(router, fixture("publish_album"))
    media = [photo(tmp_path, "a.jpg"), photo(tmp_path, "b.jpg")]
    published = facebook(router).publish(
        OutgoingPost(text="Day 100 in photos.", idempotency_key="d-3", media=media)
    )
    assert uploads.call_count == 2
    assert_sent(uploads.calls[0].request, fixture("upload_unpublished_photo"))
    assert all(form_fields(call.request) == {"published": "false"} for call in uploads.calls)
    assert_sent(feed.calls.last.request, fixture("publish_album"))
    assert published.remote_id == f"{PAGE}_9876543213"


def test_an_unpublished_photo_upload_is_retried_after_a_timeout_because_nobody_sees_it(tmp_path):
    router = respx.Router()
    uploads = router.post(f"{GRAPH}/{PAGE}/photos").mock(
        side_effect=[
            httpx.ReadTimeout("timed out"),
            httpx.Response(200, json={"id": "5555000222"}),
            httpx.Response(200, json={"id": "5555000223"}),
        ]
    )
    route(router, fixture("publish_album"))
    media = [photo(tmp_path, "a.jpg"), photo(tmp_path, "b.jpg")]
    facebook(router).publish(
        OutgoingPost(text="Day 100 in photos.", idempotency_key="d", media=media)
    )
    assert uploads.call_count == 3
    # The retried upload carried the whole photo again, not an exhausted file.
    assert media[0].path.read_bytes() in uploads.calls[1].request.content


def test_a_thread_is_not_supported():
    with pytest.raises(NotSupported):
        facebook(respx.Router()).publish(
            OutgoingPost(
                text="part 2",
                idempotency_key="d",
                reply_to=Published(remote_id="1_2"),
                thread_root=Published(remote_id="1_2"),
            )
        )


def test_a_reply_from_the_inbox_is_a_comment_under_what_it_answers():
    router = respx.Router()
    comments = route(router, fixture("publish_comment"))
    published = facebook(router).publish(
        OutgoingPost(
            text="Thank you, Lagos. The vigil is on Friday at 6 pm.",
            idempotency_key="d",
            reply_to=Published(remote_id=f"{PAGE}_9876543220"),
        )
    )
    assert_sent(comments.calls.last.request, fixture("publish_comment"))
    assert published.remote_id == "9876543220_1122334455"


def test_a_duplicate_post_is_rejected_as_already_posted():
    router = respx.Router()
    route(router, fixture("duplicate_post"))
    with pytest.raises(PayloadRejected) as caught:
        facebook(router).publish(post())
    assert "already posted" in str(caught.value)
    assert "identical to the last one you posted" in caught.value.reason


def test_a_post_that_breaks_facebooks_rules_shows_facebooks_own_words():
    router = respx.Router()
    feed = route(router, fixture("invalid_parameter"))
    with pytest.raises(PayloadRejected) as caught:
        facebook(router).publish(post(link="https://bad link"))
    assert "The link you tried to post is not valid" in str(caught.value)
    assert feed.call_count == 1


# -- failures ----------------------------------------------------------------------------------


def test_an_expired_or_revoked_token_asks_for_a_new_page_token():
    router = respx.Router()
    route(router, fixture("token_expired"))
    with pytest.raises(AuthRevoked) as caught:
        facebook(router).publish(post())
    assert caught.value.message == (
        "The Facebook Page token expired or was revoked (for example after a password "
        "change): create a new Page access token and reconnect."
    )
    assert caught.value.permanent


def test_a_missing_permission_is_named():
    router = respx.Router()
    route(router, fixture("permission_missing"))
    with pytest.raises(PermissionMissing) as caught:
        facebook(router).publish(post())
    assert "pages_manage_posts and pages_read_engagement permission" in caught.value.message


def test_a_temporarily_blocked_page_is_told_so():
    router = respx.Router()
    route(router, fixture("blocked"))
    with pytest.raises(PermissionMissing) as caught:
        facebook(router).publish(post())
    assert caught.value.message.startswith(
        "Facebook has temporarily blocked this page from posting"
    )


@pytest.mark.parametrize("status", [400, 403])
def test_a_rate_limit_in_an_error_answer_waits_as_long_as_the_usage_header_says(status):
    limited = fixture("rate_limited")
    limited["response"]["status"] = status  # Facebook throttles with 400 or 403, not 429
    router = respx.Router()
    feed = route(router, limited)
    sleeps: list[float] = []
    before = datetime.now(UTC)
    with pytest.raises(RateLimited) as caught:
        facebook(router, sleeps).publish(post())
    assert before + timedelta(minutes=12) <= caught.value.until
    assert caught.value.until <= datetime.now(UTC) + timedelta(minutes=12)
    assert feed.call_count == 1 and sleeps == []  # twelve minutes is too long to wait here


def test_a_rate_limit_without_a_usage_header_waits_five_minutes():
    limited = fixture("rate_limited")
    del limited["response"]["headers"]
    limited["response"]["json"]["error"]["code"] = 32
    limited["request"]["method"] = "GET"
    router = respx.Router()
    route(router, limited)
    with pytest.raises(RateLimited) as caught:
        no_comments(router)
        facebook(router).read(Source("page"), None)
    remaining = caught.value.until - datetime.now(UTC)
    assert timedelta(minutes=4) < remaining <= timedelta(minutes=5)


def test_a_rate_limit_short_enough_is_waited_out_and_the_post_made_once():
    limited = fixture("rate_limited")
    usage = json.loads(limited["response"]["headers"]["X-Business-Use-Case-Usage"])
    usage[PAGE][0]["estimated_time_to_regain_access"] = 1
    limited["response"]["headers"]["X-Business-Use-Case-Usage"] = json.dumps(usage)
    router = respx.Router()
    router.post(f"{GRAPH}/{PAGE}/feed").mock(
        side_effect=[
            httpx.Response(
                400, headers=limited["response"]["headers"], json=limited["response"]["json"]
            ),
            httpx.Response(200, json={"id": f"{PAGE}_1"}),
        ]
    )
    sleeps: list[float] = []
    connector = facebook(router, sleeps)
    connector.max_wait = 120  # this channel may wait up to two minutes
    assert connector.publish(post()).remote_id == f"{PAGE}_1"
    assert len(sleeps) == 1 and 55 < sleeps[0] <= 60


def test_a_timeout_while_publishing_means_the_outcome_is_unknown_and_it_is_not_sent_again():
    router = respx.Router()
    feed = router.post(f"{GRAPH}/{PAGE}/feed").mock(side_effect=httpx.ReadTimeout("slow"))
    with pytest.raises(OutcomeUnknown):
        facebook(router).publish(post())
    assert feed.call_count == 1


def test_a_timeout_while_reading_is_retried():
    router = respx.Router()
    answer = fixture("feed")["response"]
    feed = router.get(f"{GRAPH}/{PAGE}/feed").mock(
        side_effect=[httpx.ConnectError("down"), httpx.Response(200, json=answer["json"])]
    )
    no_comments(router)
    page = facebook(router).read(Source("page"), None)
    assert feed.call_count == 2 and len(page.items) == 2


def test_a_garbled_answer_to_a_post_means_the_outcome_is_unknown():
    router = respx.Router()
    router.post(f"{GRAPH}/{PAGE}/feed").mock(return_value=httpx.Response(200, text="<html>"))
    with pytest.raises(OutcomeUnknown):
        facebook(router).publish(post())


def test_an_answer_to_a_post_without_an_id_means_the_outcome_is_unknown():
    router = respx.Router()
    router.post(f"{GRAPH}/{PAGE}/feed").mock(return_value=httpx.Response(200, json={}))
    with pytest.raises(OutcomeUnknown):
        facebook(router).publish(post())


def test_a_malformed_feed_is_an_unexpected_response():
    router = respx.Router()
    router.get(f"{GRAPH}/{PAGE}/feed").mock(return_value=httpx.Response(200, json={"data": "x"}))
    with pytest.raises(UnexpectedResponse):
        no_comments(router)
        facebook(router).read(Source("page"), None)


def test_an_error_answer_that_is_not_facebooks_falls_back_to_the_status():
    router = respx.Router()
    router.post(f"{GRAPH}/{PAGE}/feed").mock(return_value=httpx.Response(401, text="nope"))
    with pytest.raises(AuthRevoked):
        facebook(router).publish(post())


@pytest.mark.parametrize(
    "name", ["token_expired", "permission_missing", "duplicate_post", "blocked", "rate_limited"]
)
def test_no_secret_appears_in_any_error_message(name):
    leaky = fixture(name)
    error = leaky["response"]["json"]["error"]
    error["message"] += f" access_token={TOKEN} appsecret_proof={APP_SECRET}"
    router = respx.Router()
    route(router, leaky)
    with pytest.raises(Exception) as caught:
        facebook(router, app_secret=APP_SECRET).publish(post())
    for shown in (str(caught.value), caught.value.message, caught.value.reason):
        assert TOKEN not in shown and APP_SECRET not in shown


# -- the app secret proof ------------------------------------------------------------------


def test_the_app_secret_proof_is_sent_only_when_the_app_secret_is_known():
    router = respx.Router()
    me = route(router, fixture("me_page"))
    route(router, fixture("page_info"))
    facebook(router).check()
    assert "appsecret_proof" not in me.calls.last.request.url.params
    facebook(router, app_secret=APP_SECRET).check()
    proof = me.calls.last.request.url.params["appsecret_proof"]
    # HMAC-SHA256 of the token, keyed with the app secret, in hex.
    assert proof == hmac.new(APP_SECRET.encode(), TOKEN.encode(), hashlib.sha256).hexdigest()
    assert proof == appsecret_proof(TOKEN, APP_SECRET)


# -- reading ---------------------------------------------------------------------------------


def test_reading_the_page_feed_maps_posts_with_hashtags_links_media_and_counts():
    router = respx.Router()
    feed = router.get(f"{GRAPH}/{PAGE}/feed").mock(
        side_effect=[
            httpx.Response(200, json=fixture("feed")["response"]["json"]),
            httpx.Response(200, json=fixture("feed_next")["response"]["json"]),
        ]
    )
    no_comments(router)
    page = facebook(router).read(Source("page"), "1795392000")
    assert_sent(feed.calls[0].request, fixture("feed"))
    assert len(feed.calls) == 2  # the next page is on the Graph host, so it is followed
    # ...with the link's own query: cursor and fields (httpx drops a link's query when
    # it is sent with params, so the link must be split, not sent with params={}).
    followed = feed.calls[1].request.url.params
    assert followed["__paging_token"] == "enc_AdAnext" and followed["since"] == "1795392000"
    assert "reactions.summary(true)" in followed["fields"]
    first, second, visitor = page.items
    assert first.remote_id == f"{PAGE}_9876543220"
    assert first.created_at == datetime(2026, 11, 24, 9, 15, tzinfo=UTC)
    assert first.hashtags == ["FreeTheTen", "भारत_बचाओ"]
    assert first.links == ["https://freetheten.example/day-100"]
    assert first.media[0].url.endswith("/day100.jpg") and first.media[0].kind == "image"
    assert (first.metrics.replies, first.metrics.reposts, first.metrics.likes) == (17, 41, 230)
    assert first.author.handle == "Free the Ten" and first.url.endswith("/posts/9876543220")
    assert second.hashtags == ["حرية"]
    # A shared link's address is read from behind Facebook's redirect.
    assert second.links == ["https://freetheten.example/appeal"]
    assert second.metrics.reposts == 0  # nobody shared it: Facebook leaves "shares" out
    assert visitor.author.display_name == "Ana Example"
    assert page.cursor == str(int(first.created_at.timestamp()))


def test_a_next_page_off_the_graph_host_is_never_followed():
    answer = fixture("feed")["response"]["json"]
    answer["paging"]["next"] = "https://graph.facebook.com.evil.example/v26.0/feed?after=x"
    router = respx.Router()
    feed = router.get(f"{GRAPH}/{PAGE}/feed").mock(return_value=httpx.Response(200, json=answer))
    no_comments(router)
    page = facebook(router).read(Source("page"), "1795392000")
    assert feed.call_count == 1 and len(page.items) == 2
    assert all(call.request.url.host == "graph.facebook.com" for call in router.calls)
    assert page.more is False


def test_a_first_read_takes_only_the_latest_page():
    router = respx.Router()
    feed = route(router, fixture("feed"))
    no_comments(router)
    page = facebook(router).read(Source("page"), None)
    assert feed.call_count == 1 and "since" not in feed.calls.last.request.url.params
    assert len(page.items) == 2


def test_reading_comments_looks_only_at_posts_commented_on_since_the_cursor():
    router = respx.Router()
    posts = route(router, fixture("posts_updated"))
    comments = route(router, fixture("comments"))
    since = int(datetime(2026, 11, 24, tzinfo=UTC).timestamp())
    page = facebook(router).read(Source("comments"), str(since))
    assert_sent(posts.calls.last.request, fixture("posts_updated"))
    assert_sent(comments.calls.last.request, fixture("comments"))
    assert comments.call_count == 1  # the other post had no comment since the cursor
    newest, anonymous = page.items  # the comment from 20 November was read before
    assert newest.text == "Solidarity from Lagos ✊🏾 #FreeTheTen"
    assert newest.hashtags == ["FreeTheTen"] and newest.reply_to_id == f"{PAGE}_9876543220"
    assert newest.author.remote_id == "100011112222"
    assert anonymous.author is None  # Facebook left out who wrote it
    assert page.cursor == str(int(datetime(2026, 11, 24, 10, 2, 11, tzinfo=UTC).timestamp()))


def test_nothing_new_keeps_the_old_cursor():
    router = respx.Router()
    router.get(f"{GRAPH}/{PAGE}/feed").mock(return_value=httpx.Response(200, json={"data": []}))
    no_comments(router)
    assert facebook(router).read(Source("page"), "1795392000").cursor is None


def test_another_page_or_a_group_cannot_be_read():
    with pytest.raises(NotSupported):
        facebook(respx.Router()).read(Source("page", "999"), None)
    with pytest.raises(NotSupported):
        facebook(respx.Router()).read(Source("group", "42"), None)


def test_recent_posts_lists_the_pages_own_posts():
    router = respx.Router()
    posts = route(router, fixture("recent_posts"))
    items = facebook(router).recent_posts()
    assert_sent(posts.calls.last.request, fixture("recent_posts"))
    assert [item.remote_id for item in items] == [f"{PAGE}_9876543220", f"{PAGE}_9876543219"]


def test_metrics_read_shares_comments_and_reactions_and_skip_a_deleted_post():
    router = respx.Router()
    counts = route(router, fixture("metrics"))
    route(router, fixture("post_gone"))
    found = facebook(router).metrics(
        [Published(remote_id=f"{PAGE}_9876543220"), Published(remote_id=f"{PAGE}_9876543000")]
    )
    assert_sent(counts.calls.last.request, fixture("metrics"))
    assert list(found) == [f"{PAGE}_9876543220"]
    metrics = found[f"{PAGE}_9876543220"]
    assert (metrics.replies, metrics.reposts, metrics.likes, metrics.views) == (17, 41, 230, None)


def test_deleting_a_post_sends_a_delete_and_reads_the_confirmation():
    router = respx.Router()
    deleted = route(router, fixture("delete"))
    facebook(router).delete(Published(remote_id=f"{PAGE}_9876543210"))
    assert_sent(deleted.calls.last.request, fixture("delete"))


def test_a_delete_facebook_does_not_confirm_is_reported():
    router = respx.Router()
    router.delete(f"{GRAPH}/{PAGE}_1").mock(
        return_value=httpx.Response(200, json={"success": False})
    )
    with pytest.raises(UnexpectedResponse):
        facebook(router).delete(Published(remote_id=f"{PAGE}_1"))


def test_deleting_a_post_facebook_says_does_not_exist_counts_as_done():
    router = respx.Router()
    gone = route(router, fixture("delete_gone"))
    facebook(router).delete(Published(remote_id=f"{PAGE}_9876543210"))
    assert gone.call_count == 1


def test_looking_up_a_post_facebook_says_does_not_exist_means_gone():
    router = respx.Router()
    route(router, fixture("post_gone"))
    assert facebook(router).exists(Published(remote_id=f"{PAGE}_9876543000")) is False


# -- checking the account ------------------------------------------------------------------


def test_check_confirms_the_token_is_the_pages_own_and_describes_the_page():
    router = respx.Router()
    me = route(router, fixture("me_page"))
    info = route(router, fixture("page_info"))
    account = facebook(router).check()
    assert_sent(me.calls.last.request, fixture("me_page"))
    assert_sent(info.calls.last.request, fixture("page_info"))
    assert (account.remote_id, account.handle) == (PAGE, "Free the Ten")
    assert account.url == "https://www.facebook.com/freetheten"
    assert "15234 people follow the Page." in account.notes
    assert any("pages_manage_posts" in note for note in account.notes)


def test_check_refuses_a_personal_token_and_says_which_token_to_use():
    router = respx.Router()
    route(router, fixture("me_person"))
    info = route(router, fixture("page_info"))
    with pytest.raises(PermissionMissing) as caught:
        facebook(router).check()
    assert "Alice Organiser" in caught.value.message and "/me/accounts" in caught.value.message
    assert info.call_count == 0


# -- limits ------------------------------------------------------------------------------------


def limits():
    return FacebookConnector(config={"page_id": PAGE}, secrets={}).limits()


@pytest.mark.parametrize(
    "unit",
    [
        "✊🏾",  # an emoji with a skin tone: two code points
        "é",  # e and a combining accent: two code points
        "ح",  # Arabic
        "क्षि",  # Devanagari conjunct: four code points
    ],
)
def test_text_is_counted_in_code_points_up_to_63206(unit):
    per_unit = len(unit)
    fits = unit * (63206 // per_unit)
    assert text.check(limits(), fits, label="Facebook Page") == []
    problems = text.check(limits(), fits + unit, label="Facebook Page")
    assert problems and "the limit is 63206" in problems[0].message


def test_a_url_counts_for_its_full_length_on_facebook():
    url = "https://freetheten.example/" + "a" * 100
    assert text.length(url, "characters") == len(url)
    assert text.check(limits(), "x" * (63206 - len(url)) + url, label="Facebook Page") == []


def test_at_most_ten_photos_of_four_megabytes_in_the_listed_formats(tmp_path):
    ten = [photo(tmp_path, f"{n}.jpg") for n in range(10)]
    assert text.check(limits(), "album", ten, label="Facebook Page") == []
    problems = text.check(
        limits(), "album", [*ten, photo(tmp_path, "11.jpg")], label="Facebook Page"
    )
    assert "at most 10 files" in problems[0].message
    big = photo(tmp_path, "big.jpg", size=4_000_001)
    assert "at most 4.0 MB" in text.check(limits(), "", [big], label="Facebook Page")[0].message
    webp = MediaFile(path=photo(tmp_path, "x.webp").path, mime_type="image/webp")
    assert (
        "does not take image/webp"
        in text.check(limits(), "", [webp], label="Facebook Page")[0].message
    )


def test_publish_refuses_a_post_over_the_limits_before_calling_facebook(tmp_path):
    router = respx.Router()
    with pytest.raises(PayloadRejected) as caught:
        facebook(router).publish(post("x" * 63207))
    assert "Too long for Facebook Page" in str(caught.value)
    assert len(router.calls) == 0


def test_hashtags_are_read_in_any_script_but_not_from_links_or_numbers():
    found = hashtags(
        "#FreeTheTen #भारत_बचाओ #حرية https://x.example/page#section #2026 #café #café"
    )
    assert found == ["FreeTheTen", "भारत_बचाओ", "حرية", "café"]


def test_a_page_column_reads_the_feed_and_the_comments_since_the_cursor_together():
    router = respx.Router()
    feed = router.get(f"{GRAPH}/{PAGE}/feed").mock(
        return_value=httpx.Response(200, json={"data": fixture("feed")["response"]["json"]["data"]})
    )
    posts = route(router, fixture("posts_updated"))
    comments = route(router, fixture("comments"))
    since = int(datetime(2026, 11, 24, tzinfo=UTC).timestamp())

    page = facebook(router).read(Source("page"), str(since))

    assert feed.call_count == 1 and posts.call_count == 1 and comments.call_count == 1
    kinds = [bool(item.reply_to_id) for item in page.items]
    assert kinds == [False, False, True, True], "two posts, then two comments on the first"
    assert page.items[2].reply_to_id == f"{PAGE}_9876543220"
    newest = max(int(item.created_at.timestamp()) for item in page.items)
    assert page.cursor == str(newest) and page.more is False
