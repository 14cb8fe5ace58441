"""Dashboards benchmark: build a large campaign archive fast, then time the pages on it.

    python3 -m uv run --frozen python bench/dashboards.py --items 10000000
    python3 -m uv run --frozen python bench/dashboards.py --items 1000000 --keep /tmp/arch

How the archive is built (fast, and not through the import pipeline, which
bench/archive.py measures on its own): a fresh SQLite database is migrated, then the
items, their authors, their hashtag rows and every roll-up the dashboards read are
written with direct SQL, ``executemany`` of plain tuples in batches of 200,000 inside
one transaction per table, with the journal off, the tables' secondary indexes dropped
during the load and created again after it. The full-text and trigram triggers are
dropped and their indexes left empty: the dashboards never read them. Each item's raw
payload is the same small compressed JSON, and its hash is its number.

The roll-ups are counted from the generated arrays with numpy exactly as
``Rollups.add`` counts items (hour overall and per hashtag, network, language, link,
team mention; posts and reposts per author; each author's first post; hashtag pairs),
and a run with ``--check`` counts a sample campaign again through ``analytics.rebuild``
to prove the two agree.

The archive is shaped like a month-long campaign: 30 days with a daily rhythm and a
six-hour wave after a march on day 20; a quarter as many accounts as items,
heavy-tailed; a movement hashtag on 70 % of items and up to two of 5,000 others,
heavy-tailed; half of them reposts; a fifth with one of 20,000 links; six networks and
six languages; 1 % mention the team's account. Then the pages are timed through
Django's test client (the whole request: middleware, queries, charts, template), five
times each, the first cold, from a fresh process.
"""

from __future__ import annotations

import argparse
import os
import platform
import secrets
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

START = datetime(2026, 5, 1, tzinfo=UTC)
DAYS = 30
MARCH_HOUR = 19 * 24 + 18  # day 20, 18:00 UTC
NETWORKS = ["x", "mastodon", "bluesky", "facebook", "telegram", "rss"]
LANGUAGES = ["en", "es", "ar", "fr", "pt", "de"]
TAGS = 5000
LINKS = 20000
MOVEMENT = "justiceforamara"
TEAM_HANDLE = "justiceforamara"
CHUNK = 200_000
RAW = zlib.compress(b'{"bench":true}')


def sql_time(seconds: np.ndarray | int) -> str:
    """Return a moment as Django stores it on SQLite (UTC, no offset)."""
    return (START + timedelta(seconds=int(seconds))).strftime("%Y-%m-%d %H:%M:%S")


class Archive:
    """The generated items, as numpy arrays, one value per item."""

    def __init__(self, items: int, seed: int = 7) -> None:
        rng = np.random.default_rng(seed)
        hours = DAYS * 24
        weights = 1 + 0.8 * np.sin(np.arange(hours) / 24 * 2 * np.pi - np.pi / 2)
        weights[MARCH_HOUR : MARCH_HOUR + 6] *= 8
        self.hour = rng.choice(hours, size=items, p=weights / weights.sum())
        self.seconds = self.hour * 3600 + rng.integers(0, 3600, items)
        self.authors = max(1, items // 4)
        self.author = (self.authors * rng.random(items) ** 3).astype(np.int64)
        self.network = rng.choice(6, size=items, p=[0.45, 0.2, 0.15, 0.1, 0.05, 0.05])
        self.language = rng.choice(6, size=items, p=[0.5, 0.2, 0.12, 0.08, 0.06, 0.04])
        self.repost = rng.random(items) < 0.5
        self.movement = rng.random(items) < 0.7
        self.tag2 = np.where(
            rng.random(items) < 0.4, 1 + (TAGS * rng.random(items) ** 3).astype(np.int64), 0
        )
        tag3 = np.where(
            rng.random(items) < 0.1, 1 + (TAGS * rng.random(items) ** 2).astype(np.int64), 0
        )
        self.tag3 = np.where(tag3 == self.tag2, 0, tag3)
        self.link = np.where(
            rng.random(items) < 0.2, 1 + (LINKS * rng.random(items) ** 3).astype(np.int64), 0
        )
        self.mention = rng.random(items) < 0.01

    def __len__(self) -> int:
        return len(self.hour)

    def tags_of(self, i: int) -> list[str]:
        tags = [MOVEMENT] if self.movement[i] else []
        for t in (self.tag2[i], self.tag3[i]):
            if t:
                tags.append(f"tag{t}")
        return sorted(tags)


def counted(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return np.unique(keys, return_counts=True)


def tag_columns(a: Archive) -> list[tuple[np.ndarray, np.ndarray]]:
    """Return (item indexes, tag numbers; 0 is the movement tag) for each tag an item has."""
    index = np.arange(len(a))
    return [
        (index[a.movement], np.zeros(int(a.movement.sum()), dtype=np.int64)),
        (index[a.tag2 > 0], a.tag2[a.tag2 > 0]),
        (index[a.tag3 > 0], a.tag3[a.tag3 > 0]),
    ]


def tag_name(number: int) -> str:
    return MOVEMENT if number == 0 else f"tag{number}"


def hour_text(hour: int) -> str:
    return sql_time(int(hour) * 3600)


def load(path: Path, a: Archive, campaign: int, *, hashtag_rows: bool) -> dict[str, float]:
    """Write the archive into the migrated SQLite file at path; return seconds per table."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=OFF")
    db.execute("PRAGMA synchronous=OFF")
    db.execute("PRAGMA cache_size=-1000000")
    for (name,) in db.execute(
        "SELECT name FROM sqlite_master WHERE type='trigger' AND tbl_name='listening_item'"
    ).fetchall():
        db.execute(f'DROP TRIGGER "{name}"')
    tables = [
        "listening_author",
        "listening_item",
        "listening_itemhashtag",
        "listening_hourlycount",
        "listening_hourlykeycount",
        "listening_authorcount",
        "listening_authorfirstpost",
        "listening_hashtagpair",
        "listening_dailykeycount",
        "listening_keytotal",
    ]
    marks = ",".join("?" * len(tables))
    indexes = db.execute(
        "SELECT name, sql FROM sqlite_master WHERE type='index' AND sql IS NOT NULL "  # noqa: S608
        f"AND tbl_name IN ({marks})",
        tables,
    ).fetchall()
    for name, _sql in indexes:
        db.execute(f'DROP INDEX "{name}"')
    seconds: dict[str, float] = {}

    def write(table: str, columns: tuple[str, ...], rows) -> None:
        started = time.monotonic()
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"  # noqa: S608
        db.execute("BEGIN")
        batch = []
        for row in rows:
            batch.append(row)
            if len(batch) >= CHUNK:
                db.executemany(sql, batch)
                batch.clear()
        if batch:
            db.executemany(sql, batch)
        db.execute("COMMIT")
        seconds[table] = time.monotonic() - started
        print(f"  {table}: {seconds[table]:,.0f} s", flush=True)

    first = np.full(a.authors, np.iinfo(np.int64).max)
    np.minimum.at(first, a.author, a.seconds)
    posted = np.bincount(a.author, minlength=a.authors)
    reposted = np.bincount(a.author, weights=a.repost, minlength=a.authors).astype(np.int64)
    # Author ids are 1 + their number; an account posts on one network (its first item's).
    author_network = np.zeros(a.authors, dtype=np.int64)
    author_network[a.author[::-1]] = a.network[::-1]
    seen = sql_time(len(a) and int(a.seconds.max()))
    write(
        "listening_author",
        ("id", "network", "remote_id", "handle", "display_name", "url", "first_seen_at"),
        (
            (k + 1, NETWORKS[author_network[k]], f"u{k}", f"user{k}", "", "", seen)
            for k in range(a.authors)
        ),
    )
    links = [f"https://news.example/story/{k}" for k in range(LINKS + 1)]
    write(
        "listening_item",
        (
            "id",
            "campaign_id",
            "network",
            "remote_id",
            "url",
            "author_id",
            "text",
            "language",
            "created_at",
            "reply_to_id",
            "repost_of_id",
            "quote_of_id",
            "hashtags",
            "mentions",
            "links",
            "has_media",
            "metrics",
            "raw",
            "raw_sha256",
            "captured_at",
        ),
        (
            (
                i + 1,
                campaign,
                NETWORKS[a.network[i]],
                str(i),
                "",
                int(a.author[i]) + 1,
                f"post {i} " + " ".join("#" + t for t in tags),
                LANGUAGES[a.language[i]],
                sql_time(a.seconds[i]),
                "",
                "1" if a.repost[i] else "",
                "",
                "[" + ",".join(f'"{t}"' for t in tags) + "]",
                f'["{TEAM_HANDLE}"]' if a.mention[i] else "[]",
                f'["{links[a.link[i]]}"]' if a.link[i] else "[]",
                0,
                "{}",
                RAW,
                f"{i:064x}",
                seen,
            )
            for i in range(len(a))
            for tags in (a.tags_of(i),)
        ),
    )
    columns = tag_columns(a)
    if hashtag_rows:
        write(
            "listening_itemhashtag",
            ("item_id", "campaign_id", "tag", "created_at"),
            (
                (int(i) + 1, campaign, tag_name(int(t)), sql_time(a.seconds[i]))
                for index, tags in columns
                for i, t in zip(index, tags, strict=True)
            ),
        )
    hourly = [(int(h), "", int(n)) for h, n in zip(*counted(a.hour), strict=True)]
    for index, tags in columns:
        keys, counts = counted(a.hour[index] * (TAGS + 1) + tags)
        hourly += [
            (int(k // (TAGS + 1)), tag_name(int(k % (TAGS + 1))), int(n))
            for k, n in zip(keys, counts, strict=True)
        ]
    totals: dict[tuple[int, str], int] = {}
    for h, tag, n in hourly:
        totals[(h, tag)] = totals.get((h, tag), 0) + n
    write(
        "listening_hourlycount",
        ("campaign_id", "hour", "hashtag", "count"),
        ((campaign, hour_text(h), tag, n) for (h, tag), n in totals.items()),
    )
    keyed = []
    for dimension, values, names, wanted in (
        ("network", a.network, NETWORKS, None),
        ("language", a.language, LANGUAGES, None),
        ("link", a.link, links, a.link > 0),
        ("team_mention", np.zeros(len(a), dtype=np.int64), [TEAM_HANDLE], a.mention),
    ):
        hours = a.hour if wanted is None else a.hour[wanted]
        chosen = values if wanted is None else values[wanted]
        keys, counts = counted(hours * (LINKS + 1) + chosen)
        keyed += [
            (campaign, dimension, hour_text(k // (LINKS + 1)), names[k % (LINKS + 1)], int(n))
            for k, n in zip(keys, counts, strict=True)
        ]
    write("listening_hourlykeycount", ("campaign_id", "dimension", "hour", "key", "count"), keyed)
    daily, total = by_day(a, columns, links, campaign)
    write("listening_dailykeycount", ("campaign_id", "dimension", "day", "key", "count"), daily)
    write("listening_keytotal", ("campaign_id", "dimension", "key", "count"), total)
    active = np.nonzero(posted)[0]
    write(
        "listening_authorcount",
        ("campaign_id", "author_id", "posts", "reposts"),
        ((campaign, int(k) + 1, int(posted[k]), int(reposted[k])) for k in active),
    )
    write(
        "listening_authorfirstpost",
        ("campaign_id", "author_id", "first_at"),
        ((campaign, int(k) + 1, sql_time(first[k])) for k in active),
    )
    write("listening_hashtagpair", ("campaign_id", "tag", "other", "count"), pairs(a, campaign))
    started = time.monotonic()
    for _name, sql in indexes:
        db.execute(sql)
    db.execute("ANALYZE")
    seconds["indexes"] = time.monotonic() - started
    print(f"  indexes and ANALYZE: {seconds['indexes']:,.0f} s", flush=True)
    db.close()
    return seconds


def by_day(a: Archive, columns, links: list[str], campaign: int) -> tuple[list, list]:
    """Count hashtags, languages and links per day and in all (DailyKeyCount, KeyTotal)."""
    day = a.hour // 24
    width = LINKS + 1
    sources = [("hashtag", day[index], tags, tag_name) for index, tags in columns]
    sources.append(("language", day, a.language, lambda k: LANGUAGES[k]))
    sources.append(("network", day, a.network, lambda k: NETWORKS[k]))
    sources.append(("link", day[a.link > 0], a.link[a.link > 0], lambda k: links[k]))
    daily: dict[tuple[str, int, str], int] = {}
    total: dict[tuple[str, str], int] = {}
    for dimension, days, values, name in sources:
        keys, counts = counted(days * width + values)
        for k, n in zip(keys, counts, strict=True):
            key = name(int(k % width))
            d = int(k // width)
            daily[(dimension, d, key)] = daily.get((dimension, d, key), 0) + int(n)
            total[(dimension, key)] = total.get((dimension, key), 0) + int(n)
    return (
        [
            (campaign, dim, (START + timedelta(days=d)).strftime("%Y-%m-%d"), key, n)
            for (dim, d, key), n in daily.items()
        ],
        [(campaign, dim, key, n) for (dim, key), n in total.items()],
    )


def pairs(a: Archive, campaign: int) -> list[tuple]:
    """Count hashtag pairs both ways round, as Rollups.add does (tags sorted, each once)."""
    tag_of = [
        np.where(a.movement, 0, -1),
        np.where(a.tag2 > 0, a.tag2, -1),
        np.where(a.tag3 > 0, a.tag3, -1),
    ]
    found: dict[tuple[str, str], int] = {}
    for x in range(3):
        for y in range(3):
            if x == y:
                continue
            both = (tag_of[x] >= 0) & (tag_of[y] >= 0)
            keys, counts = counted(tag_of[x][both] * (TAGS + 1) + tag_of[y][both])
            for k, n in zip(keys, counts, strict=True):
                key = (tag_name(int(k // (TAGS + 1))), tag_name(int(k % (TAGS + 1))))
                found[key] = found.get(key, 0) + int(n)
    return [(campaign, t, o, n) for (t, o), n in found.items()]


def setup_django(data_dir: Path) -> None:
    os.environ["HOUSEBOAT_DATA_DIR"] = str(data_dir)
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "houseboat.settings"
    import django

    django.setup()


def prepare(data_dir: Path) -> tuple[Path, int]:
    """Migrate a fresh database with a team, a member and a campaign; return its file and id."""
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from houseboat.campaigns.models import Campaign
    from houseboat.connectors.models import Channel
    from houseboat.core.constants import Role
    from houseboat.core.models import Membership, Team, User

    team = Team.objects.create(name="Bench", slug="bench")
    user = User.objects.create_user(username="alice", password=secrets.token_urlsafe())
    Membership.objects.create(team=team, user=user, role=Role.OWNER)
    Channel.objects.create(
        team=team, network="mastodon", name="Main", account_handle=TEAM_HANDLE, status="ok"
    )
    campaign = Campaign.objects.create(
        team=team, name="Justice for Amara", slug="amara", hashtags=["JusticeForAmara"]
    )
    path = Path(connection.settings_dict["NAME"])
    connection.close()
    return path, campaign.pk


def add_actions(campaign_id: int) -> None:
    """Enter the march as an event, a published post during it with counts, and nine others."""
    from houseboat.campaigns.models import Campaign
    from houseboat.connectors.models import Channel
    from houseboat.core.models import User
    from houseboat.listening.models import DatedEvent
    from houseboat.publishing.constants import DeliveryState, PostStatus
    from houseboat.publishing.models import Delivery, MetricSample, Post, Variant

    campaign = Campaign.objects.get(pk=campaign_id)
    march = START + timedelta(hours=MARCH_HOUR)
    DatedEvent.objects.create(
        campaign=campaign,
        name="March",
        kind="march",
        starts_at=march,
        ends_at=march + timedelta(hours=2),
    )
    for day in range(2, 29, 3):
        moment = START + timedelta(days=day, hours=10)
        DatedEvent.objects.create(
            campaign=campaign,
            name=f"Hearing {day}",
            kind="hearing",
            starts_at=moment,
            ends_at=moment + timedelta(hours=1),
        )
    post = Post.objects.create(
        team=campaign.team,
        campaign=campaign,
        author=User.objects.get(username="alice"),
        text="We march today",
        status=PostStatus.SENT,
    )
    variant = Variant.objects.create(
        post=post, channel=Channel.objects.get(team=campaign.team, network="mastodon")
    )
    delivery = Delivery.objects.create(
        variant=variant,
        text=post.text,
        state=DeliveryState.SENT,
        due_at=march,
        sent_at=march + timedelta(minutes=30),
        remote_id="1",
    )
    MetricSample.objects.create(
        delivery=delivery, captured_at=march + timedelta(hours=6), replies=120, reposts=800
    )


def rollups(campaign_id: int) -> dict[str, set]:
    """Return the contents of every roll-up table of the campaign, for comparison."""
    from houseboat.listening import models

    tables = {
        "HourlyCount": ("hour", "hashtag", "count"),
        "HourlyKeyCount": ("dimension", "hour", "key", "count"),
        "AuthorCount": ("author_id", "posts", "reposts"),
        "AuthorFirstPost": ("author_id", "first_at"),
        "HashtagPair": ("tag", "other", "count"),
        "DailyKeyCount": ("dimension", "day", "key", "count"),
        "KeyTotal": ("dimension", "key", "count"),
    }
    return {
        name: set(
            getattr(models, name).objects.filter(campaign_id=campaign_id).values_list(*columns)
        )
        for name, columns in tables.items()
    }


def check(campaign_id: int) -> None:
    """Count the campaign's roll-ups again through analytics.rebuild and compare."""
    from houseboat.campaigns.models import Campaign
    from houseboat.listening import analytics

    built = rollups(campaign_id)
    analytics.rebuild(Campaign.objects.get(pk=campaign_id))
    again = rollups(campaign_id)
    for name in built:
        verdict = "the same" if built[name] == again[name] else "DIFFERENT"
        print(f"  {name}: {len(built[name]):,} rows, {verdict} when rebuilt from the items")
    if built != again:
        raise SystemExit("The bench's roll-ups differ from what ingest would count.")


def pages(campaign_id: int) -> dict[str, str]:
    from houseboat.listening.models import DatedEvent

    march = DatedEvent.objects.get(name="March")
    base = "/t/bench/archive"
    return {
        "dashboard, whole archive (30 days, by day)": f"{base}/dashboard/?campaign=amara",
        "dashboard, last 7 days (by hour)": f"{base}/dashboard/?campaign=amara&period=7d",
        "dashboard, last day": f"{base}/dashboard/?campaign=amara&period=1d",
        "response page of the march (24 h either side)": (
            f"{base}/actions/event-{march.pk}/?campaign=amara"
        ),
        "response page of the march (168 h either side)": (
            f"{base}/actions/event-{march.pk}/?campaign=amara&hours=168"
        ),
        "actions ranked by response (11 actions)": f"{base}/actions/?campaign=amara",
    }


def time_pages(campaign_id: int) -> dict[str, tuple[float, float]]:
    """Return (cold, median of the next four) milliseconds per page, whole requests."""
    from django.conf import settings
    from django.test import Client

    from houseboat.core.models import User

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()
    client.force_login(User.objects.get(username="alice"))
    timings = {}
    for name, url in pages(campaign_id).items():
        runs = []
        for _ in range(5):
            started = time.perf_counter()
            response = client.get(url)
            runs.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")
        timings[name] = (runs[0], statistics.median(runs[1:]))
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="build into (or reuse) this folder")
    parser.add_argument("--no-hashtag-rows", action="store_true", help="skip ItemHashtag rows")
    parser.add_argument(
        "--check", action="store_true", help="rebuild the roll-ups from the items and compare"
    )
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="houseboat-bench-dashboards-"))
    data_dir = work / "data"
    fresh = not (data_dir / "houseboat.sqlite3").exists()
    data_dir.mkdir(parents=True, exist_ok=True)
    setup_django(data_dir)
    try:
        if fresh:
            path, campaign_id = prepare(data_dir)
            started = time.monotonic()
            archive = Archive(args.items)
            print(f"generated {args.items:,} items in {time.monotonic() - started:,.0f} s")
            started = time.monotonic()
            load(path, archive, campaign_id, hashtag_rows=not args.no_hashtag_rows)
            built = time.monotonic() - started
            print(f"built the archive in {built:,.0f} s ({args.items / built:,.0f} items/s)")
            add_actions(campaign_id)
            if args.check:
                check(campaign_id)
        else:
            from houseboat.campaigns.models import Campaign

            campaign_id = Campaign.objects.get(slug="amara").pk
        size = sum(p.stat().st_size for p in data_dir.glob("*.sqlite3*"))
        print(f"database file: {size / 2**20:,.0f} MiB")
        from django.db import connection

        connection.close()
        for name, (cold, warm) in time_pages(campaign_id).items():
            print(f"  {name}: {cold:,.0f} ms cold, {warm:,.0f} ms warm (median of 4)")
        print(
            f"machine: {platform.platform()}, {os.cpu_count()} cores, Python "
            f"{platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
            f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, load average {os.getloadavg()[0]:.1f}"
        )
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
