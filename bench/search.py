"""Archive search latency at a million items on a throwaway PostgreSQL (or SQLite).

    python3 -m uv run --frozen python bench/search.py [--items 1000000] [--sqlite]

Builds the archive the way bench/archive.py does, from its generator's posts (a
movement's peak day as twarc2 writes it): the first --seed-posts posts are imported
through ``houseboat import`` (so every row is what the pipeline stores), then the
items are copied in SQL, each copy a day earlier with its own id, until the archive
holds --items items; a share of them get Chinese, Japanese or Thai text so the
trigram path is measured too. Then each question is asked five times through the
search service the Archive page and ``houseboat search`` use (count, capped at
10,000, plus the first page of 25): cold (the first run) and warm (median of the
next four). On PostgreSQL the old way (the count of every match, to_tsvector
computed per row from an expression index) is timed beside it for comparison.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
QUESTIONS = [
    ("a mid-frequency word", "tribunal"),
    ("a common word", "justicia"),
    ("a rare word (one account's name)", "user54321"),
    ("a phrase", '"exigimos justicia"'),
    ("two words, one left out", "police -tribunal"),
    ("Chinese, two characters inside the text", "自由"),
    ("Thai, inside a run of Thai", "เสรีภาพ"),
    ("a word nobody wrote", "zyzzyva"),
]
CJK_TEXTS = [
    "我们要求立即释放被关押的记者 新闻自由不是犯罪",
    "記者の即時釈放を求めます 報道の自由は犯罪ではありません",
    "เราเรียกร้องให้ปล่อยตัวนักข่าวทันที เสรีภาพสื่อไม่ใช่อาชญากรรม",
]
ITEM_COLUMNS = (
    "campaign_id, network, url, author_id, language, reply_to_id, repost_of_id, "
    "quote_of_id, hashtags, mentions, links, has_media, metrics, raw, raw_sha256, "
    "captured_at, capture_id, origin"
)


def archive_bench() -> Any:
    """Load bench/archive.py (its generator, its throwaway PostgreSQL) as a module."""
    spec = importlib.util.spec_from_file_location("archive_bench", HERE / "archive.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def grow(target: int) -> int:
    """Copy the imported items in SQL, a day earlier each time, up to ``target`` items."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), max(id) FROM listening_item")
        seed, _ = cursor.fetchone()
        copies = max(0, -(-target // seed) - 1)
        for g in range(1, copies + 1):
            remaining = target - seed * g
            if remaining <= 0:
                break
            if connection.vendor == "postgresql":
                moment = f"created_at - {g} * interval '1 day'"
            else:
                moment = f"datetime(created_at, '-{g} days')"
            # Every third copy speaks Chinese, Japanese or Thai in one item of 25.
            text = (
                "CASE WHEN id %% 25 = 0 THEN "
                + "CASE id %% 3 "
                + "".join(f"WHEN {n} THEN %s " for n in range(3))
                + "END ELSE text END"
                if g % 3 == 0
                else "text"
            )
            params = CJK_TEXTS if g % 3 == 0 else []
            cursor.execute(
                f"INSERT INTO listening_item ({ITEM_COLUMNS}, remote_id, text, created_at) "  # noqa: S608
                f"SELECT {ITEM_COLUMNS}, remote_id || '-c{g}', {text}, {moment} "
                f"FROM listening_item WHERE remote_id NOT LIKE '%%-c%%' "
                f"ORDER BY id LIMIT {min(seed, remaining)}",
                params,
            )
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE listening_item")
        else:
            cursor.execute("ANALYZE")
        cursor.execute("SELECT count(*) FROM listening_item")
        return cursor.fetchone()[0]


def timed(query: Callable[[], Any]) -> tuple[float, float, Any]:
    runs, answer = [], None
    for _ in range(5):
        started = time.perf_counter()
        answer = query()
        runs.append((time.perf_counter() - started) * 1000)
    return runs[0], statistics.median(runs[1:]), answer


def old_way(campaign: Any, text: str) -> Callable[[], Any]:
    """The search before migration 0006: to_tsvector per row, every match counted."""
    from django.core.paginator import Paginator
    from django.db.models import F

    from houseboat.listening.models import Item
    from houseboat.listening.search import parse_query, raw

    def query() -> Any:
        parsed = parse_query(text)
        phrases = [p for clause in parsed.must for p in clause]
        sql = " && ".join(["phraseto_tsquery('simple', %s)"] * len(phrases))
        condition = raw(
            f"to_tsvector('simple'::regconfig, listening_item.text) @@ ({sql})",
            phrases,
            boolean=True,
        )
        items = Item.objects.filter(campaign=campaign).filter(condition)
        items = items.defer("raw").order_by(F("created_at").desc(nulls_last=True), "-id")
        page = Paginator(items, 25).get_page(1)
        return page.paginator.count, len(list(page.object_list))

    return query


def measure(postgres: bool) -> None:
    from django.db import connection

    from houseboat.campaigns.models import Campaign
    from houseboat.listening.search import search

    campaign = Campaign.objects.get(slug="bench")
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database())")
            print(f"database size: {cursor.fetchone()[0] / 2**20:,.0f} MiB", flush=True)
    print("| question | query | matches | cold ms | warm ms |")
    print("|---|---|---|---|---|")
    for label, text in QUESTIONS:
        cold, warm, results = timed(lambda text=text: search(campaign, text))
        shown = f"more than {results.total:,}" if results.capped else f"{results.total:,}"
        print(f"| {label} | `{text}` | {shown} | {cold:,.0f} | {warm:,.0f} |", flush=True)
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE INDEX listening_item_text_search "
                "ON listening_item USING gin (to_tsvector('simple'::regconfig, text))"
            )
            cursor.execute("ANALYZE listening_item")
        print("\nThe old way (expression index, every match counted), same archive:")
        print("| question | query | matches | cold ms | warm ms |")
        print("|---|---|---|---|---|")
        for label, text in QUESTIONS[:4]:
            cold, warm, (count, _shown) = timed(old_way(campaign, text))
            print(f"| {label} | `{text}` | {count:,} | {cold:,.0f} | {warm:,.0f} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--seed-posts", type=int, default=50_000)
    parser.add_argument("--sqlite", action="store_true", help="measure SQLite instead")
    args = parser.parse_args()
    bench = archive_bench()
    work = Path(tempfile.mkdtemp(prefix="houseboat-bench-search-"))
    stop = None
    try:
        path = bench.generate(args.seed_posts, work / "posts.jsonl")
        database_url = None
        if not args.sqlite:
            database_url, stop = bench.start_postgres()
        data_dir = work / "data"
        env = bench.environment(data_dir, database_url)
        for command in (
            ("migrate", "-v0"),
            ("team", "create", "Bench"),
            ("campaign", "create", "--team", "bench", "--name", "Bench"),
            ("import", "x-ndjson", str(path), "--campaign", "bench"),
        ):
            done = bench.houseboat(env, *command)
            if done.returncode:
                raise SystemExit(done.stderr)
        os.environ.update(env)
        if database_url is None:
            os.environ.pop("DATABASE_URL", None)
        os.environ["DJANGO_SETTINGS_MODULE"] = "houseboat.settings"
        import django

        django.setup()
        started = time.monotonic()
        total = grow(args.items)
        print(f"archive: {total:,} items (grown in {time.monotonic() - started:,.0f} s)")
        measure(postgres=not args.sqlite)
        print(
            f"machine: {platform.platform()}, {os.cpu_count()} cores, Python "
            f"{platform.python_version()}, {datetime.now(UTC):%Y-%m-%d}"
        )
    finally:
        if stop is not None:
            stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
