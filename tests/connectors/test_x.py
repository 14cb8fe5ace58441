"""X (API v2): posting, threads, media, reading, metrics, both sign-ins, and every failure."""

import base64
import copy
import hashlib
import json
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import oauthlib.oauth1
import pytest
import respx
from django.urls import include, path
from oauthlib.oauth1.rfc5849 import signature, utils

import houseboat.urls
from houseboat.connectors import http, services
from houseboat.connectors.base import (
    AuthRevoked,
    ConnectorError,
    MediaFile,
    Metrics,
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
from houseboat.connectors.models import Channel
from houseboat.connectors.x.connector import (
    SCOPES,
    XConnector,
    authorize_url,
    media_problems,
    pkce_pair,
)
from tests.connectors.replay import assert_sent, load, response_for, route, transport

API = "https://api.x.com"
TOKEN = "QUNDRVNTLXRva2VuLTIwMjY6MToxOmF0OjE"
REFRESH = "b2xkLXJlZnJlc2gtdG9rZW46MToxOnJ0OjE"
CLIENT_ID = "rG9n6402A3dbUJKzXTNX4oWHJ"
CLIENT_SECRET = "c2VjcmV0LWNsaWVudC1zZWNyZXQtMjAyNg"
NEW_TOKEN = "bmV3LWFjY2Vzcy10b2tlbi0yMDI2OjE6MTphdDox"
NEW_REFRESH = "bmV3LXJlZnJlc2gtdG9rZW4tMjAyNjoxOjE6cnQ6MQ"
OAUTH2 = {"access_token": TOKEN, "refresh_token": REFRESH}
OAUTH1 = {
    "consumer_key": "xvz1evFS4wEEPTGEFPHBog",
    "consumer_secret": "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw",
    "access_token": "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb",
    "access_token_secret": "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE",
}
POST_ID = "1445880548472328192"
ME_ID = "2244994945"


def fixture(name: str) -> dict:
    return load("x", name)


def make(
    router: respx.Router,
    secrets: dict | None = None,
    *,
    config: dict | None = None,
    saved: list | None = None,
    sleeps: list | None = None,
) -> XConnector:
    connector = XConnector(
        config={"client_id": CLIENT_ID, **(config or {})},
        secrets=dict(OAUTH2 if secrets is None else secrets),
        save_secrets=saved.append if saved is not None else None,
        transport=transport(router),
    )
    connector.sleep = sleeps.append if sleeps is not None else (lambda seconds: None)
    return connector


def picture(tmp_path: Path, name: str = "vigil.png", size: int = 1200, **kwargs) -> MediaFile:
    path = tmp_path / name
    path.write_bytes(b"\x89PNG" + b"\0" * (size - 4))
    return MediaFile(path=path, mime_type=kwargs.pop("mime_type", "image/png"), **kwargs)


def video(tmp_path: Path, size: int) -> MediaFile:
    path = tmp_path / "march.mp4"
    path.write_bytes(b"\0" * size)
    return MediaFile(path=path, mime_type="video/mp4")


def post(text: str = "Hello world!", **kwargs) -> OutgoingPost:
    return OutgoingPost(text=text, idempotency_key="key-1", **kwargs)


def sent_json(request: httpx.Request) -> dict:
    return json.loads(request.content)


def sent_form(request: httpx.Request) -> dict:
    return {k: v[0] for k, v in parse_qs(request.content.decode()).items()}


# --- check -------------------------------------------------------------------------------


def test_check_names_the_account_and_lists_the_token_scopes():
    router = respx.Router()
    me = route(router, fixture("users_me"))
    scope = "tweet.read users.read tweet.write media.write offline.access"
    account = make(router, {**OAUTH2, "scope": scope}).check()
    assert_sent(me.calls.last.request, fixture("users_me"))
    assert me.calls.last.request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert account.remote_id == ME_ID
    assert account.handle == "@TwitterDev"
    assert account.display_name == "X Dev"
    assert account.url == "https://x.com/TwitterDev"
    assert list(account.permissions) == scope.split()
    assert list(account.notes) == []


def test_check_warns_when_the_token_cannot_be_renewed_or_lacks_a_scope():
    router = respx.Router()
    route(router, fixture("users_me"))
    connector = make(router, {"access_token": TOKEN, "scope": "tweet.read users.read"})
    notes = " ".join(connector.check().notes)
    assert "tweet.write" in notes and "posting" in notes
    assert "media.write" in notes
    assert "within two hours" in notes


# --- publishing ----------------------------------------------------------------------------


def test_publish_sends_the_text_and_returns_the_post_id_and_link():
    router = respx.Router()
    tweet = route(router, fixture("create_post"))
    published = make(router).publish(post())
    assert_sent(tweet.calls.last.request, fixture("create_post"))
    assert published.remote_id == POST_ID
    assert published.url == f"https://x.com/i/web/status/{POST_ID}"


def test_after_a_check_the_link_names_the_account():
    router = respx.Router()
    route(router, fixture("users_me"))
    route(router, fixture("create_post"))
    connector = make(router)
    connector.check()
    assert connector.publish(post()).url == f"https://x.com/TwitterDev/status/{POST_ID}"


def test_a_thread_part_replies_to_the_previous_part_and_carries_its_described_picture(tmp_path):
    router = respx.Router()
    upload = route(router, fixture("media_upload_image"))
    metadata = route(router, fixture("media_metadata"))
    tweet = route(router, fixture("create_post_reply_with_media"))
    image = picture(tmp_path, alt="Ten portraits held up at a vigil")
    published = make(router).publish(
        post("Day 2 of the vigil.", media=[image], reply_to=Published(remote_id=POST_ID))
    )
    sent = upload.calls.last.request
    assert sent.headers["content-type"].startswith("multipart/form-data")
    assert b'name="media_category"\r\n\r\ntweet_image' in sent.content
    assert b'name="media_type"\r\n\r\nimage/png' in sent.content
    assert b'name="media"; filename="vigil.png"' in sent.content
    assert_sent(metadata.calls.last.request, fixture("media_metadata"))
    assert_sent(tweet.calls.last.request, fixture("create_post_reply_with_media"))
    assert published.remote_id == "1445880548472328193"
    assert published.extra["media_ids"] == ["1880028106020515840"]


def test_a_video_is_uploaded_in_segments_and_waited_for_before_posting(tmp_path):
    router = respx.Router()
    init = route(router, fixture("media_initialize"))
    append = route(router, fixture("media_append"))
    route(router, fixture("media_finalize_pending"))
    status = router.get(f"{API}/2/media/upload").mock(
        side_effect=[
            response_for(fixture("media_status_in_progress")),
            response_for(fixture("media_status_succeeded")),
        ]
    )
    tweet = router.post(f"{API}/2/tweets").mock(return_value=response_for(fixture("create_post")))
    sleeps: list[float] = []
    clip = video(tmp_path, 4 * 1024 * 1024 + 10)
    make(router, sleeps=sleeps).publish(post("March today", media=[clip]))
    assert_sent(init.calls.last.request, fixture("media_initialize"))
    assert sent_json(init.calls.last.request)["total_bytes"] == clip.size
    segments = [call.request.content for call in append.calls]
    assert len(segments) == 2
    assert b'name="segment_index"\r\n\r\n0' in segments[0]
    assert b'name="segment_index"\r\n\r\n1' in segments[1]
    assert_sent(status.calls[0].request, fixture("media_status_in_progress"))
    assert sleeps == [1.0, 3.0]  # as X's check_after_secs said
    assert sent_json(tweet.calls.last.request)["media"] == {"media_ids": ["1880028106020515840"]}


def test_a_video_x_cannot_process_is_refused_and_nothing_is_posted(tmp_path):
    router = respx.Router()
    route(router, fixture("media_initialize"))
    route(router, fixture("media_append"))
    route(router, fixture("media_finalize_pending"))
    route(router, fixture("media_status_failed"))
    tweet = router.post(f"{API}/2/tweets").mock(return_value=response_for(fixture("create_post")))
    with pytest.raises(PayloadRejected) as caught:
        make(router).publish(post("March", media=[video(tmp_path, 1000)]))
    assert "could not process" in str(caught.value)
    assert tweet.call_count == 0


def test_a_video_still_processing_after_the_wait_is_tried_again_later(tmp_path):
    router = respx.Router()
    route(router, fixture("media_initialize"))
    route(router, fixture("media_append"))
    route(router, fixture("media_finalize_pending"))
    route(router, fixture("media_status_in_progress"))
    connector = make(router)
    connector.max_processing_wait = 5
    with pytest.raises(NetworkUnreachable) as caught:
        connector.publish(post("March", media=[video(tmp_path, 1000)]))
    assert "still processing" in str(caught.value) and caught.value.permanent is False


def test_a_refused_video_shows_x_reason():
    router = respx.Router()
    route(router, fixture("create_post_video_too_long"))
    with pytest.raises(PayloadRejected) as caught:
        make(router).publish(post())
    assert "longer than 20 minutes" in str(caught.value)


def test_delete_removes_the_post():
    router = respx.Router()
    deleted = route(router, fixture("delete_post"))
    make(router).delete(Published(remote_id=POST_ID))
    assert_sent(deleted.calls.last.request, fixture("delete_post"))


def test_deleting_a_post_that_is_already_gone_succeeds():
    router = respx.Router()
    route(router, fixture("delete_post_not_found"))
    make(router).delete(Published(remote_id=POST_ID))


def test_looking_up_a_deleted_post_reads_x_s_not_found_problem():
    router = respx.Router()
    lookup = route(router, fixture("get_post_deleted"))
    assert make(router).exists(Published(remote_id=POST_ID)) is False
    assert_sent(lookup.calls.last.request, fixture("get_post_deleted"))


# --- OAuth 2.0 tokens ---------------------------------------------------------------------


def test_an_expired_access_token_is_renewed_saved_and_the_call_repeated():
    router = respx.Router()
    me = router.get(f"{API}/2/users/me").mock(
        side_effect=[response_for(fixture("unauthorized")), response_for(fixture("users_me"))]
    )
    token = route(router, fixture("token_refresh"))
    saved: list[dict] = []
    account = make(router, saved=saved).check()
    assert account.handle == "@TwitterDev"
    assert_sent(token.calls.last.request, fixture("token_refresh"))
    assert "Authorization" not in token.calls.last.request.headers  # a public client
    assert saved[-1]["access_token"] == NEW_TOKEN
    assert saved[-1]["refresh_token"] == NEW_REFRESH  # X rotates refresh tokens
    assert saved[-1]["expires_at"] > time.time() + 7000
    assert me.calls.last.request.headers["Authorization"] == f"Bearer {NEW_TOKEN}"


def test_a_confidential_app_renews_with_its_client_secret_in_basic_auth():
    router = respx.Router()
    router.get(f"{API}/2/users/me").mock(
        side_effect=[response_for(fixture("unauthorized")), response_for(fixture("users_me"))]
    )
    token = route(router, fixture("token_refresh_confidential"))
    make(router, {**OAUTH2, "client_secret": CLIENT_SECRET}).check()
    sent = token.calls.last.request
    assert_sent(sent, fixture("token_refresh_confidential"))
    expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
    assert sent.headers["Authorization"] == f"Basic {expected}"


def test_an_access_token_past_its_expiry_is_renewed_before_the_call():
    router = respx.Router()
    me = route(router, fixture("users_me"))
    token = route(router, fixture("token_refresh"))
    make(router, {**OAUTH2, "expires_at": int(time.time()) - 10}).check()
    assert token.call_count == 1 and me.call_count == 1
    assert me.calls.last.request.headers["Authorization"] == f"Bearer {NEW_TOKEN}"


def test_a_post_refused_for_an_expired_token_is_sent_once_more_with_the_new_one():
    router = respx.Router()
    tweet = router.post(f"{API}/2/tweets").mock(
        side_effect=[response_for(fixture("unauthorized")), response_for(fixture("create_post"))]
    )
    route(router, fixture("token_refresh"))
    assert make(router).publish(post()).remote_id == POST_ID
    assert tweet.call_count == 2


def test_a_refused_refresh_token_means_reconnecting_the_channel():
    router = respx.Router()
    route(router, fixture("unauthorized"))
    route(router, fixture("token_refresh_invalid"))
    with pytest.raises(AuthRevoked) as caught:
        make(router).check()
    assert "Sign in with X again" in str(caught.value)
    assert "Value passed for the token was invalid" in str(caught.value)


@pytest.mark.parametrize(
    "failure",
    [httpx.ReadTimeout("timed out"), httpx.Response(503, text="over capacity")],
    ids=["timeout", "server error"],
)
def test_a_refresh_that_fails_on_the_way_does_not_disconnect_the_channel(failure):
    router = respx.Router()
    route(router, fixture("unauthorized"))
    router.post(f"{API}/2/oauth2/token").mock(side_effect=[failure])
    with pytest.raises(ConnectorError) as caught:
        make(router).check()
    assert not isinstance(caught.value, AuthRevoked)
    assert caught.value.permanent is False
    assert "stays connected" in str(caught.value)


def test_a_refresh_that_cannot_reach_x_does_not_disconnect_the_channel():
    router = respx.Router()
    route(router, fixture("unauthorized"))
    router.post(f"{API}/2/oauth2/token").mock(side_effect=httpx.ConnectError("refused"))
    with pytest.raises(NetworkUnreachable):
        make(router).check()


def test_a_401_without_a_refresh_token_asks_to_sign_in_again():
    router = respx.Router()
    route(router, fixture("unauthorized"))
    with pytest.raises(AuthRevoked) as caught:
        make(router, {"access_token": TOKEN}).check()
    assert "no refresh token" in str(caught.value)


def test_sign_in_with_x_asks_for_the_needed_scopes_with_an_s256_challenge():
    verifier, challenge = pkce_pair()
    url = authorize_url(
        client_id=CLIENT_ID,
        redirect_uri="https://desk.example/cb/",
        state="s1",
        challenge=challenge,
    )
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    assert url.startswith("https://x.com/i/oauth2/authorize?")
    assert query["scope"].split() == list(SCOPES)
    assert {"tweet.write", "media.write", "offline.access"} <= set(SCOPES)
    assert query["code_challenge_method"] == "S256"
    digest = hashlib.sha256(verifier.encode()).digest()
    assert query["code_challenge"] == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    assert 43 <= len(verifier) <= 128


def test_the_authorization_code_is_traded_for_tokens():
    router = respx.Router()
    token = route(router, fixture("token_exchange"))
    connector = XConnector(config={"client_id": CLIENT_ID}, secrets={}, transport=transport(router))
    tokens = connector.exchange_code(
        code=fixture("token_exchange")["request"]["form"]["code"],
        code_verifier="v" * 50,
        redirect_uri="https://desk.example/cb/",
    )
    assert_sent(token.calls.last.request, fixture("token_exchange"))
    assert sent_form(token.calls.last.request)["redirect_uri"] == "https://desk.example/cb/"
    assert tokens["access_token"] == NEW_TOKEN and tokens["refresh_token"] == NEW_REFRESH
    assert "offline.access" in tokens["scope"]


# --- OAuth 1.0a ----------------------------------------------------------------------------


def assert_signed(request: httpx.Request) -> dict:
    """Recompute the HMAC-SHA1 signature from what was sent, as X does."""
    header = request.headers["Authorization"]
    assert header.startswith("OAuth ")
    fields = dict(utils.parse_authorization_header(header))
    params = signature.collect_parameters(
        uri_query=request.url.query.decode(), headers={"Authorization": header}
    )
    base = signature.signature_base_string(
        request.method,
        signature.base_string_uri(str(request.url)),
        signature.normalize_parameters(params),
    )
    keys = oauthlib.oauth1.Client(
        OAUTH1["consumer_key"],
        client_secret=OAUTH1["consumer_secret"],
        resource_owner_secret=OAUTH1["access_token_secret"],
    )
    expected = signature.sign_hmac_sha1_with_client(base, keys)
    assert utils.unescape(fields["oauth_signature"]) == expected
    return fields


def test_oauth1_requests_carry_a_valid_hmac_signature_over_the_query():
    router = respx.Router()
    lookup = route(router, fixture("tweets_lookup_metrics"))
    make(router, OAUTH1).metrics([Published(POST_ID), Published("1445880548472328193")])
    sent = lookup.calls.last.request
    fields = assert_signed(sent)
    assert fields["oauth_consumer_key"] == OAUTH1["consumer_key"]
    assert fields["oauth_token"] == OAUTH1["access_token"]
    assert fields["oauth_signature_method"] == "HMAC-SHA1"
    assert_sent(sent, fixture("tweets_lookup_metrics"))


def test_oauth1_json_post_is_signed_without_its_body():
    router = respx.Router()
    tweet = route(router, fixture("create_post"))
    make(router, OAUTH1).publish(post())
    assert_signed(tweet.calls.last.request)
    assert sent_json(tweet.calls.last.request) == {"text": "Hello world!"}


def test_oauth1_keys_x_refuses_ask_for_the_current_keys():
    router = respx.Router()
    route(router, fixture("unauthorized"))
    token = router.post(f"{API}/2/oauth2/token")
    with pytest.raises(AuthRevoked) as caught:
        make(router, OAUTH1).check()
    assert "four keys" in str(caught.value)
    assert token.call_count == 0


def test_half_an_oauth1_key_set_is_refused_with_what_is_missing():
    router = respx.Router()
    half = {k: OAUTH1[k] for k in ("consumer_key", "access_token")}
    with pytest.raises(AuthRevoked) as caught:
        make(router, half).check()
    assert "API Key Secret" in str(caught.value) and "Access Token Secret" in str(caught.value)
    assert len(router.calls) == 0


def test_a_channel_without_credentials_says_how_to_connect():
    with pytest.raises(AuthRevoked) as caught:
        make(respx.Router(), {}).check()
    assert "Sign in with X" in str(caught.value)


def test_every_credential_is_optional_so_either_sign_in_can_be_saved(db):
    fields = XConnector.manifest["credentials"] + XConnector.manifest["settings"]
    assert all(field.get("required") is False or field.get("default") for field in fields)
    config, secrets = services.split_fields("x", dict(OAUTH1))
    assert secrets == OAUTH1 and config == {}
    config, secrets = services.split_fields("x", {**OAUTH2, "client_id": CLIENT_ID})
    assert config == {"client_id": CLIENT_ID} and secrets == OAUTH2


# --- access levels, credits, permissions -----------------------------------------------------


def test_a_read_only_app_is_told_to_set_read_and_write():
    router = respx.Router()
    route(router, fixture("create_post_read_only_app"))
    with pytest.raises(PermissionMissing) as caught:
        make(router, OAUTH1).publish(post())
    assert "Read and write" in str(caught.value) and "regenerate" in str(caught.value)


def test_used_up_credits_say_to_add_credits_in_the_developer_console():
    router = respx.Router()
    route(router, fixture("create_post_credits_depleted"))
    with pytest.raises(PermissionMissing) as caught:
        make(router).publish(post())
    assert "credits are used up" in str(caught.value)
    assert "developer console" in str(caught.value)


def test_search_without_the_access_level_says_posting_still_works():
    router = respx.Router()
    route(router, fixture("search_client_forbidden"))
    with pytest.raises(NotSupported) as caught:
        make(router).read(Source("hashtag", "FreeTheTen"), None)
    assert "does not include search; posting still works" in str(caught.value)
    assert "reading needs the Basic level or higher" in str(caught.value)


def test_mentions_without_the_access_level_name_what_is_missing():
    router = respx.Router()
    route(router, fixture("users_me"))
    forbidden = fixture("search_client_forbidden")
    router.get(f"{API}/2/users/{ME_ID}/mentions").mock(return_value=response_for(forbidden))
    with pytest.raises(NotSupported) as caught:
        make(router).read(Source("mentions"), None)
    assert "does not include reading mentions; posting still works" in str(caught.value)


# --- rate limits -----------------------------------------------------------------------------


def rate_limited(**headers: str) -> dict:
    limited = fixture("create_post_rate_limited")
    limited["response"]["headers"].update(headers)
    return limited


def test_a_short_rate_limit_is_waited_out_and_the_call_repeated():
    router = respx.Router()
    limited = rate_limited(**{"x-rate-limit-reset": str(int(time.time()) + 5)})
    router.post(f"{API}/2/tweets").mock(
        side_effect=[response_for(limited), response_for(fixture("create_post"))]
    )
    sleeps: list[float] = []
    assert make(router, sleeps=sleeps).publish(post()).remote_id == POST_ID
    assert len(sleeps) == 1 and 0 < sleeps[0] <= 5


def test_a_long_rate_limit_ends_in_rate_limited_until_the_reset():
    router = respx.Router()
    reset = int(time.time()) + 3600
    tweet = route(router, rate_limited(**{"x-rate-limit-reset": str(reset)}))
    with pytest.raises(RateLimited) as caught:
        make(router).publish(post())
    assert caught.value.until == datetime.fromtimestamp(reset, UTC)
    assert tweet.call_count == 1


def test_a_spent_daily_post_limit_waits_for_the_24_hour_reset():
    router = respx.Router()
    daily = int(time.time()) + 20 * 3600
    limited = rate_limited(
        **{
            "x-rate-limit-reset": str(int(time.time()) + 5),
            "x-user-limit-24hour-limit": "100",
            "x-user-limit-24hour-remaining": "0",
            "x-user-limit-24hour-reset": str(daily),
        }
    )
    route(router, limited)
    with pytest.raises(RateLimited) as caught:
        make(router).publish(post())
    assert caught.value.until == datetime.fromtimestamp(daily, UTC)


# --- timeouts and garbled answers --------------------------------------------------------------


def test_a_timeout_after_sending_a_post_means_the_outcome_is_unknown_and_it_is_not_resent():
    router = respx.Router()
    tweet = router.post(f"{API}/2/tweets").mock(side_effect=httpx.ReadTimeout("timed out"))
    with pytest.raises(OutcomeUnknown):
        make(router).publish(post())
    assert tweet.call_count == 1


def test_a_read_that_times_out_is_tried_again():
    router = respx.Router()
    search = router.get(f"{API}/2/tweets/search/recent").mock(
        side_effect=[httpx.ReadTimeout("timed out"), response_for(fixture("search_recent"))]
    )
    page = make(router).read(Source("hashtag", "FreeTheTen"), None)
    assert len(page.items) == 2 and search.call_count == 2


def test_a_garbled_answer_to_a_post_means_the_outcome_is_unknown():
    router = respx.Router()
    router.post(f"{API}/2/tweets").mock(return_value=httpx.Response(201, text="<html>oops"))
    with pytest.raises(OutcomeUnknown):
        make(router).publish(post())


def test_a_post_answer_without_an_id_means_the_outcome_is_unknown():
    router = respx.Router()
    router.post(f"{API}/2/tweets").mock(return_value=httpx.Response(201, json={"data": {}}))
    with pytest.raises(OutcomeUnknown) as caught:
        make(router).publish(post())
    assert "before sending it again" in str(caught.value)


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(200, text="<html>maintenance</html>"),
        httpx.Response(200, json=["not", "an", "object"]),
        httpx.Response(200, json={"data": {"id": "1"}}),
    ],
    ids=["not json", "a list", "data not a list"],
)
def test_a_garbled_answer_to_a_read_is_an_unexpected_response(answer):
    router = respx.Router()
    router.get(f"{API}/2/tweets/search/recent").mock(return_value=answer)
    with pytest.raises(UnexpectedResponse):
        make(router).read(Source("keyword", "vigil"), None)


# --- reading ----------------------------------------------------------------------------------


def test_a_hashtag_read_maps_authors_entities_media_references_and_metrics():
    router = respx.Router()
    search = router.get(f"{API}/2/tweets/search/recent").mock(
        side_effect=[
            response_for(fixture("search_recent")),
            response_for(fixture("search_recent_empty")),
        ]
    )
    page = make(router).read(Source("hashtag", "#FreeTheTen"), "1880000000000000000")
    assert_sent(search.calls[0].request, fixture("search_recent"))
    # The answer's next_token leads to the older rest of what is new: it is read too.
    assert (
        search.calls[1].request.url.params["next_token"] == "b26v89c19zqg8o3fo7gesq314yb9l2l4ptqy"
    )
    assert search.calls[1].request.url.params["since_id"] == "1880000000000000000"
    assert page.cursor == "1880030000000000002"
    assert page.more is False
    first, second = page.items
    assert first.network == "x" and first.remote_id == "1880030000000000002"
    assert first.author.handle == "solidarity_now"
    assert first.author.display_name == "Solidarity Now"
    assert first.author.url == "https://x.com/solidarity_now"
    assert first.url == "https://x.com/solidarity_now/status/1880030000000000002"
    assert first.created_at == datetime(2026, 1, 15, 10, 30, tzinfo=UTC)
    assert first.language == "en"
    assert list(first.hashtags) == ["FreeTheTen"]
    assert list(first.mentions) == ["amnesty"]
    assert first.links[0] == "https://example.org/petition"
    assert first.reply_to_id == "1880029000000000001"
    assert first.media[0].url == "https://pbs.twimg.com/media/GhT2aXbWcAAq1.jpg"
    assert first.media[0].kind == "image"
    assert first.media[0].alt == "Ten portraits held up at a vigil"
    assert first.metrics == Metrics(replies=2, reposts=5, likes=42, quotes=1, views=1234)
    assert first.raw["conversation_id"] == "1880029000000000001"
    assert second.repost_of_id == "1880020000000000000"


def test_a_read_turns_xs_html_escapes_back_into_the_words_people_wrote():
    recorded = copy.deepcopy(fixture("search_recent"))
    recorded["response"]["json"]["data"][0]["text"] = "Lawyers &amp; families: free them &lt;3"
    router = respx.Router()
    route(router, recorded)
    page = make(router).read(Source("hashtag", "#FreeTheTen"), None)
    assert page.items[0].text == "Lawyers & families: free them <3"
    assert page.items[0].raw["text"] == "Lawyers &amp; families: free them &lt;3"


def test_a_keyword_read_sends_the_words_as_they_are():
    router = respx.Router()
    search = route(router, fixture("search_recent"))
    make(router, config={"read_page_size": "25"}).read(
        Source("keyword", '"free the ten" -is:retweet'), None
    )
    params = dict(search.calls.last.request.url.params)
    assert params["query"] == '"free the ten" -is:retweet'
    assert params["max_results"] == "25"
    assert "since_id" not in params


def test_an_empty_read_keeps_the_old_cursor():
    router = respx.Router()
    route(router, fixture("search_recent_empty"))
    page = make(router).read(Source("keyword", "vigil"), "1880000000000000000")
    assert list(page.items) == [] and page.cursor is None


def test_mentions_are_read_for_the_signed_in_account():
    router = respx.Router()
    route(router, fixture("users_me"))
    mentions = route(router, fixture("mentions"))
    page = make(router).read(Source("mentions"), None)
    assert_sent(mentions.calls.last.request, fixture("mentions"))
    (item,) = page.items
    assert item.quote_of_id == "1880020000000000000"
    assert item.author.handle == "amnesty"
    assert page.cursor == "1880031000000000000"


def test_an_account_read_looks_up_the_username_and_keeps_long_posts_whole():
    router = respx.Router()
    lookup = route(router, fixture("user_by_username"))
    tweets = route(router, fixture("user_tweets"))
    page = make(router).read(Source("account", "@amnesty"), None)
    assert_sent(lookup.calls.last.request, fixture("user_by_username"))
    assert_sent(tweets.calls.last.request, fixture("user_tweets"))
    (item,) = page.items
    assert item.text.endswith("stood outside the court again.")
    assert len(item.text) > 280
    assert item.media[0].kind == "video"
    assert item.media[0].url.endswith("/img/a.jpg")


def test_an_unknown_account_is_refused_by_name():
    router = respx.Router()
    route(router, fixture("user_by_username_not_found"))
    with pytest.raises(PayloadRejected) as caught:
        make(router).read(Source("account", "nosuchaccount"), None)
    assert "@nosuchaccount" in str(caught.value)


def test_a_malformed_username_is_refused_without_calling_x():
    router = respx.Router()
    with pytest.raises(PayloadRejected):
        make(router).read(Source("account", "not a name!"), None)
    assert len(router.calls) == 0


def test_an_invalid_search_shows_x_reason():
    router = respx.Router()
    route(router, fixture("search_invalid_query"))
    with pytest.raises(PayloadRejected) as caught:
        make(router).read(Source("keyword", "(("), None)
    assert "The 'query' parameter is required." in str(caught.value)


def test_an_unknown_source_kind_is_not_supported():
    with pytest.raises(NotSupported):
        make(respx.Router()).read(Source("rss"), None)


# --- metrics and own posts ----------------------------------------------------------------------


def test_metrics_skip_posts_x_no_longer_has():
    router = respx.Router()
    lookup = route(router, fixture("tweets_lookup_metrics"))
    found = make(router).metrics([Published(POST_ID), Published("1445880548472328193")])
    assert_sent(lookup.calls.last.request, fixture("tweets_lookup_metrics"))
    assert found == {POST_ID: Metrics(replies=1, reposts=4, likes=17, quotes=2, views=880)}


def test_metrics_ask_for_at_most_100_posts_at_a_time():
    router = respx.Router()
    lookup = route(router, fixture("tweets_lookup_metrics"))
    make(router).metrics([Published(str(n)) for n in range(150)])
    sizes = [len(c.request.url.params["ids"].split(",")) for c in lookup.calls]
    assert sizes == [100, 50]


def test_recent_posts_list_the_accounts_own_posts():
    router = respx.Router()
    route(router, fixture("users_me"))
    own = route(router, fixture("own_tweets"))
    posts = make(router).recent_posts(limit=3)
    assert_sent(own.calls.last.request, fixture("own_tweets"))  # X's minimum page is 5
    assert [p.remote_id for p in posts] == [POST_ID]
    assert posts[0].url == f"https://x.com/TwitterDev/status/{POST_ID}"


# --- length and media limits, counted X's way ---------------------------------------------------------


def problems(text: str, media=()) -> list[str]:
    return make(respx.Router()).post_problems(post(text, media=list(media)))


@pytest.mark.parametrize(
    ("fits", "too_long"),
    [
        ("a" * 280, "a" * 281),
        ("é" * 280, "é" * 281),  # Latin-1: one each
        ("表" * 140, "表" * 141),  # CJK: two each
        ("👍🏽 " * 93, "👍🏽 " * 94),  # an emoji with its skin tone: two, and a space
        ("👨‍👩‍👧 " * 93, "👨‍👩‍👧 " * 94),  # a family (ZWJ sequence): two
        ("🇵🇸 " * 93, "🇵🇸 " * 94),  # a flag: two
        ("👍🏽" * 140, "👍🏽" * 141),  # neighbouring emoji: two each, never merged
        ("cafe\u0301" * 70, "cafe\u0301" * 71),  # e + combining accent: NFC makes it one
        ("ب" * 280, "ب" * 281),  # Arabic: one each
        ("क्षि" * 70, "क्षि" * 71),  # Devanagari with virama and vowel sign: four code points
        (
            "x" * 256 + " https://example.org/" + "p" * 80,
            "x" * 257 + " https://example.org/" + "p" * 80,
        ),
    ],
    ids=[
        "latin",
        "accented",
        "cjk",
        "skin tone",
        "zwj family",
        "flag",
        "emoji side by side",
        "combining accent",
        "arabic",
        "devanagari",
        "url",
    ],
)
def test_text_is_counted_the_way_x_counts_it(fits, too_long):
    assert problems(fits) == []
    (problem,) = problems(too_long)
    assert "Too long for X" in problem and "weighted characters" in problem


def test_publish_refuses_a_too_long_post_before_calling_x():
    router = respx.Router()
    with pytest.raises(PayloadRejected) as caught:
        make(router).publish(post("表" * 141))
    assert "282 weighted characters" in str(caught.value)
    assert len(router.calls) == 0


def test_four_pictures_fit_and_five_do_not(tmp_path):
    four = [picture(tmp_path, f"p{n}.png") for n in range(4)]
    assert problems("Look", four) == []
    (problem,) = problems("Look", [*four, picture(tmp_path, "p5.png")])
    assert "at most 4 files" in problem


def test_a_gif_or_video_cannot_share_a_post(tmp_path):
    gif = picture(tmp_path, "dance.gif", mime_type="image/gif")
    assert problems("Dance", [gif]) == []
    (problem,) = problems("Dance", [gif, picture(tmp_path)])
    assert "single GIF or video" in problem


def test_pictures_may_be_5_mb_and_gifs_15_mb(tmp_path):
    mb = 1024 * 1024
    assert problems("ok", [picture(tmp_path, "a.png", size=5 * mb)]) == []
    assert problems("ok", [picture(tmp_path, "b.gif", size=15 * mb, mime_type="image/gif")]) == []
    too_big = [picture(tmp_path, "c.jpg", size=5 * mb + 1, mime_type="image/jpeg")]
    assert "X takes pictures up to 5 MB" in problems("big", too_big)[0]
    big_gif = [picture(tmp_path, "d.gif", size=15 * mb + 1, mime_type="image/gif")]
    assert "GIFs up to 15 MB" in problems("big", big_gif)[0]


def test_other_file_types_are_refused(tmp_path):
    (problem,) = problems("doc", [picture(tmp_path, "a.pdf", mime_type="application/pdf")])
    assert "does not take application/pdf" in problem
    assert media_problems([picture(tmp_path, "b.pdf", mime_type="application/pdf")]) == []


def test_descriptions_over_1000_characters_are_refused(tmp_path):
    assert problems("ok", [picture(tmp_path, alt="é" * 1000)]) == []
    (problem,) = problems("ok", [picture(tmp_path, alt="é" * 1001)])
    assert "at most 1000" in problem


def test_a_picture_alone_needs_no_text(tmp_path):
    assert problems("", [picture(tmp_path)]) == []
    assert problems("   ") == ["X needs some text or a picture."]


# --- no secret in any message -------------------------------------------------------------------


def echoing(status: int) -> httpx.Response:
    """An error that repeats every credential back, as a misbehaving proxy might."""
    said = " ".join([TOKEN, REFRESH, CLIENT_SECRET, *OAUTH1.values()])
    return httpx.Response(status, json={"title": "Bad", "detail": said, "type": "about:blank"})


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 413, 422, 402, 418])
@pytest.mark.parametrize("secrets", [OAUTH1, {**OAUTH2, "client_secret": CLIENT_SECRET}])
def test_no_secret_appears_in_any_error_message(status, secrets):
    router = respx.Router()
    router.route().mock(return_value=echoing(status))
    with pytest.raises(ConnectorError) as caught:
        make(router, secrets).publish(post())
    shown = f"{caught.value} {caught.value.reason} {caught.value.message}"
    for secret in secrets.values():
        assert secret not in shown


def test_no_secret_appears_when_the_token_endpoint_echoes_it():
    router = respx.Router()
    route(router, fixture("unauthorized"))
    router.post(f"{API}/2/oauth2/token").mock(
        return_value=httpx.Response(
            400, json={"error": "invalid_grant", "error_description": f"bad {REFRESH} {TOKEN}"}
        )
    )
    with pytest.raises(AuthRevoked) as caught:
        make(router).check()
    assert REFRESH not in str(caught.value) and TOKEN not in str(caught.value)


# --- “Sign in with X” (mounted by the lead at t/<team_slug>/channels/x/) ---------------------

urlpatterns = [
    path("t/<slug:team_slug>/channels/x/", include("houseboat.connectors.x.urls")),
    *houseboat.urls.urlpatterns,
]
sign_in = pytest.mark.urls(__name__)
START = "/t/team-a/channels/x/sign-in/"
CALLBACK = "/t/team-a/channels/x/callback/"


@pytest.fixture
def x_api(monkeypatch):
    """Answer X's token and account calls; nothing leaves the machine."""
    monkeypatch.setattr(http, "resolve", lambda host, port: ["104.244.42.65"])
    with respx.mock(assert_all_mocked=True) as mock:
        yield mock


def begin(client, **form) -> dict:
    fields = {"name": "X main", "client_id": CLIENT_ID, "client_secret": "", **form}
    response = client.post(START, fields)
    assert response.status_code == 302
    return {k: v[0] for k, v in parse_qs(urlsplit(response["Location"]).query).items()}


@sign_in
def test_alice_is_sent_to_x_to_approve_with_a_pkce_challenge(as_alice):
    page = as_alice.get(START)
    assert page.status_code == 200
    assert "http://testserver/t/team-a/channels/x/callback/" in page.content.decode()
    query = begin(as_alice)
    assert query["client_id"] == CLIENT_ID
    assert query["redirect_uri"] == "http://testserver" + CALLBACK
    assert query["code_challenge_method"] == "S256"
    pending = as_alice.session["x_sign_in"]
    assert query["state"] == pending["state"]
    digest = hashlib.sha256(pending["verifier"].encode()).digest()
    assert query["code_challenge"] == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@sign_in
def test_the_client_secret_waits_encrypted_in_the_session(as_alice):
    begin(as_alice, client_secret=CLIENT_SECRET)
    assert CLIENT_SECRET not in json.dumps(as_alice.session["x_sign_in"])


@sign_in
def test_the_callback_trades_the_code_saves_the_channel_and_checks_it(as_alice, team_a, x_api):
    state = begin(as_alice)["state"]
    exchange = route(x_api, fixture("token_exchange"))
    route(x_api, fixture("users_me"))
    code = fixture("token_exchange")["request"]["form"]["code"]
    response = as_alice.get(CALLBACK, {"state": state, "code": code})
    assert response.status_code == 302 and response["Location"].endswith("/channels/")
    assert sent_form(exchange.calls.last.request)["redirect_uri"] == "http://testserver" + CALLBACK
    channel = Channel.objects.get(team=team_a, network="x")
    assert channel.name == "X main"
    assert channel.config["client_id"] == CLIENT_ID
    assert channel.secrets["access_token"] == NEW_TOKEN
    assert channel.secrets["refresh_token"] == NEW_REFRESH
    assert "offline.access" in channel.secrets["scope"]
    assert channel.account_handle == "@TwitterDev"
    assert "x_sign_in" not in as_alice.session


@sign_in
def test_a_callback_with_another_state_connects_nothing(as_alice, team_a, x_api):
    begin(as_alice)
    response = as_alice.get(CALLBACK, {"state": "forged", "code": "abc"})
    assert response.status_code == 302 and response["Location"].endswith(START)
    assert not Channel.objects.filter(team=team_a).exists()
    assert len(x_api.calls) == 0


@sign_in
def test_a_refused_approval_connects_nothing(as_alice, team_a, x_api):
    state = begin(as_alice)["state"]
    response = as_alice.get(CALLBACK, {"state": state, "error": "access_denied"})
    assert response.status_code == 302
    assert not Channel.objects.filter(team=team_a).exists()


@sign_in
def test_a_code_x_refuses_connects_nothing_and_says_why(as_alice, team_a, x_api):
    state = begin(as_alice)["state"]
    x_api.post(f"{API}/2/oauth2/token").mock(
        return_value=httpx.Response(
            400,
            json={
                "error": "invalid_request",
                "error_description": "Value passed for the authorization code was invalid.",
            },
        )
    )
    response = as_alice.get(CALLBACK, {"state": state, "code": "stale"}, follow=True)
    assert "authorization code was invalid" in response.content.decode()
    assert not Channel.objects.filter(team=team_a).exists()


@sign_in
def test_a_contributor_cannot_sign_in_a_channel_and_an_outsider_sees_nothing(
    as_charlie, as_mallory
):
    assert as_charlie.get(START).status_code == 403
    assert as_charlie.get(CALLBACK).status_code == 403
    assert as_mallory.get(START).status_code == 404
    assert as_mallory.get(CALLBACK).status_code == 404


def test_mentions_since_a_cursor_page_on_with_pagination_token_to_the_end():
    router = respx.Router()
    route(router, fixture("users_me"))
    first = copy.deepcopy(fixture("mentions"))
    first["response"]["json"]["meta"]["next_token"] = (
        "7140dibdnow9c7btw3z2vwioavpvutgzrzm9icis4ndix"
    )
    last = copy.deepcopy(fixture("search_recent_empty"))
    mentions = router.get(f"{API}/2/users/{ME_ID}/mentions").mock(
        side_effect=[response_for(first), response_for(last)]
    )

    page = make(router).read(Source("mentions"), "1880000000000000000")

    # The user timelines call their page token pagination_token (search calls it next_token).
    second = mentions.calls[1].request.url.params
    assert second["pagination_token"] == "7140dibdnow9c7btw3z2vwioavpvutgzrzm9icis4ndix"
    assert second["since_id"] == "1880000000000000000" and "next_token" not in second
    assert page.cursor == "1880031000000000000" and page.more is False
