"""Follow-ups: one message row per supporter and consented channel, sent by the worker.

The rows follow the dispatcher's rules. A worker claims a row with a conditional
UPDATE that must change exactly one row, holding it with a lease; it re-checks the
lease and the supporter's consent immediately before sending, marks the attempt as
started just before the request leaves, and records the answer. WhatsApp, Telegram
and SMTP take no idempotency key, so a row whose worker died after the attempt
started becomes ``unknown`` and is never sent again blindly. A network that says
"slow down" holds its channel's rows until the time it names. An unsubscribe skips
every row still waiting.

Worker lane: dispatch (messages people wait for, like posts).
"""

from __future__ import annotations

import logging
import secrets
import smtplib
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from houseboat.connectors.base import ConnectorError, OutcomeUnknown, RateLimited
from houseboat.connectors.constants import ChannelStatus
from houseboat.connectors.models import Channel
from houseboat.core.constants import AuditAction
from houseboat.core.services import audit
from houseboat.organizing import segments
from houseboat.organizing.constants import ContactChannel, FollowUpState, MessageState
from houseboat.organizing.models import FollowUp, FollowUpMessage, Supporter
from houseboat.organizing.services import active_consents

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)
BATCH = 25
MAX_ATTEMPTS = 5
UNSUBSCRIBE_SALT = "houseboat.organizing.unsubscribe"


# --- queue ---------------------------------------------------------------------------


def email_configured() -> bool:
    """True when an outgoing mail server (or a test backend) is set up."""
    backend = settings.EMAIL_BACKEND
    if "smtp" not in backend:
        return True
    return bool(settings.EMAIL_HOST) and settings.EMAIL_HOST != "localhost"


def team_channel(team, network: str) -> Channel | None:
    return (
        Channel.objects.filter(team=team, network=network)
        .exclude(status=ChannelStatus.NEEDS_RECONNECT)
        .order_by("id")
        .first()
    )


def plan(follow_up: FollowUp) -> tuple[list[FollowUpMessage], dict[str, int]]:
    """Work out, without saving, one message per supporter and channel they consented to.

    Return the unsaved rows and counts: people matched, rows per channel, people left out
    for lack of consent, and people with consent houseboat cannot reach (no channel set up,
    no mail server, a Telegram user who never started the bot).
    """
    people = segments.apply(follow_up.team, follow_up.filters).prefetch_related("consents")
    channels = {
        ContactChannel.WHATSAPP: team_channel(follow_up.team, "whatsapp"),
        ContactChannel.TELEGRAM: team_channel(follow_up.team, "telegram"),
    }
    # A segment chosen by consent to one channel is written to on that channel only.
    only = follow_up.filters.get("consent")
    rows, counts = [], {"people": 0, "no_consent": 0, "no_route": 0}
    for supporter in people:
        counts["people"] += 1
        given = active_consents(supporter)
        consented = sorted(
            c for c in given if (not only or c == only) and routable(c, supporter, channels)
        )
        if not given:
            counts["no_consent"] += 1
        elif not consented:
            counts["no_route"] += 1
        for channel_kind in consented:
            rows.append(
                FollowUpMessage(
                    follow_up=follow_up,
                    supporter=supporter,
                    channel_kind=channel_kind,
                    channel=channels.get(channel_kind),
                    idempotency_key=secrets.token_hex(16),
                )
            )
            counts[channel_kind] = counts.get(channel_kind, 0) + 1
    return rows, counts


@transaction.atomic
def queue(follow_up: FollowUp, *, actor=None) -> dict[str, int]:
    """Save the planned message rows for the worker to send; return the plan's counts."""
    rows, counts = plan(follow_up)
    FollowUpMessage.objects.bulk_create(rows, ignore_conflicts=True)
    follow_up.state = FollowUpState.QUEUED
    follow_up.queued_at = timezone.now()
    follow_up.save(update_fields=["state", "queued_at"])
    audit(
        AuditAction.FOLLOW_UP_QUEUED,
        actor=actor,
        team=follow_up.team,
        target=str(follow_up)[:60],
        detail=f"{len(rows)} messages; {counts['no_consent']} supporters without consent",
    )
    return counts


def routable(channel_kind: str, supporter: Supporter, channels: dict) -> bool:
    """Whether houseboat can reach this supporter on this channel at all."""
    handles = supporter.handles
    if channel_kind == ContactChannel.EMAIL:
        return email_configured() and bool(supporter.email)
    if channel_kind == ContactChannel.TELEGRAM:
        # A bot can write only to a numeric chat id it saw when the person pressed Start.
        return (
            channels.get(channel_kind) is not None
            and handles.get("telegram", "").lstrip("-").isdigit()
        )
    return channels.get(channel_kind) is not None and bool(handles.get(channel_kind))


# --- claim ---------------------------------------------------------------------------


def release_abandoned(now: datetime) -> int:
    """Rows whose worker died: back to the queue if nothing left, else unknown."""
    abandoned = FollowUpMessage.objects.filter(state=MessageState.SENDING, lease_until__lt=now)
    unknown = abandoned.filter(attempt_started_at__isnull=False).update(
        state=MessageState.UNKNOWN,
        error="The worker stopped while sending: the message may have gone out. "
        "Ask the supporter before sending again.",
    )
    requeued = abandoned.filter(attempt_started_at__isnull=True).update(
        state=MessageState.QUEUED, lease_owner="", lease_until=None
    )
    return unknown + requeued


def claim(name: str, now: datetime, limit: int = BATCH) -> list[FollowUpMessage]:
    """Claim up to ``limit`` queued rows for worker ``name``, one conditional UPDATE each."""
    free = (
        Q(channel__isnull=True)
        | Q(channel__rate_limited_until__isnull=True)
        | Q(channel__rate_limited_until__lte=now)
    )
    due = Q(state=MessageState.QUEUED) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )
    candidates = list(
        FollowUpMessage.objects.filter(due & free)
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )
    claimed = [
        pk
        for pk in candidates
        if FollowUpMessage.objects.filter(due, pk=pk).update(
            state=MessageState.SENDING, lease_owner=name, lease_until=now + LEASE
        )
        == 1
    ]
    return list(
        FollowUpMessage.objects.filter(pk__in=claimed, lease_owner=name)
        .select_related("follow_up__campaign", "supporter__team", "channel")
        .order_by("id")
    )


def start_attempt(message: FollowUpMessage, name: str) -> bool:
    """Mark the attempt as started, if the lease is still ours; the last check before sending."""
    now = timezone.now()
    started = FollowUpMessage.objects.filter(
        pk=message.pk, state=MessageState.SENDING, lease_owner=name, lease_until__gt=now
    ).update(attempt_started_at=now, attempts=message.attempts + 1)
    return started == 1


def finish(message: FollowUpMessage, name: str, **fields) -> None:
    FollowUpMessage.objects.filter(pk=message.pk, lease_owner=name).update(
        lease_owner="", lease_until=None, **fields
    )


# --- send ----------------------------------------------------------------------------


def unsubscribe_token(supporter: Supporter) -> str:
    return signing.dumps(supporter.pk, salt=UNSUBSCRIBE_SALT, compress=True)


def supporter_for_token(token: str) -> Supporter | None:
    try:
        pk = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return Supporter.objects.filter(pk=pk).first() if isinstance(pk, int) else None


def unsubscribe_url(supporter: Supporter) -> str:
    base = getattr(settings, "HOUSEBOAT_PUBLIC_URL", "").rstrip("/")
    return base + reverse("unsubscribe", kwargs={"token": unsubscribe_token(supporter)})


def message_text(message: FollowUpMessage) -> str:
    stop = unsubscribe_url(message.supporter)
    return f"{message.follow_up.text}\n\nTo stop all messages: {stop}"


def send_one(message: FollowUpMessage, *, transport=None) -> str:
    """Send the message on its channel and return the network's id for it."""
    supporter, kind = message.supporter, message.channel_kind
    if kind == ContactChannel.EMAIL:
        send_mail(
            message.follow_up.subject or message.follow_up.text[:60],
            message_text(message),
            None,
            [supporter.email],
        )
        return ""
    connector = message.channel.connector(transport=transport)
    if kind == ContactChannel.TELEGRAM:
        return connector.send_direct(supporter.handles["telegram"], message_text(message)).remote_id
    follow_up = message.follow_up
    parameters = [message.follow_up.text, unsubscribe_url(supporter)]
    return connector.send_template(
        supporter.handles["whatsapp"],
        follow_up.whatsapp_template,
        follow_up.whatsapp_language or "en",
        [{"type": "body", "parameters": [{"type": "text", "text": p} for p in parameters]}],
        idempotency_key=message.idempotency_key,
    ).remote_id


def deliver(message: FollowUpMessage, name: str, *, transport=None) -> str:
    """Check consent and lease, send, record; return the state the row ends in."""
    if message.channel_kind not in active_consents(message.supporter):
        finish(message, name, state=MessageState.SKIPPED, error="No consent for this channel now.")
        return MessageState.SKIPPED
    if message.channel_kind == ContactChannel.WHATSAPP and not message.follow_up.whatsapp_template:
        finish(
            message,
            name,
            state=MessageState.FAILED,
            error="WhatsApp needs an approved template: name one in the follow-up.",
        )
        return MessageState.FAILED
    if not start_attempt(message, name):
        return MessageState.SENDING  # the lease ran out; another worker decides
    try:
        remote_id = send_one(message, transport=transport)
    except RateLimited as error:
        message.channel.record_error(error)
        # A "slow down" answer means nothing went out: wait and try again.
        finish(
            message,
            name,
            state=MessageState.QUEUED,
            next_attempt_at=error.until,
            attempt_started_at=None,
            error=str(error)[:600],
        )
        return MessageState.QUEUED
    except OutcomeUnknown as error:
        finish(message, name, state=MessageState.UNKNOWN, error=str(error)[:600])
        return MessageState.UNKNOWN
    except (ConnectorError, smtplib.SMTPException, OSError) as error:
        return failed(message, name, error)
    finish(
        message, name, state=MessageState.SENT, sent_at=timezone.now(), remote_id=remote_id[:200]
    )
    return MessageState.SENT


def failed(message: FollowUpMessage, name: str, error: Exception) -> str:
    permanent = getattr(error, "permanent", False) or isinstance(
        error, smtplib.SMTPRecipientsRefused
    )
    if isinstance(error, ConnectorError) and message.channel:
        message.channel.record_error(error)
    if permanent or message.attempts + 1 >= MAX_ATTEMPTS:
        finish(message, name, state=MessageState.FAILED, error=str(error)[:600])
        return MessageState.FAILED
    wait = timedelta(minutes=2 ** (message.attempts + 1))
    finish(
        message,
        name,
        state=MessageState.QUEUED,
        next_attempt_at=timezone.now() + wait,
        attempt_started_at=None,
        error=str(error)[:600],
    )
    return MessageState.QUEUED


def send_due(name: str, *, transport=None) -> int:
    """Worker step: send the follow-up messages that are due; return how many were tried."""
    now = timezone.now()
    release_abandoned(now)
    done = 0
    held: set[int] = set()
    for message in claim(name, now):
        if message.channel_id in held:
            finish(message, name, state=MessageState.QUEUED)
            continue
        state = deliver(message, name, transport=transport)
        if state == MessageState.QUEUED and message.channel_id:
            held.add(message.channel_id)  # this channel said wait: leave its others
        done += 1
    return done


def summary(follow_up: FollowUp) -> dict[str, int]:
    """How many messages are in each state, and what the networks reported after sending."""
    from django.db.models import Count

    states = dict(follow_up.messages.values_list("state").annotate(n=Count("id")).order_by())
    reports = (
        follow_up.messages.exclude(delivery_status="")
        .values_list("delivery_status")
        .annotate(n=Count("id"))
        .order_by()
    )
    states.update({f"reported {status}": n for status, n in reports})
    return states
