"""The demo's action: a vigil outside the court, and the conversation before and after it.

The vigil is entered as a dated event 28 to 26 hours ago; the team's "Day 60" post
went out during it (publishing's demo sends it 27 hours ago). Around it, posts read
from Mastodon and Bluesky go through the archive's one pipeline, as a listening
column would store them: a quiet day before, then a wave of new voices, the vigil's
hashtag and its livestream link after. The team's post gets its counts read back.
Everything is invented: the accounts, the places and the words.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from houseboat.campaigns.models import Campaign
from houseboat.connectors.base import RemoteAuthor, RemoteItem
from houseboat.listening.constants import ActionKind
from houseboat.listening.imports import capture_live
from houseboat.listening.models import DatedEvent

LIVESTREAM = "https://riverside.example/vigil-live"
DAY_60 = "https://riverside.example/day-60"

BEFORE = [
    ("en", "Day 59 and still no charge. #FreeRiverside10", ("FreeRiverside10",), ""),
    ("es", "Diez periodistas detenidos sin cargos. #FreeRiverside10", ("FreeRiverside10",), ""),
    ("en", "Reading the Courier's last issue again. #PressFreedom", ("PressFreedom",), ""),
    ("ar", "عشرة صحفيين بلا تهمة. #FreeRiverside10", ("FreeRiverside10",), ""),
    (
        "en",
        "Tomorrow: vigil at the Central Court, 6 pm. #FreeRiverside10",
        ("FreeRiverside10",),
        "",
    ),
    ("en", "Who is going to the court tomorrow? #PressFreedom", ("PressFreedom",), ""),
]
DURING = [
    ("en", "At the Central Court now. Candles are being lit. #CourtVigil", ("CourtVigil",)),
    ("ar", "نحن أمام المحكمة الآن. #CourtVigil", ("CourtVigil",)),
    ("en", "Families arriving for the vigil. #FreeRiverside10", ("FreeRiverside10",)),
    ("es", "Ya estamos frente al tribunal. #CourtVigil", ("CourtVigil",)),
]
AFTER = [
    ("en", "Hundreds of candles outside the Central Court tonight. #FreeRiverside10 #CourtVigil"),
    ("en", "Watch the vigil live. #CourtVigil #FreeRiverside10"),
    ("ar", "مئات الشموع أمام المحكمة المركزية الليلة. #FreeRiverside10 #CourtVigil"),
    ("es", "Vigilia frente al tribunal: cientos de velas. #CourtVigil #FreeRiverside10"),
    ("en", "Ten names read aloud, one by one. #CourtVigil"),
    ("en", "The families spoke first. Then silence. #FreeRiverside10 #JournalismIsNotACrime"),
    ("pt", "Dez jornalistas, sessenta dias. #FreeRiverside10 #CourtVigil"),
    ("en", "60 days without charge is punishment without trial. #FreeRiverside10"),
]


def at_hours(moment: datetime, hours: float) -> datetime:
    return moment + timedelta(hours=hours)


def seed_actions(campaign: Campaign) -> DatedEvent:
    """Enter the demo vigil and store the conversation around it; return the event."""
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    start, end = now - timedelta(hours=28), now - timedelta(hours=26)
    event = DatedEvent.objects.create(
        campaign=campaign,
        name="Vigil outside the Central Court",
        kind=ActionKind.MARCH,
        starts_at=start,
        ends_at=end,
        notes="Candles for the ten, 6 pm. Families spoke; the livestream ran on the site.",
    )
    items = []
    for n, (language, text, tags, link) in enumerate(BEFORE):
        items.append(
            post(
                n, "regular", n % 4, start - timedelta(hours=22 - 4 * n), language, text, tags, link
            )
        )
    for n, (language, text, tags) in enumerate(DURING):
        when = start + timedelta(minutes=20 + 25 * n)
        items.append(post(50 + n, "new", 100 + n, when, language, text, tags, LIVESTREAM))
    # The wave: most in the first hours after the vigil, new voices among the regulars.
    for n in range(60):
        language, text = AFTER[n % len(AFTER)]
        tags = tuple(word.strip("#.") for word in text.split() if word.startswith("#"))
        link = LIVESTREAM if n % 3 == 0 else (DAY_60 if n % 5 == 0 else "")
        hours = (n % 12) * (0.5 if n < 36 else 1.5)
        who = ("new", n) if n % 4 else ("regular", n % 4)
        items.append(
            post(100 + n, who[0], who[1], at_hours(end, hours + 0.1), language, text, tags, link)
        )
    for network in ("mastodon", "bluesky"):
        mine = [item for item in items if item.network == network]
        capture_live(campaign=campaign, items=mine, network=network, source="demo: vigil column")
    read_back_counts(campaign, end)
    return event


def post(
    n: int,
    who: str,
    number: int,
    when: datetime,
    language: str,
    text: str,
    tags: tuple[str, ...],
    link: str,
) -> RemoteItem:
    network = "bluesky" if n % 3 == 2 else "mastodon"
    handle = f"{who}{number}.riverside.example"
    return RemoteItem(
        network=network,
        remote_id=f"demo-vigil-{n}",
        text=text + (f" {link}" if link else ""),
        created_at=when,
        author=RemoteAuthor(remote_id=handle, handle=handle),
        language=language,
        hashtags=tags,
        links=[link] if link else [],
        raw={"demo": True, "n": n},
    )


def read_back_counts(campaign: Campaign, after: datetime) -> None:
    """Give the team's sent posts the replies and shares a metrics reading would find."""
    from houseboat.publishing.constants import DeliveryState
    from houseboat.publishing.models import Delivery, MetricSample

    sent = Delivery.objects.filter(
        variant__post__campaign=campaign, state=DeliveryState.SENT, sent_at__isnull=False
    ).exclude(variant__channel__network="own_site")
    MetricSample.objects.bulk_create(
        MetricSample(
            delivery=delivery,
            captured_at=max(delivery.sent_at, after) + timedelta(hours=6),
            replies=12 + 5 * n,
            reposts=40 + 17 * n,
            likes=90 + 30 * n,
        )
        for n, delivery in enumerate(sent)
    )
