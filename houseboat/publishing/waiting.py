"""What waits for a member in publishing: posts to approve, dead-man check-ins due.

Registered with core's hooks (``houseboat.core.hooks``) in ``PublishingConfig.ready``,
so the navigation and the home page show the counts without core importing this app.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext

from houseboat.core import hooks
from houseboat.core.constants import Capability
from houseboat.core.models import Membership
from houseboat.publishing.constants import DeadManStatus, PostStatus
from houseboat.publishing.deadman import warnings_for
from houseboat.publishing.models import DeadManSwitch, Post


def awaiting_approval(membership: Membership) -> QuerySet | None:
    """The team's posts waiting for an approval this member may give."""
    if not membership.can(Capability.PUBLISH):
        return None
    return Post.objects.filter(team_id=membership.team_id, status=PostStatus.PENDING_APPROVAL)


def check_ins_due(membership: Membership) -> QuerySet | None:
    """This member's armed dead-man switches inside their warning window."""
    if not membership.can(Capability.DRAFT):
        return None
    return DeadManSwitch.objects.filter(
        team_id=membership.team_id,
        holder_id=membership.user_id,
        status=DeadManStatus.ARMED,
        warn_at__lte=timezone.now(),
    )


def warned_switches(membership: Membership) -> QuerySet | None:
    """The armed switches in their warning window that this member must be shown:
    every one of the team's for owners, their own for the holder."""
    if not membership.can(Capability.DRAFT):
        return None
    switches = DeadManSwitch.objects.filter(
        team_id=membership.team_id, status=DeadManStatus.ARMED, warn_at__lte=timezone.now()
    )
    if not membership.can(Capability.MANAGE_TEAM):
        switches = switches.filter(holder_id=membership.user_id)
    return switches


def register() -> None:
    """Register publishing's counters and the dead-man banner with core."""
    hooks.register_counter(
        hooks.Counter(
            key="approval",
            nav="publish",
            label=lambda n: (
                ngettext(
                    "%(n)s post waits for your approval", "%(n)s posts wait for your approval", n
                )
                % {"n": n}
            ),
            rows=awaiting_approval,
            url=lambda slug: reverse("publishing:review", kwargs={"team_slug": slug}),
        )
    )
    hooks.register_counter(
        hooks.Counter(
            key="check_ins",
            nav="publish",
            label=lambda n: (
                ngettext("%(n)s dead-man check-in is due", "%(n)s dead-man check-ins are due", n)
                % {"n": n}
            ),
            rows=check_ins_due,
            url=lambda slug: reverse("deadman:index", kwargs={"team_slug": slug}),
        )
    )
    hooks.register_banner(
        hooks.Banner(
            key="deadman",
            template="publishing/deadman_banner.html",
            rows=warned_switches,
            items=warnings_for,
        )
    )
