"""WhatsApp Cloud API: templates to one supporter at a time, and the signed status webhook."""

import hashlib
import hmac
import json
import logging
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import respx
from django.test import Client
from django.urls import include, path

from houseboat.connectors.base import (
    AuthRevoked,
    NotSupported,
    OutcomeUnknown,
    OutgoingPost,
    PayloadRejected,
    PermissionMissing,
    RateLimited,
    UnexpectedResponse,
)
from houseboat.connectors.models import Channel
from houseboat.connectors.registry import connector_class
from houseboat.connectors.whatsapp.connector import (
    MessageStatus,
    SignatureMismatch,
    WebhookRejected,
    WhatsAppConnector,
    e164_digits,
    parse_status_webhook,
    verify_subscription,
)
from houseboat.connectors.whatsapp.services import record_statuses
from tests.connectors.replay import assert_sent, load, response_for, route, transport

NUMBER_ID = "106540352242922"
WABA = "102290129340398"
TOKEN = "EAAJB0sYsTemUserToken0123456789"
APP_SECRET = "8a7b6c5d4e3f20191817161514131211"
VERIFY = "vibecoding"
GRAPH = "https://graph.facebook.com/v26.0"
SUPPORTER = "16505551234"
MESSAGES = f"{GRAPH}/{NUMBER_ID}/messages"
COMPONENTS = [
    {
        "type": "body",
        "parameters": [
            {"type": "text", "parameter_name": "first_name", "text": "Jessica"},
            {"type": "text", "parameter_name": "place", "text": "ساحة التحرير ✊🏾"},
        ],
    }
]

# The webhook's address, as the lead mounts it, for the view tests below.
urlpatterns = [path("hooks/whatsapp/", include("houseboat.connectors.whatsapp.urls"))]


def fixture(name: str) -> dict:
    return load("whatsapp", name)


def whatsapp(
    router: respx.Router, sleeps: list | None = None, secrets: dict | None = None, **config
) -> WhatsAppConnector:
    connector = WhatsAppConnector(
        config={"phone_number_id": NUMBER_ID, **config},
        secrets={"access_token": TOKEN, "verify_token": VERIFY, **(secrets or {})},
        transport=transport(router),
    )
    connector.sleep = sleeps.append if sleeps is not None else (lambda seconds: None)
    return connector


def send(connector: WhatsAppConnector, to: str = "+1 650-555-1234"):
    return connector.send_template(
        to, "vigil_invitation", "en_US", COMPONENTS, idempotency_key="delivery-7"
    )


def error_answer(name: str) -> httpx.Response:
    return response_for(fixture(name))


def signed(payload: dict, secret: str = APP_SECRET) -> tuple[bytes, str]:
    body = json.dumps(payload).encode()
    return body, "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


# -- the manifest ---------------------------------------------------------------------------


def test_the_registry_finds_the_whatsapp_connector_which_messages_but_does_not_post():
    assert connector_class("whatsapp") is WhatsAppConnector
    manifest = WhatsAppConnector.manifest
    assert manifest["can"] == ["message", "check"]
    assert [spec["name"] for spec in manifest["credentials"]] == [
        "access_token",
        "app_secret",
        "verify_token",
    ]
    assert [spec["name"] for spec in manifest["settings"]][:2] == ["phone_number_id", "waba_id"]


def test_publishing_a_post_is_refused_with_what_whatsapp_is_for_instead():
    with pytest.raises(NotSupported) as caught:
        whatsapp(respx.Router()).publish(OutgoingPost(text="hello all", idempotency_key="d"))
    assert "approved template" in str(caught.value) and "opted in" in str(caught.value)


# -- sending a template -----------------------------------------------------------------------


def test_a_template_goes_to_one_supporter_with_the_token_in_the_header():
    router = respx.Router()
    messages = route(router, fixture("send_template"))
    published = send(whatsapp(router))
    assert_sent(messages.calls.last.request, fixture("send_template"))
    assert published.remote_id == "wamid.HBgLMTY1MDUwNzY1MjAVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA"
    assert published.extra == {"message_status": "accepted"}
    assert published.url == ""  # a private message has no public address


def test_a_template_without_placeholders_sends_no_components():
    router = respx.Router()
    messages = route(router, fixture("send_template"))
    whatsapp(router).send_template(SUPPORTER, "hello_world", "en_US", idempotency_key="d-1")
    template = json.loads(messages.calls.last.request.content)["template"]
    assert template == {"name": "hello_world", "language": {"code": "en_US"}}


@pytest.mark.parametrize(
    ("typed", "digits"),
    [
        ("+1 650-555-1234", "16505551234"),
        ("0044 (7700) 900.123", "447700900123"),
        ("+919876543210", "919876543210"),
        ("16505551234", "16505551234"),
    ],
)
def test_a_number_as_people_type_it_becomes_e164_digits(typed, digits):
    assert e164_digits(typed) == digits


@pytest.mark.parametrize(
    "typed", ["", "07700 900123", "+0 123 4567", "+1 650 CALL NOW", "+1234", "+1" + "2" * 15]
)
def test_a_number_that_is_not_e164_is_refused_clearly_without_repeating_it(typed):
    router = respx.Router()
    with pytest.raises(PayloadRejected) as caught:
        whatsapp(router).send_template(typed, "vigil_invitation", "en_US", idempotency_key="d")
    assert "international format" in str(caught.value)
    if typed:
        assert typed not in str(caught.value)
    assert len(router.calls) == 0


def test_outside_the_24_hour_window_the_supporter_needs_a_template():
    router = respx.Router()
    route(router, fixture("reengagement"))
    with pytest.raises(PayloadRejected) as caught:
        send(whatsapp(router))
    assert caught.value.message.startswith(
        "This supporter has not written to you in the last 24 hours: WhatsApp only allows "
        "an approved template now"
    )


@pytest.mark.parametrize(
    ("name", "kind", "words"),
    [
        ("undeliverable", PayloadRejected, "not on WhatsApp"),
        ("template_missing", PayloadRejected, "does not exist in that language"),
        ("param_mismatch", PayloadRejected, "one value for each"),
        ("not_registered", PermissionMissing, "not registered"),
        ("token_expired", AuthRevoked, "create a new system user token"),
    ],
)
def test_each_documented_error_gets_its_own_explanation(name, kind, words):
    router = respx.Router()
    route(router, fixture(name))
    with pytest.raises(kind) as caught:
        send(whatsapp(router))
    assert words in caught.value.message


def test_the_supporters_number_is_taken_out_of_whatsapps_words():
    router = respx.Router()
    route(router, fixture("invalid_recipient"))
    with pytest.raises(PayloadRejected) as caught:
        send(whatsapp(router))
    assert SUPPORTER not in str(caught.value) and SUPPORTER not in repr(caught.value)
    assert "[number]" in caught.value.reason


def test_the_pair_rate_limit_waits_six_seconds_and_sends_once():
    router = respx.Router()
    messages = router.post(MESSAGES).mock(
        side_effect=[error_answer("pair_rate_limit"), response_for(fixture("send_template"))]
    )
    sleeps: list[float] = []
    published = send(whatsapp(router, sleeps))
    assert messages.call_count == 2 and published.remote_id.startswith("wamid.")
    assert len(sleeps) == 1 and 5 < sleeps[0] <= 6


def test_the_pair_rate_limit_that_does_not_lift_ends_in_rate_limited():
    router = respx.Router()
    messages = router.post(MESSAGES).mock(return_value=error_answer("pair_rate_limit"))
    sleeps: list[float] = []
    with pytest.raises(RateLimited) as caught:
        send(whatsapp(router, sleeps))
    assert messages.call_count == 3 and len(sleeps) == 2
    assert caught.value.until <= datetime.now(UTC) + timedelta(seconds=6)
    assert "one message every 6 seconds" in caught.value.message


def test_the_throughput_limit_waits_a_second():
    router = respx.Router()
    router.post(MESSAGES).mock(
        side_effect=[error_answer("throughput_limit"), response_for(fixture("send_template"))]
    )
    sleeps: list[float] = []
    send(whatsapp(router, sleeps))
    assert len(sleeps) == 1 and 0 < sleeps[0] <= 1


def test_the_spam_rate_limit_is_not_retried_for_an_hour():
    router = respx.Router()
    messages = route(router, fixture("spam_rate_limit"))
    sleeps: list[float] = []
    with pytest.raises(RateLimited) as caught:
        send(whatsapp(router, sleeps))
    assert messages.call_count == 1 and sleeps == []
    remaining = caught.value.until - datetime.now(UTC)
    assert timedelta(minutes=59) < remaining <= timedelta(hours=1)


def test_a_429_answer_is_read_from_whatsapps_error_code():
    limited = fixture("pair_rate_limit")["response"]["json"]
    router = respx.Router()
    router.post(MESSAGES).mock(
        side_effect=[httpx.Response(429, json=limited), response_for(fixture("send_template"))]
    )
    sleeps: list[float] = []
    send(whatsapp(router, sleeps))
    assert len(sleeps) == 1 and 5 < sleeps[0] < 6.5


def test_with_the_app_secret_every_call_carries_the_proof():
    router = respx.Router()
    messages = route(router, fixture("send_template"))
    send(whatsapp(router, secrets={"app_secret": APP_SECRET}))
    proof = messages.calls.last.request.url.params["appsecret_proof"]
    assert proof == hmac.new(APP_SECRET.encode(), TOKEN.encode(), hashlib.sha256).hexdigest()


def test_a_timeout_while_sending_means_the_outcome_is_unknown_and_it_is_not_sent_again():
    router = respx.Router()
    messages = router.post(MESSAGES).mock(side_effect=httpx.ReadTimeout("slow"))
    with pytest.raises(OutcomeUnknown):
        send(whatsapp(router))
    assert messages.call_count == 1


def test_a_garbled_answer_to_a_send_means_the_outcome_is_unknown():
    router = respx.Router()
    router.post(MESSAGES).mock(return_value=httpx.Response(200, text="<html>oops"))
    with pytest.raises(OutcomeUnknown):
        send(whatsapp(router))


def test_an_answer_without_a_message_id_is_reported():
    router = respx.Router()
    router.post(MESSAGES).mock(return_value=httpx.Response(200, json={"messages": []}))
    with pytest.raises(UnexpectedResponse):
        send(whatsapp(router))


@pytest.mark.parametrize("name", ["token_expired", "reengagement", "pair_rate_limit"])
def test_no_secret_and_no_number_appears_in_any_error_message(name, caplog):
    caplog.set_level(logging.DEBUG)
    leaky = fixture(name)
    leaky["response"]["json"]["error"]["message"] += f" token={TOKEN} secret={APP_SECRET}"
    router = respx.Router()
    route(router, leaky)
    with pytest.raises(Exception) as caught:
        send(whatsapp(router, secrets={"app_secret": APP_SECRET}))
    for shown in (str(caught.value), caught.value.message, caught.value.reason, caplog.text):
        assert TOKEN not in shown and APP_SECRET not in shown and SUPPORTER not in shown


# -- the account and the templates ------------------------------------------------------------


def test_check_reports_the_quality_rating_and_the_daily_messaging_limit():
    router = respx.Router()
    phone = route(router, fixture("phone_number"))
    account = whatsapp(router).check()
    assert_sent(phone.calls.last.request, fixture("phone_number"))
    assert (account.remote_id, account.handle, account.display_name) == (
        NUMBER_ID,
        "+1 631-555-5555",
        "Free the Ten",
    )
    assert account.url == "https://wa.me/16315555555"
    assert any(note.startswith("Quality rating: medium") for note in account.notes)
    # The portfolio's limit (since October 2025) wins over the number's old tier.
    assert any("2,000 different people a day" in note for note in account.notes)
    assert account.limits == {"messaging_limit_tier": "TIER_2K"}


def test_check_makes_a_webhook_verify_token_once_and_keeps_it():
    router = respx.Router()
    route(router, fixture("phone_number"))
    saved: list[dict] = []
    connector = WhatsAppConnector(
        config={"phone_number_id": NUMBER_ID},
        secrets={"access_token": TOKEN},
        save_secrets=saved.append,
        transport=transport(router),
    )
    connector.check()
    token = saved[-1]["verify_token"]
    assert len(token) >= 24 and saved[-1]["access_token"] == TOKEN
    connector.check()
    assert len(saved) == 1 and connector.webhook_verify_token() == token


def test_the_templates_of_the_business_account_are_listed():
    router = respx.Router()
    listed = route(router, fixture("templates"))
    templates = whatsapp(router, waba_id=WABA).list_templates()
    assert_sent(listed.calls.last.request, fixture("templates"))
    assert [(t.name, t.language, t.status) for t in templates] == [
        ("vigil_invitation", "en_US", "APPROVED"),
        ("vigil_invitation", "ar", "PENDING"),
    ]
    assert templates[1].components[0]["text"].startswith("مرحبا {{1}}")


def test_listing_templates_needs_the_business_account_id():
    with pytest.raises(NotSupported) as caught:
        whatsapp(respx.Router()).list_templates()
    assert "WhatsApp Business Account ID" in str(caught.value)


def test_a_timeout_while_checking_is_retried():
    router = respx.Router()
    answer = fixture("phone_number")["response"]["json"]
    phone = router.get(f"{GRAPH}/{NUMBER_ID}").mock(
        side_effect=[httpx.ReadTimeout("slow"), httpx.Response(200, json=answer)]
    )
    assert whatsapp(router).check().display_name == "Free the Ten"
    assert phone.call_count == 2


def test_a_garbled_check_is_an_unexpected_response():
    router = respx.Router()
    router.get(f"{GRAPH}/{NUMBER_ID}").mock(return_value=httpx.Response(200, text="{not json"))
    with pytest.raises(UnexpectedResponse):
        whatsapp(router).check()


# -- the webhook, as functions ------------------------------------------------------------------


def test_the_subscription_check_echoes_the_challenge_only_for_our_token():
    params = fixture("webhook_verification")["request"]["params"]
    assert verify_subscription(params, VERIFY) == "1158201444"
    assert verify_subscription({**params, "hub.verify_token": "guess"}, VERIFY) is None
    assert verify_subscription({**params, "hub.mode": "unsubscribe"}, VERIFY) is None
    assert verify_subscription(params, "") is None  # no token set: nothing can match


def test_signed_statuses_are_read_with_their_times_prices_and_callback_data():
    body, signature = signed(fixture("webhook_statuses")["request"]["json"])
    sent, delivered, read = parse_status_webhook(body, signature, APP_SECRET)
    assert [s.status for s in (sent, delivered, read)] == ["sent", "delivered", "read"]
    assert sent.timestamp == datetime.fromtimestamp(1795512000, UTC)
    assert sent.pricing_category == "utility" and read.pricing_category == ""
    assert sent.callback_data == "delivery-7" and sent.phone_number_id == NUMBER_ID
    assert sent.recipient_id == SUPPORTER
    assert SUPPORTER not in repr(sent)  # a status printed to a log does not carry the number


def test_a_failed_status_carries_whatsapps_error():
    body, signature = signed(fixture("webhook_failed")["request"]["json"])
    (failed,) = parse_status_webhook(body, signature, APP_SECRET)
    assert (failed.status, failed.error_code, failed.error_title) == (
        "failed",
        131047,
        "Re-engagement message",
    )


def test_a_bad_signature_is_refused_before_the_body_is_read():
    body, _ = signed(fixture("webhook_statuses")["request"]["json"])
    _, forged = signed({"object": "anything"}, secret="not-the-app-secret")
    with pytest.raises(SignatureMismatch):
        parse_status_webhook(body, forged, APP_SECRET)
    with pytest.raises(SignatureMismatch):  # not JSON either: the signature is checked first
        parse_status_webhook(b"{garbage", "sha256=00", APP_SECRET)
    with pytest.raises(SignatureMismatch):
        parse_status_webhook(body, "", APP_SECRET)
    with pytest.raises(SignatureMismatch):  # without an app secret nothing can be trusted
        parse_status_webhook(body, "sha256=" + "0" * 64, "")


def test_a_signed_body_that_is_not_whatsapps_is_refused():
    body, signature = signed({"object": "page", "entry": []})
    with pytest.raises(WebhookRejected) as caught:
        parse_status_webhook(body, signature, APP_SECRET)
    assert not isinstance(caught.value, SignatureMismatch)


def test_a_webhook_about_incoming_messages_has_no_statuses():
    incoming = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": WABA,
                "changes": [{"value": {"messages": [{"from": SUPPORTER}]}, "field": "messages"}],
            }
        ],
    }
    body, signature = signed(incoming)
    assert parse_status_webhook(body, signature, APP_SECRET) == []


# -- the webhook, as a page Meta calls -------------------------------------------------------


@pytest.fixture
def channel(team_a) -> Channel:
    return Channel.objects.create(
        team=team_a,
        network="whatsapp",
        name="WhatsApp supporters",
        config={"phone_number_id": NUMBER_ID},
        secrets={"access_token": TOKEN, "app_secret": APP_SECRET, "verify_token": VERIFY},
    )


def meta() -> Client:
    """Meta's servers: no session, no CSRF token."""
    return Client(enforce_csrf_checks=True)


def hook(channel_id: int) -> str:
    return f"/hooks/whatsapp/{channel_id}/"


@pytest.mark.urls(__name__)
def test_meta_subscribes_with_the_channels_verify_token(channel):
    params = fixture("webhook_verification")["request"]["params"]
    answer = meta().get(hook(channel.pk), params)
    assert answer.status_code == 200 and answer.content == b"1158201444"
    assert answer["Content-Type"].startswith("text/plain")
    refused = meta().get(hook(channel.pk), {**params, "hub.verify_token": "guess"})
    assert refused.status_code == 403 and b"1158201444" not in refused.content


@pytest.mark.urls(__name__)
def test_signed_statuses_are_counted_on_the_channel_and_no_number_is_logged(channel, caplog):
    caplog.set_level(logging.DEBUG)
    for name in ("webhook_statuses", "webhook_failed"):
        body, signature = signed(fixture(name)["request"]["json"])
        answer = meta().post(
            hook(channel.pk),
            body,
            content_type="application/json",
            headers={"X-Hub-Signature-256": signature},
        )
        assert answer.status_code == 200
    channel.refresh_from_db()
    assert channel.config["webhook_counts"] == {"sent": 1, "delivered": 1, "read": 1, "failed": 1}
    assert datetime.fromisoformat(channel.config["last_webhook_at"]) > datetime.now(
        UTC
    ) - timedelta(minutes=1)
    assert SUPPORTER not in caplog.text and "447700900123" not in caplog.text


@pytest.mark.urls(__name__)
def test_a_forged_webhook_is_refused_and_records_nothing(channel):
    body, forged = signed(fixture("webhook_statuses")["request"]["json"], secret="guess")
    answer = meta().post(
        hook(channel.pk),
        body,
        content_type="application/json",
        headers={"X-Hub-Signature-256": forged},
    )
    assert answer.status_code == 403
    channel.refresh_from_db()
    assert "webhook_counts" not in channel.config


@pytest.mark.urls(__name__)
def test_a_signed_but_unreadable_webhook_is_a_bad_request(channel):
    body, signature = signed({"object": "page"})
    answer = meta().post(
        hook(channel.pk),
        body,
        content_type="application/json",
        headers={"X-Hub-Signature-256": signature},
    )
    assert answer.status_code == 400


@pytest.mark.urls(__name__)
def test_the_webhook_answers_a_stranger_alike_whether_or_not_the_channel_is_whatsapp(
    channel, team_a
):
    other = Channel.objects.create(team=team_a, network="mastodon", name="Mastodon", config={})
    no_secret = Channel.objects.create(team=team_a, network="whatsapp", name="W", config={})
    params = {**fixture("webhook_verification")["request"]["params"], "hub.verify_token": "guess"}
    body, forged = signed(fixture("webhook_statuses")["request"]["json"], secret="guess")

    def answers(channel_id: int) -> tuple:
        check = meta().get(hook(channel_id), params)
        report = meta().post(
            hook(channel_id),
            body,
            content_type="application/json",
            headers={"X-Hub-Signature-256": forged},
        )
        return (check.status_code, check.content, report.status_code, report.content)

    whatsapp = answers(channel.pk)
    assert whatsapp[0] == 403 and whatsapp[2] == 403
    for stranger in (channel.pk + 1000, other.pk, no_secret.pk):
        assert answers(stranger) == whatsapp


@pytest.mark.urls(__name__)
def test_the_webhook_answers_only_get_and_post(channel):
    assert meta().put(hook(channel.pk)).status_code == 405


def test_statuses_of_another_number_of_the_same_app_are_not_counted(channel):
    now = datetime.now(UTC)
    statuses = [
        MessageStatus("wamid.1", SUPPORTER, "sent", now, phone_number_id=NUMBER_ID),
        MessageStatus("wamid.2", SUPPORTER, "sent", now, phone_number_id="999"),
    ]
    assert record_statuses(channel, statuses) == 1
    channel.refresh_from_db()
    assert channel.config["webhook_counts"] == {"sent": 1}
