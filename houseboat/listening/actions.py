"""The response to an action: the conversation before, during and after it, from the roll-ups.

An action is a dated event the team entered (:class:`DatedEvent`: a march, a hearing,
a press conference) or any post the team published (its first delivery's time; it
lasts the hour it went out). Around it, in whole UTC hours:

- **before** (the baseline): the ``hours`` hours just before the action starts;
- **during**: from the hour it starts to the hour it ends (at least one hour);
- **after**: the ``hours`` hours after it ends, as long as the baseline.

The response score is plain: posts in the hours after, divided by posts in as many
hours before, each plus one (so a quiet start does not divide by zero). 3.0 means
three times the conversation; 1.0 means no change.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Min, Sum
from django.utils.translation import gettext as _

from houseboat.campaigns.models import Campaign
from houseboat.listening.analytics import hour_of
from houseboat.listening.constants import ActionKind, RollupDimension
from houseboat.listening.models import AuthorFirstPost, DatedEvent, HourlyCount, HourlyKeyCount

DEFAULT_HOURS = 24
HOURS_CHOICES = (3, 6, 12, 24, 48, 72, 168)
RISING_ROWS = 10
ACTIONS_LISTED = 100
POST_KIND = "post"


@dataclass(frozen=True)
class Action:
    """A dated event or a published post, seen the same way by the response page."""

    ref: str  # "event-12" or "post-34": the page's address
    name: str
    kind: str  # an ActionKind value, or "post"
    starts_at: datetime
    ends_at: datetime
    notes: str = ""
    post_id: int | None = None

    @property
    def kind_label(self) -> str:
        if self.kind == POST_KIND:
            return _("published post")
        return str(ActionKind(self.kind).label) if self.kind in ActionKind.values else self.kind


@dataclass(frozen=True)
class Windows:
    """The three spans of whole hours around an action; each ``until`` is excluded."""

    before: tuple[datetime, datetime]
    during: tuple[datetime, datetime]
    after: tuple[datetime, datetime]

    @property
    def span(self) -> tuple[datetime, datetime]:
        return self.before[0], self.after[1]


def windows(action: Action, hours: int) -> Windows:
    """Return the before (baseline), during and after windows of an action."""
    start = hour_of(action.starts_at)
    end = hour_of(action.ends_at)
    if end < action.ends_at or end <= start:
        end += timedelta(hours=1)
    end = max(end, start + timedelta(hours=1))
    length = timedelta(hours=hours)
    return Windows((start - length, start), (start, end), (end, end + length))


def published_posts(campaign: Campaign):
    """Return the campaign's posts that went out, each with ``first_sent`` (its first delivery)."""
    from houseboat.publishing.models import Post

    return (
        Post.objects.filter(campaign=campaign)
        .annotate(first_sent=Min("variants__deliveries__sent_at"))
        .filter(first_sent__isnull=False)
    )


def post_action(post) -> Action:
    return Action(
        ref=f"post-{post.pk}",
        name=str(post),
        kind=POST_KIND,
        starts_at=post.first_sent,
        ends_at=post.first_sent,
        post_id=post.pk,
    )


def event_action(event: DatedEvent) -> Action:
    return Action(
        ref=f"event-{event.pk}",
        name=event.name,
        kind=event.kind,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        notes=event.notes,
    )


def all_actions(campaign: Campaign, limit: int = ACTIONS_LISTED) -> list[Action]:
    """Return the campaign's latest events and published posts, newest first."""
    events = [event_action(e) for e in DatedEvent.objects.filter(campaign=campaign)[:limit]]
    posts = [post_action(p) for p in published_posts(campaign).order_by("-first_sent")[:limit]]
    return sorted(events + posts, key=lambda a: a.starts_at, reverse=True)[:limit]


def find_action(campaign: Campaign, ref: str) -> Action | None:
    """Return the action a page address names ("event-12", "post-34"), or None."""
    kind, _sep, number = ref.partition("-")
    if not number.isdigit():
        return None
    if kind == "event":
        event = DatedEvent.objects.filter(campaign=campaign, pk=int(number)).first()
        return event_action(event) if event else None
    if kind == POST_KIND:
        post = published_posts(campaign).filter(pk=int(number)).first()
        return post_action(post) if post else None
    return None


# --- the numbers ---------------------------------------------------------------------------


def volume(campaign: Campaign, span: tuple[datetime, datetime]) -> int:
    """Return how many items were posted in a span of hours."""
    total = HourlyCount.objects.filter(
        campaign=campaign, hashtag="", hour__gte=span[0], hour__lt=span[1]
    ).aggregate(n=Sum("count"))["n"]
    return total or 0


def new_accounts(campaign: Campaign, span: tuple[datetime, datetime]) -> int:
    """Return how many accounts posted in the campaign for the first time in a span."""
    return AuthorFirstPost.objects.filter(
        campaign=campaign, first_at__gte=span[0], first_at__lt=span[1]
    ).count()


def score(before: int, after: int) -> float:
    """Return the response score: (after + 1) / (before + 1), to two decimals."""
    return round((after + 1) / (before + 1), 2)


@dataclass
class Rise:
    """A hashtag or link and its counts in the hours before and after."""

    key: str
    before: int
    after: int

    @property
    def change(self) -> int:
        return self.after - self.before


def _sums(rows, span: tuple[datetime, datetime], key: str) -> dict[str, int]:
    grouped = rows.filter(hour__gte=span[0], hour__lt=span[1]).values(key).annotate(n=Sum("count"))
    return {row[key]: row["n"] for row in grouped}


def rising(before: dict[str, int], after: dict[str, int], limit: int = RISING_ROWS) -> list[Rise]:
    """Return the keys whose count grew most from before to after, largest rise first."""
    rises = [Rise(k, before.get(k, 0), n) for k, n in after.items() if n > before.get(k, 0)]
    return sorted(rises, key=lambda r: (-r.change, -r.after, r.key))[:limit]


def rising_hashtags(campaign: Campaign, w: Windows) -> list[Rise]:
    rows = HourlyCount.objects.filter(campaign=campaign).exclude(hashtag="")
    return rising(_sums(rows, w.before, "hashtag"), _sums(rows, w.after, "hashtag"))


def rising_links(campaign: Campaign, w: Windows) -> list[Rise]:
    rows = HourlyKeyCount.objects.filter(campaign=campaign, dimension=RollupDimension.LINK)
    return rising(_sums(rows, w.before, "key"), _sums(rows, w.after, "key"))


def hourly(campaign: Campaign, span: tuple[datetime, datetime]) -> list[tuple[datetime, int]]:
    """Return (hour, items) for every hour of the span, zero where nothing was posted."""
    counts = dict(
        HourlyCount.objects.filter(
            campaign=campaign, hashtag="", hour__gte=span[0], hour__lt=span[1]
        ).values_list("hour", "count")
    )
    out, hour = [], span[0]
    while hour < span[1]:
        out.append((hour, counts.get(hour, 0)))
        hour += timedelta(hours=1)
    return out


@dataclass
class OwnPost:
    """One of the team's published posts near the action, with its latest counts read back."""

    post_id: int
    text: str
    sent_at: datetime
    window: str
    replies: int | None = None
    reposts: int | None = None
    networks: list[str] = field(default_factory=list)


def own_posts(campaign: Campaign, w: Windows) -> list[OwnPost]:
    """Return the team's posts sent in the three windows, with their replies and shares.

    The counts are each delivery's latest metrics reading (publishing/metrics.py),
    added up across the networks a post went to; None when nothing was read back yet.
    """
    from houseboat.publishing.models import MetricSample

    posts = list(
        published_posts(campaign)
        .filter(first_sent__gte=w.before[0], first_sent__lt=w.after[1])
        .order_by("first_sent")
    )
    if not posts:
        return []
    samples = (
        MetricSample.objects.filter(delivery__variant__post__in=posts)
        .order_by("delivery_id", "-captured_at", "-id")
        .values_list(
            "delivery__variant__post_id",
            "delivery_id",
            "replies",
            "reposts",
            "delivery__variant__channel__network",
        )
    )
    latest: dict[int, tuple] = {}
    for post_id, delivery_id, replies, reposts, network in samples:
        latest.setdefault(delivery_id, (post_id, replies, reposts, network))
    result = []
    for post in posts:
        row = OwnPost(post.pk, str(post), post.first_sent, window_of(w, post.first_sent))
        for post_id, replies, reposts, network in latest.values():
            if post_id != post.pk:
                continue
            row.replies = add(row.replies, replies)
            row.reposts = add(row.reposts, reposts)
            row.networks.append(network)
        result.append(row)
    return result


def add(total: int | None, value: int | None) -> int | None:
    if value is None:
        return total
    return (total or 0) + value


def window_of(w: Windows, moment: datetime) -> str:
    if moment < w.before[1]:
        return _("before")
    if moment < w.during[1]:
        return _("during")
    return _("after")


@dataclass
class Response:
    """Everything the response page shows for one action."""

    action: Action
    hours: int
    windows: Windows
    volume: dict[str, int]
    new_accounts: dict[str, int]
    score: float
    hashtags: list[Rise]
    links: list[Rise]
    hourly: list[tuple[datetime, int]]
    own_posts: list[OwnPost]


def response(campaign: Campaign, action: Action, hours: int = DEFAULT_HOURS) -> Response:
    """Measure the conversation around an action."""
    w = windows(action, hours)
    spans = {"before": w.before, "during": w.during, "after": w.after}
    volumes = {name: volume(campaign, span) for name, span in spans.items()}
    return Response(
        action=action,
        hours=hours,
        windows=w,
        volume=volumes,
        new_accounts={name: new_accounts(campaign, span) for name, span in spans.items()},
        score=score(volumes["before"], volumes["after"]),
        hashtags=rising_hashtags(campaign, w),
        links=rising_links(campaign, w),
        hourly=hourly(campaign, w.span),
        own_posts=own_posts(campaign, w),
    )


@dataclass
class Ranked:
    action: Action
    before: int
    after: int
    score: float


def ranked(campaign: Campaign, actions: Iterable[Action], hours: int) -> list[Ranked]:
    """Return the actions with their before and after volumes, highest response first."""
    rows = []
    for action in actions:
        w = windows(action, hours)
        before, after = volume(campaign, w.before), volume(campaign, w.after)
        rows.append(Ranked(action, before, after, score(before, after)))
    return sorted(rows, key=lambda r: (-r.score, -r.after, r.action.starts_at))
