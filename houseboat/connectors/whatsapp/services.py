"""What houseboat does with the delivery statuses WhatsApp reports."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from houseboat.connectors.models import Channel
from houseboat.connectors.whatsapp.connector import MessageStatus

# Sent with channel= and statuses= once a webhook's statuses are counted: the organising
# app matches them to its follow-up messages (by the key passed as callback data).
statuses_recorded = Signal()


def record_statuses(channel: Channel, statuses: Sequence[MessageStatus]) -> int:
    """Count the channel's new statuses by kind and note when the last webhook came.

    Counts are kept in ``channel.config["webhook_counts"]`` and
    ``channel.config["last_webhook_at"]``; listeners of ``statuses_recorded`` (the
    organising app) attach each status to the supporter's message through
    ``callback_data``, the message's idempotency key. Meta may send a status twice,
    so the counts are a rough gauge, not a ledger. Statuses of another number of the same Meta app are
    skipped. Return how many statuses were counted.
    """
    number_id = str(channel.config.get("phone_number_id") or "")
    mine = [s for s in statuses if not s.phone_number_id or s.phone_number_id == number_id]
    with transaction.atomic():
        # Read the config fresh under a row lock: Meta sends webhooks concurrently.
        locked = Channel.objects.select_for_update().get(pk=channel.pk)
        counts = dict(locked.config.get("webhook_counts") or {})
        for status in mine:
            counts[status.status] = counts.get(status.status, 0) + 1
        locked.config["webhook_counts"] = counts
        locked.config["last_webhook_at"] = timezone.now().isoformat()
        locked.save(update_fields=["config"])
    channel.config = locked.config
    statuses_recorded.send(sender=Channel, channel=channel, statuses=mine)
    return len(mine)
