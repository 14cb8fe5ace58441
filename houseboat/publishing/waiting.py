"""What waits for a member in publishing: posts to approve, dead-man check-ins due.

Registered with core's hooks (``houseboat.core.hooks``) in ``PublishingConfig.ready``,
so the navigation and the home page show the counts without core importing this app,
and with core's e-mail notices (``houseboat.core.notices``), so the worker mails them.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from houseboat.core import hooks, notices
from houseboat.core.constants import ROLE_CAPABILITIES, Capability
from houseboat.core.models import Membership, User
from houseboat.publishing.constants import DeadManStatus, PostStatus
from houseboat.publishing.deadman import EDITABLE, reads_all, warnings_for
from houseboat.publishing.models import DeadManSwitch, Post


def awaiting_approval(membership: Membership) -> QuerySet | None:
    """The team's posts waiting for an approval this member may give."""
    if not membership.can(Capability.PUBLISH):
        return None
    return Post.objects.filter(team_id=membership.team_id, status=PostStatus.PENDING_APPROVAL)


def switches_to_approve(membership: Membership) -> QuerySet | None:
    """The team's dead-man switches sent for an approval this member may give.

    Only owners approve statements (only they read them besides the holder), and not
    their own: those are approved when they arm the switch.
    """
    if not reads_all(membership):
        return None
    return DeadManSwitch.objects.filter(
        team_id=membership.team_id,
        status__in=EDITABLE,
        submitted_at__isnull=False,
        approved_at__isnull=True,
    ).exclude(holder_id=membership.user_id)


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


def approvers(team_id: int, *, besides: int | None = None) -> list[User]:
    """The team's members who may approve posts (editors and owners)."""
    roles = [role for role, caps in ROLE_CAPABILITIES.items() if Capability.PUBLISH in caps]
    return [
        membership.user
        for membership in Membership.objects.filter(team_id=team_id, role__in=roles)
        .exclude(user_id=besides)
        .select_related("user")
    ]


def approval_notices(now: datetime) -> Iterator[notices.Notice]:
    """A notice to the team's approvers for each post sent for approval (again), and
    one more when it changed after that, so nobody approves words they did not read."""
    waiting = Post.objects.filter(status=PostStatus.PENDING_APPROVAL).select_related("team")
    for post in waiting:
        key = f"approval:{post.pk}:{post.submitted_version or post.version}"
        text = _("A post waits for your approval in %(team)s.")
        if post.changed_in_review:
            key += ":changed"
            text = _(
                "A post waiting for your approval in %(team)s was changed after it was sent: "
                "read it again before you approve it."
            )
        yield notices.Notice(
            key=key,
            team=post.team,
            users=approvers(post.team_id, besides=post.author_id),
            text=text % {"team": post.team.name},
            path=reverse("publishing:review", kwargs={"team_slug": post.team.slug}),
        )


def check_in_notices(now: datetime) -> Iterator[notices.Notice]:
    """A notice to the holder of each armed switch inside its warning window.

    The words name no switch and no deadline, and the link is the team's home page: a
    holder's mailbox may be read by the very people the switch is for.
    """
    due = DeadManSwitch.objects.filter(
        status=DeadManStatus.ARMED, warn_at__lte=now, deadline__gt=now
    ).select_related("team", "holder")
    for switch in due:
        yield notices.Notice(
            key=f"check-in:{switch.pk}:{switch.deadline:%Y%m%dT%H%M%S}",
            team=switch.team,
            users=[switch.holder],
            text=_("Something waits for you in %(team)s.") % {"team": switch.team.name},
            path=reverse("campaigns:index", kwargs={"team_slug": switch.team.slug}),
        )


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
            key="switch_approval",
            nav="publish",
            label=lambda n: (
                ngettext(
                    "%(n)s dead-man switch waits for your approval",
                    "%(n)s dead-man switches wait for your approval",
                    n,
                )
                % {"n": n}
            ),
            rows=switches_to_approve,
            url=lambda slug: reverse("deadman:index", kwargs={"team_slug": slug}),
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
    notices.register_source("approval", approval_notices)
    notices.register_source("check_ins", check_in_notices)
