"""What waits for a member in safety: open threat alerts.

Registered with core's hooks (``houseboat.core.hooks``) in ``SafetyConfig.ready``, so
the navigation and the home page show the count without core importing this app, and
with core's e-mail notices (``houseboat.core.notices``), so the worker mails it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from django.db.models import Max, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from houseboat.core import hooks, notices
from houseboat.core.constants import ROLE_CAPABILITIES, Capability
from houseboat.core.models import MailNotice, Membership, Team
from houseboat.safety.models import Alert


def open_alerts(membership: Membership) -> QuerySet | None:
    """The team's alerts nobody has acknowledged, for members who may acknowledge them."""
    if not membership.can(Capability.DRAFT):
        return None
    return Alert.objects.filter(team_id=membership.team_id).open()


# At most one alerts e-mail per person and team this often: an import can raise hundreds.
ALERT_MAIL_EVERY = timedelta(hours=1)


def alert_notices(now: datetime) -> Iterator[notices.Notice]:
    """A notice to a team's editors and owners when alerts newer than the last notice
    are open; the key names the newest, so each new alert is told once."""
    roles = [role for role, caps in ROLE_CAPABILITIES.items() if Capability.PUBLISH in caps]
    newest = Alert.objects.open().values("team_id").annotate(newest=Max("pk")).order_by("team_id")
    for row in newest:
        team = Team.objects.get(pk=row["team_id"])
        recent = MailNotice.objects.filter(
            team=team, key__startswith="alerts:", created_at__gte=now - ALERT_MAIL_EVERY
        ).values_list("user_id", flat=True)
        users = [
            membership.user
            for membership in Membership.objects.filter(team=team, role__in=roles)
            .exclude(user_id__in=recent)
            .select_related("user")
        ]
        yield notices.Notice(
            key=f"alerts:{team.pk}:{row['newest']}",
            team=team,
            users=users,
            text=_("A safety alert is open in %(team)s.") % {"team": team.name},
            path=reverse("safety:alerts", kwargs={"team_slug": team.slug}),
        )


def register() -> None:
    """Register the open-alerts counter with core."""
    hooks.register_counter(
        hooks.Counter(
            key="alerts",
            nav="safety",
            label=lambda n: (
                ngettext("%(n)s safety alert is open", "%(n)s safety alerts are open", n) % {"n": n}
            ),
            rows=open_alerts,
            url=lambda slug: reverse("safety:alerts", kwargs={"team_slug": slug}),
        )
    )
    notices.register_source("alerts", alert_notices)
