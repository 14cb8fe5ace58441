"""What the organising app hears from other apps: WhatsApp's delivery reports."""

from __future__ import annotations

from houseboat.organizing.models import FollowUpMessage

# A report only moves a message forward: a late "delivered" never hides a "read".
ORDER = {"": 0, "sent": 1, "delivered": 2, "read": 3, "played": 3, "failed": 4}


def whatsapp_statuses(sender, *, channel, statuses, **kwargs) -> None:
    """Note each status on the follow-up message it belongs to (matched by its key)."""
    keys = {s.callback_data: s for s in statuses if s.callback_data}
    if not keys:
        return
    messages = FollowUpMessage.objects.filter(
        idempotency_key__in=list(keys), channel_kind="whatsapp", channel=channel
    )
    for message in messages:
        status = keys[message.idempotency_key]
        if status.message_id and message.remote_id and status.message_id != message.remote_id:
            continue
        if ORDER.get(status.status, 0) <= ORDER.get(message.delivery_status, 0):
            continue
        fields = {"delivery_status": status.status}
        if status.status == "failed":
            fields["error"] = (
                f"WhatsApp could not deliver it: {status.error_title or status.error_code}"
            )[:600]
        FollowUpMessage.objects.filter(pk=message.pk).update(**fields)


def connect() -> None:
    from houseboat.connectors.whatsapp.services import statuses_recorded

    statuses_recorded.connect(whatsapp_statuses, dispatch_uid="organizing_whatsapp_statuses")
