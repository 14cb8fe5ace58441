"""Follow-ups: only on consented channels, never twice, unsubscribe honoured everywhere."""

import json
from datetime import timedelta

import httpx
import respx
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from houseboat.organizing import followups
from houseboat.organizing.constants import FollowUpState, MessageState
from houseboat.organizing.models import FollowUp, FollowUpMessage
from tests.connectors.replay import load, route, transport

from .conftest import add

WA_URL = "https://graph.facebook.com/v26.0/106540352242922/messages"


def follow_up(team, **extra) -> FollowUp:
    return FollowUp.objects.create(
        team=team,
        subject="Thank you",
        text="Thank you for Saturday. Next vigil: Friday 6 pm.",
        whatsapp_template="vigil_thanks",
        **extra,
    )


def network(router=None) -> tuple[respx.Router, httpx.MockTransport]:
    router = router or respx.Router(assert_all_called=False)
    route(router, load("whatsapp", "send_template"))
    route(router, load("telegram", "send_message_private"))
    return router, transport(router)


def test_a_message_goes_only_on_the_channels_each_person_consented_to(
    team_a, whatsapp_channel, telegram_channel
):
    both = add(
        team_a,
        "Amal",
        {"whatsapp": "+16505551234", "telegram": "700100200", "email": "amal@example.org"},
        ["whatsapp", "telegram"],
    )
    sam = add(team_a, "Sam", {"whatsapp": "+447700900001", "email": "sam@example.org"})
    mail_only = add(team_a, "Lina", {"email": "lina@example.org"}, ["email"])
    f = follow_up(team_a)
    counts = followups.queue(f)
    assert counts["no_consent"] == 1
    rows = {(m.supporter_id, m.channel_kind) for m in FollowUpMessage.objects.all()}
    assert rows == {(both.pk, "whatsapp"), (both.pk, "telegram"), (mail_only.pk, "email")}
    router, via = network()
    assert followups.send_due("w1", transport=via) == 3
    assert set(FollowUpMessage.objects.values_list("state", flat=True)) == {MessageState.SENT}
    sent = {call.request.url.host: json.loads(call.request.content) for call in router.calls}
    whatsapp = sent["graph.facebook.com"]
    assert whatsapp["to"] == "+16505551234"
    assert whatsapp["template"]["name"] == "vigil_thanks"
    parameters = whatsapp["template"]["components"][0]["parameters"]
    assert parameters[0]["text"].startswith("Thank you for Saturday")
    assert "/stop/" in parameters[1]["text"]
    telegram = sent["api.telegram.org"]
    assert telegram["chat_id"] == "700100200"
    assert "To stop all messages:" in telegram["text"]
    assert [m.to for m in mail.outbox] == [["lina@example.org"]]
    assert "/stop/" in mail.outbox[0].body
    assert not FollowUpMessage.objects.filter(supporter=sam).exists()  # no consent, no row


def test_a_supporter_who_unsubscribes_after_queueing_gets_nothing(team_a, whatsapp_channel):
    amal = add(team_a, "Amal", {"whatsapp": "+16505551234"}, ["whatsapp"])
    followups.queue(follow_up(team_a))
    stop = reverse("unsubscribe", kwargs={"token": followups.unsubscribe_token(amal)})
    visitor = Client()
    assert "Stop all messages?" in visitor.get(stop).content.decode()
    amal.refresh_from_db()
    assert amal.unsubscribed_at is None  # a GET (a mail scanner) changes nothing
    visitor.post(stop)
    router, via = network()
    assert followups.send_due("w1", transport=via) == 0
    assert not router.calls
    assert FollowUpMessage.objects.get().state == MessageState.SKIPPED
    followups.queue(follow_up(team_a))
    assert FollowUpMessage.objects.count() == 1  # no new row for an unsubscribed person


def test_consent_withdrawn_between_claim_and_send_stops_the_message(team_a, whatsapp_channel):
    amal = add(team_a, "Amal", {"whatsapp": "+16505551234"}, ["whatsapp"])
    followups.queue(follow_up(team_a))
    [message] = followups.claim("w1", timezone.now())
    amal.consents.update(withdrawn_at=timezone.now())
    router, via = network()
    assert followups.deliver(message, "w1", transport=via) == MessageState.SKIPPED
    assert not router.calls


def test_a_row_whose_worker_died_mid_send_is_never_sent_again(team_a, whatsapp_channel):
    add(team_a, "Amal", {"whatsapp": "+16505551234"}, ["whatsapp"])
    followups.queue(follow_up(team_a))
    [message] = followups.claim("dead-worker", timezone.now())
    assert followups.start_attempt(message, "dead-worker")
    # The worker dies here; its lease runs out.
    FollowUpMessage.objects.update(lease_until=timezone.now() - timedelta(seconds=1))
    router, via = network()
    assert followups.send_due("w2", transport=via) == 0
    assert not router.calls
    row = FollowUpMessage.objects.get()
    assert row.state == MessageState.UNKNOWN
    assert "may have gone out" in row.error


def test_a_row_abandoned_before_the_attempt_is_sent_once_by_another_worker(
    team_a, whatsapp_channel
):
    add(team_a, "Amal", {"whatsapp": "+16505551234"}, ["whatsapp"])
    followups.queue(follow_up(team_a))
    followups.claim("dead-worker", timezone.now())
    FollowUpMessage.objects.update(lease_until=timezone.now() - timedelta(seconds=1))
    router, via = network()
    assert followups.send_due("w2", transport=via) == 1
    assert followups.send_due("w2", transport=via) == 0
    assert len(router.calls) == 1
    assert FollowUpMessage.objects.get().state == MessageState.SENT


def test_a_second_worker_cannot_claim_a_held_row(team_a, whatsapp_channel):
    add(team_a, "Amal", {"whatsapp": "+16505551234"}, ["whatsapp"])
    followups.queue(follow_up(team_a))
    now = timezone.now()
    assert len(followups.claim("w1", now)) == 1
    assert followups.claim("w2", now) == []


def test_whatsapp_slow_down_holds_the_channel_and_sends_later(team_a, whatsapp_channel):
    add(team_a, "Amal", {"whatsapp": "+16505551234"}, ["whatsapp"])
    add(team_a, "Noor", {"whatsapp": "+16505551235"}, ["whatsapp"])
    followups.queue(follow_up(team_a))
    router = respx.Router()
    route(router, load("whatsapp", "throughput_limit"))
    assert followups.send_due("w1", transport=transport(router)) == 1
    # The connector retried a short wait itself; the second person's row waited, unsent.
    recipients = {json.loads(call.request.content)["to"] for call in router.calls}
    assert len(recipients) == 1
    states = sorted(FollowUpMessage.objects.values_list("state", flat=True))
    assert states == [MessageState.QUEUED, MessageState.QUEUED]
    whatsapp_channel.refresh_from_db()
    assert whatsapp_channel.rate_limited_until is not None
    assert followups.claim("w1", timezone.now()) == []


def test_a_follow_up_is_queued_once_from_the_page(as_bob, team_a, whatsapp_channel):
    add(team_a, "Amal", {"whatsapp": "+16505551234"}, ["whatsapp"])
    add(team_a, "Sam")
    created = as_bob.post(
        reverse("organizing:follow_up_create", args=[team_a.slug]),
        {"text": "See you Friday", "whatsapp_template": "vigil_thanks", "save_as": "Everyone"},
    )
    assert created.status_code == 302
    page = as_bob.get(created.url).content.decode()
    assert "WhatsApp: 1" in page
    assert "1 has given no consent and gets nothing" in page
    send = created.url + "send/"
    as_bob.post(send)
    as_bob.post(send)
    assert FollowUpMessage.objects.count() == 1
    assert FollowUp.objects.get().state == FollowUpState.QUEUED
    assert team_a.segments.get().name == "Everyone"


def test_email_is_left_out_when_no_mail_server_is_set_up(team_a, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "localhost"
    add(team_a, "Lina", {"email": "lina@example.org"}, ["email"])
    counts = followups.queue(follow_up(team_a))
    assert counts["no_route"] == 1
    assert not FollowUpMessage.objects.exists()


def test_whatsapp_delivery_reports_land_on_the_message_and_only_move_forward(
    team_a, whatsapp_channel
):
    from datetime import UTC, datetime

    from houseboat.connectors.whatsapp.connector import MessageStatus
    from houseboat.connectors.whatsapp.services import record_statuses

    add(team_a, "Amal", {"whatsapp": "+16505551234"}, ["whatsapp"])
    f = follow_up(team_a)
    followups.queue(f)
    _router, via = network()
    followups.send_due("w1", transport=via)
    message = FollowUpMessage.objects.get()

    def report(status: str, **extra) -> None:
        record_statuses(
            whatsapp_channel,
            [
                MessageStatus(
                    message_id=message.remote_id,
                    recipient_id="16505551234",
                    status=status,
                    timestamp=datetime.now(UTC),
                    phone_number_id=whatsapp_channel.config["phone_number_id"],
                    callback_data=message.idempotency_key,
                    **extra,
                )
            ],
        )

    report("read")
    report("delivered")  # arrives late: the message stays read
    message.refresh_from_db()
    assert message.delivery_status == "read"
    assert followups.summary(f) == {MessageState.SENT: 1, "reported read": 1}
    report("failed", error_code=131026, error_title="Message undeliverable")
    message.refresh_from_db()
    assert message.delivery_status == "failed"
    assert "Message undeliverable" in message.error
