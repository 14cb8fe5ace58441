"""Archive benchmark: import a movement's peak day of X posts, then ask the dashboard questions.

    python3 -m uv run --frozen python bench/archive.py --posts 1000000            # SQLite
    python3 -m uv run --frozen python bench/archive.py --posts 1000000 --postgres # throwaway PostgreSQL
    python3 -m uv run --frozen python bench/archive.py generate --posts 1000 --out sample.jsonl

The generator writes X API v2 NDJSON as twarc2 saves a search: one response page of
100 posts per line, with ``includes`` (users, referenced posts, media) and twarc's
``__twarc`` block. It is shaped like a movement's peak day: authors and hashtags are
heavy-tailed (a few accounts and one tag dominate), half the posts are retweets of a
heavy-tailed set of originals, some are quotes and replies, a fifth carry a link, a
sixth a picture or video stub, the text is in English, Spanish, Arabic, French,
Portuguese and German, and the day follows a daily rhythm.

The run imports the file with ``houseboat import x-ndjson`` in a child process
(throughput, and its peak memory from the kernel's accounting), then times the four
dashboard questions five times each (the first run cold) and prints a Markdown row
for bench/README.md. ``--profile N`` instead imports the first N posts under cProfile
and prints where the time goes.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import platform
import pstats
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MOVEMENT_TAG = "JusticeForAmara"
DAY = datetime(2026, 5, 28, tzinfo=UTC)
PAGE = 100

WORDS = {
    "en": [
        "justice",
        "police",
        "protest",
        "march",
        "city",
        "tonight",
        "people",
        "street",
        "we",
        "demand",
        "truth",
        "family",
        "silence",
        "never",
        "again",
        "rights",
        "they",
        "killed",
        "her",
        "name",
        "say",
        "today",
        "join",
        "us",
        "peaceful",
        "crowd",
        "thousands",
        "outside",
        "court",
        "mayor",
        "answer",
        "video",
        "witness",
        "camera",
        "still",
        "waiting",
    ],
    "es": [
        "justicia",
        "policía",
        "protesta",
        "marcha",
        "ciudad",
        "esta",
        "noche",
        "pueblo",
        "calle",
        "exigimos",
        "verdad",
        "familia",
        "silencio",
        "nunca",
        "más",
        "derechos",
        "su",
        "nombre",
        "hoy",
        "únete",
        "pacífica",
        "miles",
        "afuera",
        "tribunal",
        "alcalde",
        "respuesta",
        "vídeo",
        "testigo",
        "cámara",
        "seguimos",
        "esperando",
    ],
    "ar": [
        "العدالة",
        "الشرطة",
        "احتجاج",
        "مسيرة",
        "المدينة",
        "الليلة",
        "الناس",
        "الشارع",
        "نطالب",
        "الحقيقة",
        "العائلة",
        "الصمت",
        "أبدا",
        "الحقوق",
        "اسمها",
        "اليوم",
        "انضموا",
        "سلمية",
        "الآلاف",
        "أمام",
        "المحكمة",
        "العمدة",
        "جواب",
        "فيديو",
        "شاهد",
        "الكاميرا",
        "ننتظر",
    ],
    "fr": [
        "justice",
        "police",
        "manifestation",
        "marche",
        "ville",
        "ce",
        "soir",
        "peuple",
        "rue",
        "nous",
        "exigeons",
        "vérité",
        "famille",
        "silence",
        "plus",
        "jamais",
        "droits",
        "son",
        "nom",
        "aujourd'hui",
        "rejoignez",
        "pacifique",
        "milliers",
        "devant",
        "tribunal",
        "maire",
        "réponse",
        "vidéo",
        "témoin",
        "caméra",
        "attendons",
    ],
    "pt": [
        "justiça",
        "polícia",
        "protesto",
        "marcha",
        "cidade",
        "hoje",
        "à",
        "noite",
        "povo",
        "rua",
        "exigimos",
        "verdade",
        "família",
        "silêncio",
        "nunca",
        "mais",
        "direitos",
        "nome",
        "dela",
        "junte-se",
        "pacífica",
        "milhares",
        "frente",
        "tribunal",
        "prefeito",
        "resposta",
        "vídeo",
        "testemunha",
        "câmera",
        "esperando",
    ],
    "de": [
        "Gerechtigkeit",
        "Polizei",
        "Protest",
        "Marsch",
        "Stadt",
        "heute",
        "Abend",
        "Menschen",
        "Straße",
        "wir",
        "fordern",
        "Wahrheit",
        "Familie",
        "Schweigen",
        "nie",
        "wieder",
        "Rechte",
        "ihr",
        "Name",
        "heute",
        "friedlich",
        "Tausende",
        "vor",
        "Gericht",
        "Bürgermeister",
        "Antwort",
        "Video",
        "Zeuge",
        "Kamera",
        "warten",
    ],
}
LANGUAGES = list(WORDS)
LANGUAGE_SHARE = [0.55, 0.15, 0.10, 0.08, 0.07, 0.05]
SEARCH_WORD = "tribunal"  # a mid-frequency word (Spanish and French posts)


# --- the generator -------------------------------------------------------------------------


class Generator:
    """Build pages of posts with heavy-tailed authors, tags and retweets, reproducibly."""

    def __init__(self, posts: int, seed: int = 7):
        self.rng = np.random.default_rng(seed)
        self.posts = posts
        self.n_authors = max(1000, posts // 4)
        self.tags = [MOVEMENT_TAG, "PressFreedom", "SayHerName", "Justicia", "العدالة"] + [
            f"tag{n}" for n in range(5000)
        ]
        self.originals: list[tuple[str, str, str, str]] = []  # id, author id, text, lang
        self.next_id = 1_795_000_000_000_000_000

    def zipf(self, a: float, size: int, limit: int) -> np.ndarray:
        return (self.rng.zipf(a, size) - 1) % limit

    def count(self, a: float) -> int:
        """A heavy-tailed count, capped where real counts stop (a viral post's millions)."""
        return min(int(self.rng.zipf(a)) - 1, 50_000_000)

    def user(self, index: int) -> dict[str, Any]:
        return {
            "id": str(1_000_000 + index),
            "username": f"user{index}",
            "name": f"Person {index}",
            "created_at": "2015-03-01T10:00:00.000Z",
            "description": "Organiser. Views my own.",
            "verified": bool(index < 50),
            "public_metrics": {
                "followers_count": int(100_000 / (index + 1)) + 10,
                "following_count": 300,
                "tweet_count": 5000,
                "listed_count": 3,
            },
        }

    def text(self, lang: str, tags: list[str], link: bool, mention: int | None) -> tuple[str, dict]:
        words = WORDS[lang]
        picked = [words[i] for i in self.rng.integers(0, len(words), self.rng.integers(6, 22))]
        text = " ".join(picked)
        entities: dict[str, list] = {}
        if mention is not None:
            handle = f"user{mention}"
            entities["mentions"] = [
                {
                    "start": 0,
                    "end": len(handle) + 1,
                    "username": handle,
                    "id": str(1_000_000 + mention),
                }
            ]
            text = f"@{handle} {text}"
        hashtags = []
        for tag in tags:
            start = len(text) + 1
            text += f" #{tag}"
            hashtags.append({"start": start, "end": start + len(tag) + 1, "tag": tag})
        if hashtags:
            entities["hashtags"] = hashtags
        if link:
            short = f"https://t.co/{self.rng.integers(10**9, 10**10)}"
            start = len(text) + 1
            text += f" {short}"
            entities["urls"] = [
                {
                    "start": start,
                    "end": start + len(short),
                    "url": short,
                    "expanded_url": f"https://news.example/{self.rng.integers(0, 20000)}",
                    "display_url": "news.example/…",
                }
            ]
        return text, entities

    def moment(self) -> str:
        # A daily rhythm: quiet at night (UTC), busiest in the evening.
        hour = int(self.rng.choice(24, p=HOURLY))
        second = int(self.rng.integers(0, 3600))
        moment = DAY + timedelta(hours=hour, seconds=second)
        return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")

    def page(self, size: int) -> bytes:
        authors = self.zipf(1.25, size, self.n_authors)
        kinds = self.rng.random(size)
        langs = self.rng.choice(len(LANGUAGES), size, p=LANGUAGE_SHARE)
        data, users, referenced, media = [], {}, {}, []
        for n in range(size):
            self.next_id += 1
            post_id = str(self.next_id)
            author = int(authors[n])
            users[author] = self.user(author)
            lang = LANGUAGES[int(langs[n])]
            created = self.moment()
            metrics = {
                "retweet_count": self.count(1.6),
                "reply_count": self.count(2.0),
                "like_count": self.count(1.5),
                "quote_count": self.count(2.5),
                "impression_count": self.count(1.3) * 10,
            }
            tweet: dict[str, Any] = {
                "id": post_id,
                "author_id": str(1_000_000 + author),
                "created_at": created,
                "conversation_id": post_id,
                "lang": lang,
                "edit_history_tweet_ids": [post_id],
                "possibly_sensitive": False,
                "reply_settings": "everyone",
                "public_metrics": metrics,
            }
            kind = kinds[n]
            if kind < 0.5 and self.originals:
                # A retweet of a heavy-tailed choice among the originals so far.
                pick = int(self.zipf(1.4, 1, len(self.originals))[0])
                orig_id, orig_author, orig_text, orig_lang = self.originals[-1 - pick]
                tweet["text"] = f"RT @user{int(orig_author) - 1_000_000}: {orig_text}"[:280]
                tweet["lang"] = orig_lang
                tweet["referenced_tweets"] = [{"type": "retweeted", "id": orig_id}]
                tweet["entities"] = self.text_entities_of(orig_text)
                referenced[orig_id] = {
                    "id": orig_id,
                    "text": orig_text,
                    "author_id": orig_author,
                    "lang": orig_lang,
                    "created_at": created,
                }
                users[int(orig_author) - 1_000_000] = self.user(int(orig_author) - 1_000_000)
            else:
                tags = self.pick_tags()
                mention = None
                if 0.5 <= kind < 0.62 and self.originals:  # a reply
                    orig_id, orig_author, _text, _lang = self.originals[
                        -1 - int(self.rng.integers(0, min(500, len(self.originals))))
                    ]
                    mention = int(orig_author) - 1_000_000
                    tweet["referenced_tweets"] = [{"type": "replied_to", "id": orig_id}]
                    tweet["in_reply_to_user_id"] = orig_author
                    tweet["conversation_id"] = orig_id
                elif 0.62 <= kind < 0.69 and self.originals:  # a quote
                    orig_id = self.originals[-1 - int(self.zipf(1.4, 1, len(self.originals))[0])][0]
                    tweet["referenced_tweets"] = [{"type": "quoted", "id": orig_id}]
                text, entities = self.text(lang, tags, self.rng.random() < 0.2, mention)
                tweet["text"] = text
                if entities:
                    tweet["entities"] = entities
                if self.rng.random() < 0.16:
                    key = f"3_{post_id}"
                    video = self.rng.random() < 0.25
                    tweet["attachments"] = {"media_keys": [key]}
                    media.append(
                        {
                            "media_key": key,
                            "type": "video" if video else "photo",
                            (
                                "preview_image_url" if video else "url"
                            ): f"https://pbs.twimg.com/media/{key}.jpg",
                        }
                    )
                self.originals.append((post_id, tweet["author_id"], text, lang))
                if len(self.originals) > 200_000:
                    del self.originals[:100_000]
            data.append(tweet)
        page = {
            "data": data,
            "includes": {
                "users": list(users.values()),
                "tweets": list(referenced.values()),
                "media": media,
            },
            "meta": {"result_count": size, "newest_id": data[0]["id"], "oldest_id": data[-1]["id"]},
            "__twarc": {
                "url": f"https://api.twitter.com/2/tweets/search/all?query=%23{MOVEMENT_TAG}",
                "version": "2.14.0",
                "retrieved_at": "2026-05-29T06:00:00+00:00",
            },
        }
        return orjson.dumps(page) + b"\n"

    def pick_tags(self) -> list[str]:
        tags = [MOVEMENT_TAG] if self.rng.random() < 0.7 else []
        for index in self.zipf(1.2, int(self.rng.integers(0, 4)), len(self.tags)):
            tag = self.tags[int(index)]
            if tag not in tags:
                tags.append(tag)
        return tags

    @staticmethod
    def text_entities_of(text: str) -> dict[str, Any]:
        hashtags = []
        for word in text.split():
            if word.startswith("#"):
                start = text.find(word)
                hashtags.append({"start": start, "end": start + len(word), "tag": word[1:]})
        return {"hashtags": hashtags} if hashtags else {}


_hourly = np.array(
    [2, 1, 1, 1, 1, 1, 2, 3, 4, 5, 5, 5, 6, 6, 6, 7, 8, 9, 10, 10, 9, 7, 5, 3], float
)
HOURLY = _hourly / _hourly.sum()


def generate(posts: int, out: Path, seed: int = 7) -> Path:
    gen = Generator(posts, seed)
    with out.open("wb") as stream:
        left = posts
        while left > 0:
            size = min(PAGE, left)
            stream.write(gen.page(size))
            left -= size
    return out


# --- the run -------------------------------------------------------------------------------


def environment(data_dir: Path, database_url: str | None) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL"}
    }
    env["HOUSEBOAT_DATA_DIR"] = str(data_dir)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def houseboat(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 (our own interpreter and arguments)
        [sys.executable, "-m", "houseboat", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )


def timed_import(env: dict[str, str], path: Path) -> tuple[float, float, int, str]:
    """Run the import in a child process; return wall and CPU seconds, peak KiB, its output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    child = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
        [sys.executable, "-m", "houseboat", "import", "x-ndjson", str(path), "--campaign", "bench"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output, _ = child.communicate()
    seconds = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    # The largest of the children waited for so far; the import is by far the largest.
    peak = after.ru_maxrss
    if child.returncode:
        raise SystemExit(f"the import failed:\n{output}")
    return seconds, cpu, peak, output


def dashboard_queries() -> dict[str, Callable[[], Any]]:
    """The four questions a dashboard asks: from the roll-ups, and from the items for comparison."""
    from django.db.models import Count, Q

    from houseboat.campaigns.models import Campaign
    from houseboat.listening import analytics
    from houseboat.listening.models import Item, ItemHashtag
    from houseboat.listening.search import search

    campaign = Campaign.objects.get(slug="bench")
    tag = MOVEMENT_TAG.casefold()

    def amplifiers_from_items():
        return list(
            Item.objects.filter(campaign=campaign)
            .filter(~Q(repost_of_id=""))
            .values("author_id")
            .annotate(n=Count("id"))
            .order_by("-n")[:20]
        )

    def co_hashtags_from_items():
        with_tag = ItemHashtag.objects.filter(campaign=campaign, tag=tag).values("item_id")
        return list(
            ItemHashtag.objects.filter(campaign=campaign, item_id__in=with_tag)
            .exclude(tag=tag)
            .values("tag")
            .annotate(n=Count("id"))
            .order_by("-n")[:20]
        )

    def full_text():
        results = search(campaign, SEARCH_WORD)
        return results.total, len(results.items)

    return {
        "hourly volume of the movement hashtag (roll-up)": lambda: analytics.hourly_volume(
            campaign, tag
        ),
        "top 20 amplifiers (roll-up)": lambda: analytics.top_amplifiers(campaign),
        "top 20 co-hashtags (roll-up)": lambda: analytics.co_hashtags(campaign, tag),
        f"full-text search {SEARCH_WORD!r}: count + first page of 25": full_text,
        "top 20 amplifiers, grouped from the items table": amplifiers_from_items,
        "top 20 co-hashtags, grouped from the hashtag rows": co_hashtags_from_items,
    }


def time_queries(data_dir: Path, database_url: str | None) -> dict[str, tuple[float, float]]:
    """Return (cold, median of the next four) milliseconds per question."""
    os.environ.update(environment(data_dir, database_url))
    if not database_url:
        os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "houseboat.settings"
    import django

    django.setup()
    timings = {}
    if database_url:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database())")
            print(f"database size: {cursor.fetchone()[0] / 2**20:,.0f} MiB")
    for name, query in dashboard_queries().items():
        runs = []
        for _ in range(5):
            started = time.perf_counter()
            query()
            runs.append((time.perf_counter() - started) * 1000)
        timings[name] = (runs[0], statistics.median(runs[1:]))
    return timings


def profile(posts: int, path: Path, data_dir: Path) -> None:
    """Import the first N posts in this process under cProfile and print the top functions."""
    os.environ.update(environment(data_dir, None))
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "houseboat.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from houseboat.campaigns.models import Campaign
    from houseboat.core.models import Team
    from houseboat.listening.imports import run_import

    team = Team.objects.create(name="Bench", slug="bench")
    campaign = Campaign.objects.create(team=team, name="Bench", slug="bench")
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    # In one process, so the profile shows the reading and preparing too (an import of a
    # large file does those in a second process, which cProfile would not see).
    run_import(campaign=campaign, format="x-ndjson", path=path, parallel=False)
    profiler.disable()
    print(f"{posts:,} posts in {time.perf_counter() - started:.1f} s under the profiler")
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(25)
    stats.sort_stats("cumulative").print_stats(
        r"listening/(ingest|imports|feeder|analytics|importers/x_ndjson)", 30
    )
    print(out.getvalue())


def start_postgres() -> tuple[str, Callable[[], None]]:
    """Start a throwaway PostgreSQL as scripts/test does; return its URL and a stopper."""
    bins = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
    if not bins:
        raise SystemExit("PostgreSQL is not installed (apt-get install postgresql).")
    pg_bin = bins[-1]
    folder = Path(tempfile.mkdtemp(prefix="houseboat-bench-pg-"))
    port = 55000 + os.getpid() % 1000
    as_root = os.geteuid() == 0
    if as_root:
        # initdb refuses to run as root: the server runs as the postgres user, as in scripts/test.
        if subprocess.run(["id", "postgres"], capture_output=True).returncode:  # noqa: S607
            subprocess.run(["useradd", "--system", "--no-create-home", "postgres"], check=True)  # noqa: S607
        shutil.chown(folder, "postgres")

    def pg(*args: str) -> None:
        command = " ".join(args)
        shell = ["su", "postgres", "-s", "/bin/sh", "-c"] if as_root else ["sh", "-c"]
        subprocess.run([*shell, command], check=True)  # noqa: S603

    pg(
        f"{pg_bin}/initdb",
        "-D",
        f"{folder}/data",
        "-U",
        "postgres",
        "--auth=trust",
        "-E",
        "UTF8",
        "--locale=C.UTF-8",
        ">/dev/null",
    )
    pg(
        f"{pg_bin}/pg_ctl",
        "-D",
        f"{folder}/data",
        "-l",
        f"{folder}/log",
        "-w",
        "-o",
        f"'-h 127.0.0.1 -p {port} -k {folder} -c shared_buffers=512MB -c max_wal_size=4GB'",
        "start",
        ">/dev/null",
    )

    def stop() -> None:
        pg(f"{pg_bin}/pg_ctl", "-D", f"{folder}/data", "-m", "fast", "stop", ">/dev/null")
        shutil.rmtree(folder, ignore_errors=True)

    pg(f"{pg_bin}/createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "bench")
    return f"postgres://postgres@127.0.0.1:{port}/bench", stop


def run(posts: int, postgres: bool, keep: Path | None, file: Path | None) -> None:
    work = Path(tempfile.mkdtemp(prefix="houseboat-bench-archive-"))
    stop = None
    try:
        path = file or work / f"x-{posts}.jsonl"
        if file is None:
            started = time.monotonic()
            generate(posts, path)
            print(
                f"generated {posts:,} posts ({path.stat().st_size / 2**20:,.0f} MiB) in "
                f"{time.monotonic() - started:,.0f} s",
                flush=True,
            )
        database_url = None
        if postgres:
            database_url, stop = start_postgres()
        data_dir = keep or work / "data"
        env = environment(data_dir, database_url)
        for args in (
            ("migrate", "-v0"),
            ("team", "create", "Bench"),
            ("campaign", "create", "--team", "bench", "--name", "Bench"),
        ):
            done = houseboat(env, *args)
            if done.returncode:
                raise SystemExit(done.stderr)
        load = os.getloadavg()[0]
        seconds, cpu, peak, output = timed_import(env, path)
        print(output.strip().splitlines()[-1])
        engine = "PostgreSQL" if postgres else "SQLite"
        print(
            f"import on {engine}: {posts:,} posts in {seconds:,.0f} s = {posts / seconds:,.0f} "
            f"posts/s; the import process used {cpu:,.1f} s of CPU ({posts / cpu:,.0f} posts "
            f"per CPU-second); peak memory {peak / 1024:,.0f} MiB; load average "
            f"{load:.1f} before, {os.getloadavg()[0]:.1f} after",
            flush=True,
        )
        if not postgres:
            size = sum(p.stat().st_size for p in data_dir.glob("*.sqlite3*"))
            print(f"database file: {size / 2**20:,.0f} MiB")
        for name, (cold, warm) in time_queries(data_dir, database_url).items():
            print(f"  {name}: {cold:,.0f} ms cold, {warm:,.0f} ms warm (median of 4)")
        print(
            f"machine: {platform.platform()}, {os.cpu_count()} cores, Python "
            f"{platform.python_version()}, {datetime.now(UTC):%Y-%m-%d}"
        )
    finally:
        if stop is not None:
            stop()
        if keep is None:
            shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("action", nargs="?", default="run", choices=["run", "generate", "profile"])
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--out", type=Path, help="generate: where to write the NDJSON")
    parser.add_argument("--file", type=Path, help="run: import this file instead of generating")
    parser.add_argument("--postgres", action="store_true", help="run on a throwaway PostgreSQL")
    parser.add_argument("--keep", type=Path, help="run: keep the data folder here")
    args = parser.parse_args()
    if args.action == "generate":
        generate(args.posts, args.out or Path(f"x-{args.posts}.jsonl"))
    elif args.action == "profile":
        work = Path(tempfile.mkdtemp(prefix="houseboat-bench-profile-"))
        try:
            path = generate(args.posts, work / "x.jsonl")
            profile(args.posts, path, work / "data")
        finally:
            shutil.rmtree(work, ignore_errors=True)
    else:
        run(args.posts, args.postgres, args.keep, args.file)


if __name__ == "__main__":
    main()
