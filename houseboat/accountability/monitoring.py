"""Monitoring: new archive items that mention a demand become candidate evidence.

Two worker steps (they belong in the worker's "reading" lane):

- ``watch_archive`` reads archive items added since its cursor and matches each
  against the saved query of every demand of the item's campaign: the demand's
  words to watch for (any language), its targets' names and accounts. A match
  becomes a Candidate for a person to keep as evidence or dismiss; monitoring
  never records a status change by itself.
- ``remind_deadlines`` notes deadlines 30 days away and deadlines passed, once
  each, and e-mails the campaign's editors and owners when e-mail is set up.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from houseboat.accountability.constants import REMIND_DAYS_BEFORE, ReminderKind
from houseboat.accountability.models import (
    Candidate,
    DeadlineReminder,
    Demand,
    EvidenceLink,
    MonitorCursor,
)
from houseboat.accountability.services import with_status
from houseboat.core.constants import Role
from houseboat.listening.models import Item
from houseboat.safety.text import fold

logger = logging.getLogger(__name__)

BATCH = 2000
CURSOR = "archive"


@dataclass(frozen=True)
class Query:
    """A demand's saved query, folded for matching in any script."""

    demand_id: int
    words: tuple[tuple[str, str], ...]  # (folded, as written)
    handles: tuple[str, ...]  # lower-case, without "@"


def query_for(demand: Demand) -> Query:
    """Build the saved query of a demand: its words, its targets' names and accounts."""
    words = [w.strip() for w in demand.monitor_terms.splitlines() if w.strip()]
    handles: list[str] = []
    for link in demand.target_links.all():
        words.append(link.target.name)
        handles += link.target.handle_list()
    folded = tuple((fold(w), w) for w in dict.fromkeys(words) if len(fold(w)) >= 3)
    return Query(demand.pk, folded, tuple(h.casefold() for h in dict.fromkeys(handles)))


@dataclass(frozen=True)
class Seen:
    """What of an item monitoring compares, worked out once per item."""

    text: str  # folded
    mentioned: frozenset[str]
    author: str

    @classmethod
    def of(cls, item: Item) -> Seen:
        return cls(
            text=fold(item.text or ""),
            mentioned=frozenset(str(m).casefold().lstrip("@") for m in item.mentions or []),
            author=item.author.handle.casefold() if item.author else "",
        )


def matches(query: Query, seen: Seen) -> list[str]:
    """Return what of the query the item says (empty: no match)."""
    found = [shown for folded, shown in query.words if folded in seen.text]
    for handle in query.handles:
        if handle in seen.mentioned or handle == seen.author or f"@{handle}" in seen.text:
            found.append("@" + handle)
    return found


def queries_by_campaign(campaign_ids: set[int]) -> dict[int, list[Query]]:
    demands = (
        Demand.objects.filter(campaign_id__in=campaign_ids)
        .filter(~Q(monitor_terms="") | Q(target_links__isnull=False))
        .distinct()
        .prefetch_related("target_links__target")
    )
    queries: dict[int, list[Query]] = defaultdict(list)
    for demand in demands:
        queries[demand.campaign_id].append(query_for(demand))
    return queries


def watch_archive(name: str) -> int:
    """Match archive items added since the cursor against every demand's saved query.

    Return the number of items read, so `houseboat worker --once` goes on until
    monitoring has caught up.
    """
    cursor, _created = MonitorCursor.objects.get_or_create(name=CURSOR)
    items = list(
        Item.objects.filter(pk__gt=cursor.last_item_id)
        .select_related("author")
        .only("pk", "campaign_id", "text", "mentions", "author__handle")
        .order_by("pk")[:BATCH]
    )
    if not items:
        return 0
    queries = queries_by_campaign({item.campaign_id for item in items})
    linked = set(EvidenceLink.objects.filter(item__in=items).values_list("demand_id", "item_id"))
    found = []
    for item in items:
        seen = Seen.of(item)
        found += [
            Candidate(demand_id=query.demand_id, item=item, matched=", ".join(hits)[:300])
            for query in queries.get(item.campaign_id, [])
            if (query.demand_id, item.pk) not in linked and (hits := matches(query, seen))
        ]
    with transaction.atomic():
        # Another worker may have read the same items: the unique pair keeps one candidate,
        # and the conditional update moves the cursor only from where this one found it.
        Candidate.objects.bulk_create(found, ignore_conflicts=True)
        MonitorCursor.objects.filter(pk=cursor.pk, last_item_id=cursor.last_item_id).update(
            last_item_id=items[-1].pk, updated_at=timezone.now()
        )
    return len(items)


# --- Deadlines -----------------------------------------------------------------------------


def due_reminders(today=None) -> list[tuple[Demand, str]]:
    """Return open demands whose deadline is 30 days away or past, with the reminder kind."""
    today = today or timezone.localdate()
    horizon = today + timedelta(days=REMIND_DAYS_BEFORE)
    demands = with_status(
        Demand.objects.filter(deadline__isnull=False, deadline__lte=horizon, draft=False)
    ).select_related("campaign__team")
    due = []
    for demand in demands:
        if demand.current_verdict:  # judged: nothing left to remind about
            continue
        kind = ReminderKind.OVERDUE if demand.deadline < today else ReminderKind.SOON
        due.append((demand, kind))
    return due


def email_configured() -> bool:
    """Whether e-mail was set up for this install (anything but Django's unset default)."""
    backend = settings.EMAIL_BACKEND
    default = backend == "django.core.mail.backends.smtp.EmailBackend"
    return (
        bool(getattr(settings, "HOUSEBOAT_EMAIL", False))
        or not default
        or (settings.EMAIL_HOST not in ("", "localhost"))
    )


def reviewers_addresses(demand: Demand) -> list[str]:
    memberships = demand.campaign.team.memberships.filter(
        role__in=[Role.OWNER, Role.EDITOR]
    ).select_related("user")
    return sorted({m.user.email for m in memberships if m.user.email})


def remind_deadlines(name: str) -> int:
    """Note each due reminder once, and e-mail the team's editors and owners if set up."""
    made = 0
    for demand, kind in due_reminders():
        reminder, created = DeadlineReminder.objects.get_or_create(
            demand=demand, kind=kind, deadline=demand.deadline
        )
        if not created:
            continue
        made += 1
        if email_configured():
            reminder.emailed_to = send_reminder(demand, kind)
            reminder.save(update_fields=["emailed_to"])
    return made


def send_reminder(demand: Demand, kind: str) -> int:
    """E-mail one reminder; return how many addresses it went to (0 when it failed)."""
    to = reviewers_addresses(demand)
    if not to:
        return 0
    when = demand.deadline.isoformat()
    if kind == ReminderKind.OVERDUE:
        subject = f"Deadline passed: {demand.title}"
        body = f"The deadline of this demand was {when} and no verdict is recorded."
    else:
        subject = f"Deadline in {demand.days_to_deadline()} days: {demand.title}"
        body = f"The deadline of this demand is {when}."
    body += f"\n\nCampaign: {demand.campaign.name}\nReference: {demand.ref or demand.pk}\n"
    try:
        return send_mail(subject, body, None, to) and len(to)
    except OSError:
        logger.warning("A deadline reminder could not be e-mailed; it shows in houseboat.")
        return 0
