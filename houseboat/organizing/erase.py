"""A supporter's data on request: all of it as a file, or erased beyond recovery.

Erasure deletes the supporter with their handles, consents, confirmations and
messages; their responses stay as anonymous counts (no supporter, no payment id).
The database then rewrites its file with the emergency purge's helper, so nothing
is left in free pages or the write-ahead log.
"""

from __future__ import annotations

from django.db import connection, transaction

from houseboat.core.constants import AuditAction
from houseboat.core.services import audit
from houseboat.organizing.models import (
    Consent,
    FollowUpMessage,
    PendingConfirmation,
    Response,
    Supporter,
    SupporterHandle,
)
from houseboat.safety.purge import rewrite_storage

TABLES = [
    Supporter._meta.db_table,
    SupporterHandle._meta.db_table,
    Consent._meta.db_table,
    PendingConfirmation._meta.db_table,
    FollowUpMessage._meta.db_table,
    Response._meta.db_table,
]


def export_supporter(supporter: Supporter) -> dict:
    """Everything houseboat holds about one supporter, as plain data."""
    return {
        "supporter": {
            "id": supporter.pk,
            "name": supporter.name,
            "handles": supporter.handles,
            "notes": supporter.notes,
            "language": supporter.language,
            "area": supporter.area,
            "tags": supporter.tags,
            "source": supporter.source,
            "campaign": supporter.campaign.name if supporter.campaign else None,
            "added": supporter.created_at.isoformat(),
            "confirmed": supporter.confirmed_at.isoformat() if supporter.confirmed_at else None,
            "unsubscribed": (
                supporter.unsubscribed_at.isoformat() if supporter.unsubscribed_at else None
            ),
            "rung": supporter.rung,
        },
        "consents": [
            {
                "channel": c.channel,
                "given": c.given_at.isoformat(),
                "source": c.source,
                "wording": c.wording,
                "confirmed": c.confirmed_at.isoformat() if c.confirmed_at else None,
                "withdrawn": c.withdrawn_at.isoformat() if c.withdrawn_at else None,
            }
            for c in supporter.consents.all()
        ],
        "responses": [
            {
                "action": r.action.title,
                "kind": r.kind,
                "date": r.created_at.isoformat(),
                "amount": r.amount,
                "via": r.link.source if r.link else "",
            }
            for r in supporter.responses.select_related("action", "link")
        ],
        "messages": [
            {
                "channel": m.channel_kind,
                "state": m.state,
                "sent": m.sent_at.isoformat() if m.sent_at else None,
                "text": m.follow_up.text,
            }
            for m in FollowUpMessage.objects.filter(supporter=supporter).select_related("follow_up")
        ],
    }


@transaction.atomic
def _delete(supporters: list[Supporter]) -> int:
    ids = [s.pk for s in supporters]
    Response.objects.filter(supporter_id__in=ids).update(supporter=None, external_ref="")
    Supporter.objects.filter(pk__in=ids).delete()
    return len(ids)


def erase_supporters(supporters: list[Supporter], *, actor=None, request=None) -> int:
    """Erase these supporters for good and rewrite the database file; return how many."""
    if not supporters:
        return 0
    team = supporters[0].team
    count = _delete(supporters)
    audit(
        AuditAction.SUPPORTER_ERASED,
        actor=actor,
        request=request,
        team=team,
        target=f"{count} supporter(s)",
        detail="erased on request; the database file was rewritten",
    )
    if not connection.in_atomic_block:
        rewrite_storage(TABLES)
    return count
