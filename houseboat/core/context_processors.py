"""What every page's navigation shell needs."""

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from houseboat.core import hooks
from houseboat.core.constants import ROLE_CAPABILITIES

# The capabilities, in the order an organiser meets them. An entry without a URL
# name is planned: it shows in the navigation, greyed, so the shape is visible now.
NAVIGATION = [
    ("campaigns", _("Campaigns"), "campaigns:index"),
    ("inbox", _("Inbox"), "inbox:inbox"),
    ("publish", _("Publish"), "publishing:index"),
    ("listen", _("Listen"), "listening:board"),
    ("archive", _("Archive"), "listening:archive"),
    ("analyse", _("Analyse"), "listening:dashboard"),
    ("organise", _("Organise"), "organizing:index"),
    ("demands", _("Demands"), "accountability:index"),
    ("safety", _("Safety"), "safety:index"),
    ("reports", _("Reports"), "reports:report_list"),
    ("channels", _("Channels"), "connectors:index"),
    ("members", _("Members"), "core:members"),
]


def shell(request: HttpRequest) -> dict:
    team = getattr(request, "team", None)
    if team is None:
        return {"nav": []}
    current = request.resolver_match.url_name if request.resolver_match else ""
    namespace = request.resolver_match.namespace if request.resolver_match else ""
    items = []
    for key, label, url_name in NAVIGATION:
        url = reverse(url_name, kwargs={"team_slug": team.slug}) if url_name else None
        active = bool(url_name) and (
            url_name.split(":")[0] == namespace or (key, namespace) == ("publish", "deadman")
            if key in ("campaigns", "channels", "publish", "safety", "demands", "organise")
            else current == url_name.split(":")[1]
        )
        items.append({"key": key, "label": label, "url": url, "active": active})
    membership = getattr(request, "membership", None)
    caps = ROLE_CAPABILITIES[membership.role] if membership else frozenset()
    counts = SimpleLazyObject(lambda: hooks.tally(membership))  # one query, when shown
    waiting = SimpleLazyObject(lambda: hooks.waiting_for(membership, counts))
    return {
        "nav": items,
        "team": team,
        "membership": membership,
        "caps": caps,
        # What the upper apps registered (core.hooks): counts of what waits for this
        # member, and warnings for every page (a dead-man switch near its deadline).
        # Lazy: a page that does not show them asks nothing.
        "waiting": waiting,
        "nav_waiting": SimpleLazyObject(lambda: hooks.by_nav(waiting)),
        "banners": SimpleLazyObject(lambda: hooks.banners_for(membership, counts)),
    }
