"""What waits for a member in the inbox: open entries given to them, or to nobody.

Registered with core's hooks in ``InboxConfig.ready``, so the navigation shows the
count beside "Inbox" without core importing this app.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import ngettext

from houseboat.core import hooks
from houseboat.core.constants import Capability
from houseboat.core.models import Membership
from houseboat.inbox.constants import EntryState
from houseboat.inbox.models import InboxEntry


def open_for(membership: Membership) -> QuerySet | None:
    """The team's open entries assigned to this member or to nobody, for who may handle them."""
    if not membership.can(Capability.DRAFT):
        return None
    return InboxEntry.objects.filter(team_id=membership.team_id, state=EntryState.OPEN).filter(
        Q(assignee_id=membership.user_id) | Q(assignee__isnull=True)
    )


def register() -> None:
    """Register the inbox counter with core."""
    hooks.register_counter(
        hooks.Counter(
            key="inbox",
            nav="inbox",
            label=lambda n: (
                ngettext(
                    "%(n)s inbox message waits for you or for nobody",
                    "%(n)s inbox messages wait for you or for nobody",
                    n,
                )
                % {"n": n}
            ),
            rows=open_for,
            url=lambda slug: reverse("inbox:inbox", kwargs={"team_slug": slug}),
        )
    )
