"""Hooks the upper apps register into, so core shows their news without importing them.

Core sits below every other app and must import none of them. An app that has
something waiting for a person (posts to approve, open alerts, a check-in due)
registers a ``Counter`` in its ``AppConfig.ready()``; the navigation and the team's
home page show each count beside the place it belongs to. An app with a warning for
every page (a dead-man switch near its deadline) registers a ``Banner``.

Every counter and banner gives a queryset, and all of them are counted in one query
(``tally``), so a page pays one query for them however many apps register.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import QuerySet

if TYPE_CHECKING:
    from houseboat.core.models import Membership

# What a member may have waiting: the rows to count, or None when their role has
# nothing to do with it (then nothing is asked).
Rows = Callable[["Membership"], QuerySet | None]


@dataclass(frozen=True)
class Counter:
    """Something that may wait for a member: which rows, where, and in words.

    ``rows`` takes the member; ``url`` takes the team's slug; ``label`` takes the count
    and says it in words. ``nav`` is the navigation entry
    (core.context_processors.NAVIGATION) the count shows beside.
    """

    key: str
    nav: str
    label: Callable[[int], str]
    rows: Rows
    url: Callable[[str], str]


@dataclass(frozen=True)
class Waiting:
    """One counter's answer for one member, when something waits."""

    key: str
    nav: str
    text: str
    count: int
    url: str


@dataclass(frozen=True)
class Banner:
    """A warning shown on every team page while ``rows`` finds any; ``items`` then
    returns what its ``template`` shows (as ``items``)."""

    key: str
    template: str
    rows: Rows
    items: Callable[[Membership], Sequence[Any]]


COUNTERS: dict[str, Counter] = {}
BANNERS: dict[str, Banner] = {}


def register_counter(counter: Counter) -> None:
    """Add (or replace, by key) a counter; call from an ``AppConfig.ready()``."""
    COUNTERS[counter.key] = counter


def register_banner(banner: Banner) -> None:
    """Add (or replace, by key) a banner; call from an ``AppConfig.ready()``."""
    BANNERS[banner.key] = banner


def tally(membership: Membership | None) -> dict[str, int]:
    """Count every counter's and banner's rows for this member, in one query."""
    if membership is None:
        return {}
    wanted = {
        key: rows
        for key, hook in [*COUNTERS.items(), *(("banner:" + k, b) for k, b in BANNERS.items())]
        if (rows := hook.rows(membership)) is not None
    }
    if not wanted:
        return {}
    parts, params = [], []
    for rows in wanted.values():
        sql, values = rows.order_by().values("pk").query.sql_with_params()
        # Django's own compiled SQL, its values passed apart as parameters.
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS counted)")  # noqa: S608
        params.extend(values)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        counts = cursor.fetchone()
    return dict(zip(wanted, counts, strict=True))


def waiting_for(membership: Membership | None, counts: dict[str, int] | None = None) -> list:
    """Return what waits for this member, one ``Waiting`` per counter above zero."""
    if membership is None:
        return []
    counts = tally(membership) if counts is None else counts
    return [
        Waiting(
            key=counter.key,
            nav=counter.nav,
            text=counter.label(counts[key]),
            count=counts[key],
            url=counter.url(membership.team.slug),
        )
        for key, counter in COUNTERS.items()
        if counts.get(key)
    ]


def by_nav(waiting: Sequence[Waiting]) -> list[Waiting]:
    """Add up what waits per navigation entry, so each entry shows one number."""
    totals: dict[str, Waiting] = {}
    for item in waiting:
        seen = totals.get(item.nav)
        totals[item.nav] = (
            item
            if seen is None
            else Waiting(
                key=seen.key,
                nav=seen.nav,
                text=f"{seen.text}; {item.text}",
                count=seen.count + item.count,
                url=seen.url,
            )
        )
    return list(totals.values())


def banners_for(membership: Membership | None, counts: dict[str, int] | None = None) -> list:
    """Return the banners this member must see, each with its template and items."""
    if membership is None:
        return []
    counts = tally(membership) if counts is None else counts
    shown = []
    for key, banner in BANNERS.items():
        if counts.get("banner:" + key) and (items := list(banner.items(membership))):
            shown.append({"key": key, "template": banner.template, "items": items})
    return shown
