"""The demo's press side: six invented outlets writing about the Riverside Ten.

Their feeds are sample files shipped in ``demo_feeds/`` (RSS 2.0 and Atom), read through
the same parser and the same story store as a fetched feed; nothing is downloaded.
Publication times are written ``HOURS_AGO:n`` in the files and set relative to now, so
the press coverage runs beside the demo archive's social posts: state media say "riot"
where people say "vigil", and the Herald quietly rewrites its vigil story into a riot
(a stealth edit, both versions kept).
"""

from __future__ import annotations

import email.utils
import re
from datetime import datetime, timedelta
from importlib import resources

from django.utils import timezone

from houseboat.campaigns.models import Campaign
from houseboat.connectors.rss.connector import RssConnector
from houseboat.core.models import Team
from houseboat.radar import stories
from houseboat.radar.constants import SourceKind, SourceState
from houseboat.radar.models import IssueQuery, PressCollection, PressSource, Story, StoryVersion

STATE, INDEPENDENT, INTERNATIONAL = "State media", "Independent press", "International press"
COLLECTIONS = {
    STATE: "Broadcasters and papers the government of Port Verene runs.",
    INDEPENDENT: "Port Verene's own independent newsrooms.",
    INTERNATIONAL: "Foreign papers and news agencies covering Port Verene.",
}
# (file, name, collection, kind, country, language, site)
SOURCES = [
    ("herald", "Port Verene Herald", STATE, SourceKind.STATE, "XP", "en", "https://herald.example/"),
    ("radio_verene", "Radio Verene (Arabic service)", STATE, SourceKind.STATE, "XP", "ar",
     "https://radio-verene.example/"),
    ("ledger", "The Harbour Ledger", INDEPENDENT, SourceKind.INDEPENDENT, "XP", "en",
     "https://harbourledger.example/"),
    ("almarsa", "Al-Marsa al-Hurr", INDEPENDENT, SourceKind.INDEPENDENT, "XP", "ar",
     "https://almarsa.example/"),
    ("observateur", "L'Observateur international", INTERNATIONAL, SourceKind.INTERNATIONAL, "FR",
     "fr", "https://observateur.example/"),
    ("atlantic_wire", "Atlantic Wire", INTERNATIONAL, SourceKind.WIRE, "GB", "en",
     "https://atlanticwire.example/"),
]  # fmt: skip
# The Herald's vigil story, rewritten this many hours after it was published.
EDITED_AFTER = timedelta(hours=20)
# The words the radar compares on both sides, in the archive's languages.
ISSUE_TERMS = [
    "Riverside Courier",
    "Riverside Ten",
    "Port Verene",
    "journalists",
    "vigil",
    "riot",
    "Article 41",
    "Quay Street",
    "#FreeRiverside10",
    "#PressFreedom",
    "#JournalismIsNotACrime",
    "صحفيين",
    "#حرية_الصحافة",
    "journalistes",
    "periodistas",
]
PLACEHOLDER = re.compile(rb"HOURS_AGO:(\d+(?:\.\d+)?)")


def feed_bytes(name: str, now: datetime) -> bytes:
    """A demo feed file with its times set relative to ``now`` (RFC 822 in RSS, ISO in Atom)."""
    raw = resources.files("houseboat.radar").joinpath("demo_feeds", f"{name}.xml").read_bytes()
    atom = b"<feed" in raw[:300]

    def moment(match: re.Match) -> bytes:
        when = now - timedelta(hours=float(match.group(1)))
        text = when.isoformat() if atom else email.utils.format_datetime(when)
        return text.encode()

    return PLACEHOLDER.sub(moment, raw)


def read_feed(source: PressSource, name: str, now: datetime) -> stories.Stored:
    """Parse a demo feed file as a fetched feed would be, and store its stories."""
    connector = RssConnector(config={"feed_url": source.feed_url}, secrets={})
    items, _cut = connector.parse_feed(feed_bytes(name, now), source.feed_url)
    return stories.store(source, items, now)


def seed_press(team: Team, campaign: Campaign) -> list[PressSource]:
    """Add the demo's press collections, sources and stories, and the campaign's issue query."""
    now = timezone.now()
    collections = {
        name: PressCollection.objects.create(team=team, name=name, description=description)
        for name, description in COLLECTIONS.items()
    }
    made = []
    for file, name, collection, kind, country, language, site in SOURCES:
        source = PressSource.objects.create(
            team=team,
            collection=collections[collection],
            name=name,
            feed_url=f"{site}{'rss' if file != 'almarsa' else 'atom'}.xml",
            site_url=site,
            country=country,
            language=language,
            kind=kind,
            last_fetched_at=now,
            last_ok_at=now,
            # The demo's feeds are sample files, not addresses on the internet: the demo's
            # worker leaves them alone for the day a demo lasts.
            next_fetch_at=now + timedelta(days=1),
        )
        read_feed(source, file, now)
        made.append(source)
    stealth_edit(made[0], now)
    made.append(gone_source(team, collections[INDEPENDENT], now))
    IssueQuery.objects.create(
        campaign=campaign, name="The Riverside Ten: press and people", terms=ISSUE_TERMS
    )
    return made


def stealth_edit(herald: PressSource, now: datetime) -> None:
    """Read the Herald's rewritten vigil story, and date both versions as they happened."""
    read_feed(herald, "herald_update", now)
    story = Story.objects.get(source=herald, edited=True)
    first, second = StoryVersion.objects.filter(story=story).order_by("id")
    published = story.published_at or now
    StoryVersion.objects.filter(pk=first.pk).update(seen_at=published + timedelta(minutes=5))
    StoryVersion.objects.filter(pk=second.pk).update(seen_at=published + EDITED_AFTER)
    Story.objects.filter(pk=story.pk).update(
        first_seen_at=published + timedelta(minutes=5), last_seen_at=published + EDITED_AFTER
    )


def gone_source(team: Team, collection: PressCollection, now: datetime) -> PressSource:
    """A source whose feed disappeared, paused with its reason, as the Press page shows it."""
    return PressSource.objects.create(
        team=team,
        collection=collection,
        name="Verene Daily (closed)",
        feed_url="https://verenedaily.example/feed/",
        country="XP",
        language="en",
        kind=SourceKind.INDEPENDENT,
        state=SourceState.PAUSED,
        failures=1,
        last_fetched_at=now - timedelta(days=3),
        last_ok_at=now - timedelta(days=40),
        paused_reason=(
            "The feed answered 404 Not Found: check its address (the site may have moved or "
            "removed its feed)."
        ),
        last_error="The feed answered 404 Not Found.",
    )
