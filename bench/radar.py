"""Radar benchmark: one issue compared over 30 days, on a large archive and a large press.

    python3 -m uv run --frozen python bench/radar.py --items 1000000 --stories 200000
    python3 -m uv run --frozen python bench/radar.py --items 10000000 --stories 200000 --keep /tmp/r

The target (issue #18): the 10,000,000-item archive plus 200,000 press stories, one
issue over 30 days, in under 5 s.

How the data is built (fast, not through the import pipeline or the feed reader): a
fresh SQLite database is migrated, then the items, their hashtag rows, the hourly
counts the radar reads for "all the archive collected", the press sources and the
stories are written with direct SQL (``executemany`` in batches, journal off, the
items' full-text and trigram triggers dropped during the load, then the word index
rebuilt once with FTS5's 'rebuild'; the trigram index is left empty: the issue's
terms are in scripts with spaces). Every item's raw payload is the same small blob.

The archive: 30 days, a daily rhythm; texts of 6-14 words drawn (Zipf) from a
vocabulary of 20,000 made-up words plus real English, Spanish and Arabic words and
stop-words; ``--issue-share`` of the items (5 % by default) name the issue ("amara" or
#JusticeForAmara) and then lean on the social side's words (vigil, candles…).
The press: 300 feeds, ``--stories`` stories spread over 60 days (so the 30-day window
holds about half), 3 % on the issue with the press's words (riot, unrest…), 1 in 10 of
those linked from an item on the issue. The timing is ``compare()`` itself (the
queries, the matching, the terms, the statistic, the sentences), five times in one
process, the first cold; each phase is timed once more on its own.
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
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

START = datetime(2026, 5, 1, tzinfo=UTC)
DAYS = 30
PRESS_DAYS = 60
CHUNK = 200_000
NETWORKS = ["x", "mastodon", "bluesky", "facebook", "telegram"]
LANGUAGES = ["en", "es", "ar"]
COMMON = [
    "the",
    "and",
    "of",
    "to",
    "in",
    "for",
    "on",
    "with",
    "people",
    "police",
    "city",
    "street",
    "today",
    "night",
    "march",
    "protest",
    "justice",
    "family",
    "friends",
    "court",
    "minister",
    "government",
    "news",
    "video",
    "photo",
    "share",
    "please",
    "el",
    "la",
    "de",
    "que",
    "y",
    "en",
    "los",
    "las",
    "por",
    "para",
    "una",
    "calle",
    "hoy",
    "noche",
    "justicia",
    "familia",
    "في",
    "من",
    "على",
    "إلى",
    "الشرطة",
    "الناس",
    "العدالة",
    "اليوم",
    "الليلة",
]
SOCIAL_WORDS = [
    "vigil",
    "candles",
    "peaceful",
    "together",
    "remember",
    "#justiceforamara",
    "mothers",
    "flowers",
]
PRESS_WORDS = [
    "riot",
    "unrest",
    "clashes",
    "looting",
    "authorities",
    "security",
    "forces",
    "rioters",
    "violence",
]
VOCABULARY = 20_000
RAW = b"x\x9c\xab\xae\x05\x00\x01u\x00\xf9"  # zlib of "{}"


def sql_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def words(rng: np.random.Generator, count: int) -> list[str]:
    """Draw count words: common words half the time, else a Zipf tail of made-up words."""
    tail = np.minimum(rng.zipf(1.3, count), VOCABULARY)
    common = rng.integers(0, len(COMMON), count)
    pick = rng.random(count) < 0.5
    return [COMMON[c] if p else f"w{t}" for c, t, p in zip(common, tail, pick, strict=True)]


def texts(rng: np.random.Generator, n: int, issue: np.ndarray, lean: list[str]) -> list[str]:
    """Return n texts; those marked issue name it and carry words of their side's lean."""
    lengths = rng.integers(6, 15, n)
    pool = words(rng, int(lengths.sum()))
    out, at = [], 0
    leaning = rng.integers(0, len(lean), (n, 2))
    naming = rng.random(n) < 0.5
    for i in range(n):
        parts = pool[at : at + lengths[i]]
        at += lengths[i]
        if issue[i]:
            parts = [*parts, "Amara" if naming[i] else "#JusticeForAmara"]
            parts += [lean[leaning[i, 0]], lean[leaning[i, 1]]]
        out.append(" ".join(parts))
    return out


def setup_django(data_dir: Path) -> None:
    os.environ["HOUSEBOAT_DATA_DIR"] = str(data_dir)
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "houseboat.settings"
    import django

    django.setup()


def prepare() -> tuple[Path, int, int]:
    """Migrate a fresh database with a team and a campaign; return its file and their ids."""
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from houseboat.campaigns.models import Campaign
    from houseboat.core.models import Team, User

    team = Team.objects.create(name="Bench", slug="bench")
    User.objects.create_user(username="alice", password=secrets.token_urlsafe())
    campaign = Campaign.objects.create(team=team, name="Justice for Amara", slug="amara")
    path = Path(connection.settings_dict["NAME"])
    connection.close()
    return path, team.pk, campaign.pk


def load(path: Path, team: int, campaign: int, items: int, stories: int, share: float) -> None:
    """Write the archive and the press into the migrated SQLite file."""
    rng = np.random.default_rng(18)
    db = sqlite3.connect(path, isolation_level=None)
    for pragma in ("journal_mode=OFF", "synchronous=OFF", "cache_size=-1000000"):
        db.execute(f"PRAGMA {pragma}")
    for (name,) in db.execute(
        "SELECT name FROM sqlite_master WHERE type='trigger' AND tbl_name='listening_item'"
    ).fetchall():
        db.execute(f'DROP TRIGGER "{name}"')

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
        db.executemany(sql, batch)
        db.execute("COMMIT")
        print(f"  {table}: {time.monotonic() - started:,.0f} s", flush=True)

    authors = max(1, items // 4)
    write(
        "listening_author",
        ("id", "network", "remote_id", "handle", "display_name", "url", "first_seen_at"),
        ((k + 1, "x", f"u{k}", f"user{k}", "", "", sql_time(START)) for k in range(authors)),
    )
    hours = DAYS * 24
    rhythm = 1 + 0.8 * np.sin(np.arange(hours) / 24 * 2 * np.pi - np.pi / 2)
    hour = np.sort(rng.choice(hours, size=items, p=rhythm / rhythm.sum()))
    seconds = hour * 3600 + rng.integers(0, 3600, items)
    author = (authors * rng.random(items) ** 3).astype(np.int64)
    network = rng.integers(0, len(NETWORKS), items)
    language = rng.choice(len(LANGUAGES), size=items, p=[0.6, 0.25, 0.15])
    issue = rng.random(items) < share
    press_links = [f"https://press{k % 300}.example/story/{k}" for k in range(stories)]
    # A tenth of the posts on the issue link to a press story on it.
    story_issue = rng.random(stories) < 0.03
    on_issue = np.nonzero(story_issue)[0]
    linked = issue & (rng.random(items) < 0.1) & (len(on_issue) > 0)
    link_of = (
        on_issue[rng.integers(0, max(1, len(on_issue)), items)]
        if len(on_issue)
        else np.zeros(items, dtype=np.int64)
    )
    started = time.monotonic()
    body = texts(rng, items, issue, SOCIAL_WORDS)
    print(f"  texts generated: {time.monotonic() - started:,.0f} s", flush=True)
    tagged = np.array(["#justiceforamara" in t.casefold() for t in body])

    def item_rows():
        for i in range(items):
            link = f'["{press_links[link_of[i]]}"]' if linked[i] else "[]"
            yield (
                i + 1, campaign, NETWORKS[network[i]], str(i), "", int(author[i]) + 1,
                body[i], LANGUAGES[language[i]],
                sql_time(START + timedelta(seconds=int(seconds[i]))), "", "", "",
                '["JusticeForAmara"]' if tagged[i] else "[]", "[]", link, 0, "{}", RAW,
                f"{i:064x}", sql_time(START),
            )  # fmt: skip

    write(
        "listening_item",
        (
            "id", "campaign_id", "network", "remote_id", "url", "author_id", "text",
            "language", "created_at", "reply_to_id", "repost_of_id", "quote_of_id",
            "hashtags", "mentions", "links", "has_media", "metrics", "raw", "raw_sha256",
            "captured_at",
        ),
        item_rows(),
    )  # fmt: skip
    write(
        "listening_itemhashtag",
        ("item_id", "campaign_id", "tag", "created_at"),
        (
            (
                int(i) + 1,
                campaign,
                "justiceforamara",
                sql_time(START + timedelta(seconds=int(seconds[i]))),
            )
            for i in np.nonzero(tagged)[0]
        ),
    )
    per_hour = np.bincount(hour, minlength=hours)
    write(
        "listening_hourlycount",
        ("campaign_id", "hour", "hashtag", "count"),
        (
            (campaign, sql_time(START + timedelta(hours=h)), "", int(n))
            for h, n in enumerate(per_hour)
            if n
        ),
    )
    started = time.monotonic()
    db.execute("INSERT INTO listening_item_fts(listening_item_fts) VALUES('rebuild')")
    print(f"  full-text index rebuilt: {time.monotonic() - started:,.0f} s", flush=True)
    write(
        "radar_presssource",
        (
            "id", "team_id", "name", "feed_url", "site_url", "country", "language", "kind",
            "state", "etag", "last_modified", "content_hash", "failures", "next_fetch_at",
            "paused_reason", "last_error", "created_at", "allow_private_network",
            "lease_owner",
        ),
        (
            (k + 1, team, f"Press {k}", f"https://press{k}.example/feed", "", "", "en",
             "other", "active", "", "", "", 0, sql_time(START), "", "", sql_time(START), 0, "")
            for k in range(300)
        ),
    )  # fmt: skip
    story_at = rng.integers(-(PRESS_DAYS - DAYS) * 86400, DAYS * 86400, stories)
    titles = texts(rng, stories, story_issue, PRESS_WORDS)
    summaries = texts(rng, stories, np.zeros(stories, dtype=bool), PRESS_WORDS)
    write(
        "radar_story",
        (
            "team_id", "source_id", "url", "url_key", "title", "summary", "language",
            "published_at", "first_seen_at", "last_seen_at", "guid", "title_key", "edited",
        ),
        (
            (team, k % 300 + 1, press_links[k], press_links[k].split("://")[1], titles[k],
             summaries[k], "en", sql_time(START + timedelta(seconds=int(story_at[k]))),
             sql_time(START), sql_time(START), str(k), "", 0)
            for k in range(stories)
        ),
    )  # fmt: skip
    db.execute("ANALYZE")
    db.close()


def timed(label: str, function, *args):
    started, cpu = time.perf_counter(), time.process_time()
    result = function(*args)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(f"  {label}: {wall:.2f} s (CPU {cpu:.2f} s)", flush=True)
    return result


def measure(campaign_id: int, runs: int) -> list[float]:
    from houseboat.campaigns.models import Campaign
    from houseboat.radar import compare as radar
    from houseboat.radar.models import IssueQuery

    campaign = Campaign.objects.get(pk=campaign_id)
    query = IssueQuery.objects.create(
        campaign=campaign, name="Amara", terms=["Amara", "#JusticeForAmara"]
    )
    start, end = START, START + timedelta(days=DAYS)
    times, cpus = [], []
    for _ in range(runs):
        started, cpu = time.perf_counter(), time.process_time()
        comparison = radar.compare(query, start, end)
        times.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
    print(f"compare(), {runs} runs: " + ", ".join(f"{t:.2f} s" for t in times))
    print("  CPU time of this process: " + ", ".join(f"{t:.2f} s" for t in cpus))
    print(f"  load average: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for sentence in comparison.sentences:
        print("  " + sentence)
    print(
        f"  press {comparison.press.matched:,} of {comparison.press.collected:,} stories; "
        f"social {comparison.social.matched:,} of {comparison.social.collected:,} items"
    )
    print("phases, once each (wall, then CPU time of this process):")
    social = timed(
        "social: added up in the database", radar.social_summary, campaign, start, end,
        query.terms,
    )  # fmt: skip
    press = timed(
        "press: fetch and match", radar.press_records, campaign.team, start, end, query.terms
    )
    collected = timed("press: collected per day", radar.press_collected, campaign.team, start, end)
    timed("social: collected per day", radar.social_collected, campaign, start, end)
    press_summary = timed("press: added up", lambda: radar.summarise(radar.by_time(press)))
    timed(
        "statistic, exact firsts, sentences",
        lambda: radar.compare_summaries(
            query, start, end, press=press_summary, social=social, press_collected=collected,
            social_collected={},
        ),
    )  # fmt: skip
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--stories", type=int, default=200_000)
    parser.add_argument("--issue-share", type=float, default=0.05)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="Build here and keep it (reused if present).")
    args = parser.parse_args()
    data = args.keep or Path(tempfile.mkdtemp(prefix="radar-bench-"))
    built = (data / "houseboat.sqlite3").exists() and (data / "ids").exists()
    setup_django(data)
    try:
        if built:
            team, campaign = map(int, (data / "ids").read_text().split())
        else:
            data.mkdir(parents=True, exist_ok=True)
            started = time.monotonic()
            path, team, campaign = prepare()
            print(f"building {args.items:,} items and {args.stories:,} stories in {path}")
            load(path, team, campaign, args.items, args.stories, args.issue_share)
            (data / "ids").write_text(f"{team} {campaign}")
            size = path.stat().st_size / 2**20
            print(f"built in {time.monotonic() - started:,.0f} s, {size:,.0f} MiB")
        times = measure(campaign, args.runs)
        print(
            f"cold {times[0]:.2f} s, warm median {statistics.median(times[1:] or times):.2f} s "
            f"on {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
            f"SQLite {sqlite3.sqlite_version}, {datetime.now(UTC):%Y-%m-%d}"
        )
    finally:
        if not args.keep:
            shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
