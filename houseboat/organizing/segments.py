"""Segments: supporters chosen by rung, tag, language, area, consent, campaign or stall."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from houseboat.core.models import Team
from houseboat.organizing.models import Supporter

FILTER_KEYS = (
    "campaign",
    "rung_min",
    "rung_max",
    "tag",
    "language",
    "area",
    "consent",
    "stalled_days",
    "responded",
)


def clean_filters(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Keep the known, non-empty filters, numbers as numbers."""
    filters: dict[str, Any] = {}
    for key in FILTER_KEYS:
        value = raw.get(key)
        if value in (None, "", []):
            continue
        if key in {"campaign", "rung_min", "rung_max", "stalled_days"}:
            try:
                value = int(value)
            except (TypeError, ValueError):
                continue
        else:
            value = str(value).strip()[:120]
        filters[key] = value
    return filters


def apply(team: Team, filters: Mapping[str, Any]) -> QuerySet[Supporter]:
    """Return the team's supporters that match every filter."""
    people = Supporter.objects.filter(team=team)
    f = clean_filters(filters)
    if "campaign" in f:
        people = people.filter(
            Q(campaign_id=f["campaign"]) | Q(responses__campaign_id=f["campaign"])
        ).distinct()
    if "rung_min" in f:
        people = people.filter(rung__gte=f["rung_min"])
    if "rung_max" in f:
        people = people.filter(rung__lte=f["rung_max"])
    if "tag" in f:
        # Tags are a JSON list; SQLite has no containment lookup, so match them here.
        tag = f["tag"].lower()
        people = people.filter(
            pk__in=[pk for pk, tags in people.values_list("pk", "tags") if tag in (tags or [])]
        )
    if "language" in f:
        people = people.filter(language__iexact=f["language"])
    if "area" in f:
        people = people.filter(area__icontains=f["area"])
    if "consent" in f:
        people = people.filter(
            consents__channel=f["consent"],
            consents__withdrawn_at__isnull=True,
            consents__confirmed_at__isnull=False,
            unsubscribed_at__isnull=True,
        ).distinct()
    if "stalled_days" in f:
        cutoff = timezone.now() - timedelta(days=f["stalled_days"])
        people = people.filter(rung_reached_at__lt=cutoff)
    if "responded" in f:
        people = people.filter(responses__kind=f["responded"]).distinct()
    return people


def describe(filters: Mapping[str, Any], team: Team | None = None) -> str:
    """The filters in words, for the person about to write to these people."""
    f = clean_filters(filters)
    if not f:
        return str(_("everyone"))
    rungs = {r.position: r.name for r in team.ladder_rungs.all()} if team else {}
    parts = []
    if "campaign" in f:
        campaign = team.campaigns.filter(pk=f["campaign"]).first() if team else None
        parts.append(_("in %(c)s") % {"c": campaign.name if campaign else f["campaign"]})
    if "rung_min" in f:
        parts.append(_("at least %(r)s") % {"r": rungs.get(f["rung_min"], f["rung_min"])})
    if "rung_max" in f:
        parts.append(_("at most %(r)s") % {"r": rungs.get(f["rung_max"], f["rung_max"])})
    if "responded" in f:
        parts.append(_("who answered “%(k)s”") % {"k": f["responded"]})
    if "stalled_days" in f:
        parts.append(_("stalled for %(d)s days or more") % {"d": f["stalled_days"]})
    for key, text in (
        ("tag", _("tagged %s")),
        ("language", _("language %s")),
        ("area", _("area %s")),
    ):
        if key in f:
            parts.append(text % f[key])
    if "consent" in f:
        parts.append(_("by %(c)s only") % {"c": f["consent"]})
    return ", ".join(str(p) for p in parts)
