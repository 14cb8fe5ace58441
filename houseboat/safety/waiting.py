"""What waits for a member in safety: open threat alerts.

Registered with core's hooks (``houseboat.core.hooks``) in ``SafetyConfig.ready``, so
the navigation and the home page show the count without core importing this app.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import ngettext

from houseboat.core import hooks
from houseboat.core.constants import Capability
from houseboat.core.models import Membership
from houseboat.safety.models import Alert


def open_alerts(membership: Membership) -> QuerySet | None:
    """The team's alerts nobody has acknowledged, for members who may acknowledge them."""
    if not membership.can(Capability.DRAFT):
        return None
    return Alert.objects.filter(team_id=membership.team_id).open()


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
