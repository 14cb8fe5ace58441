"""houseboat's import against a user's alternative tool, timed side by side in one run.

    python3 -m uv run --frozen python bench/archive_vs_sqlite_utils.py --posts 200000
    python3 -m uv run --frozen python bench/archive_vs_sqlite_utils.py --posts 1000000 --postgres

One generated file of X API v2 pages as twarc2 saves them (bench/archive.py's
generator, seeded) is imported twice, on the same machine in the same run:

1. **sqlite-utils**, the way a researcher without houseboat would do it: the tweets
   flattened one a line by this script (author, counts, hashtags put in columns: not
   timed, it is the preparation), then ``sqlite-utils insert DB tweets FILE --nl --pk
   id`` and ``sqlite-utils enable-fts DB tweets text``, both timed.
2. **houseboat**: ``houseboat import x-ndjson FILE --campaign bench``, the real
   command on the twarc2 file itself, into SQLite or (``--postgres``) a throwaway
   PostgreSQL started as scripts/test does.

It prints each side's wall time, the peak memory of its processes (the proportional
set size of the importing process and its children together, sampled every 0.1 s),
and the ratio: sqlite-utils' time over houseboat's (above 1.0, houseboat is faster).
Then it times what the worker does after an import (the alert check of the new
items), which is not in the import's time.

sqlite-utils is not one of houseboat's dependencies: it lives in a bench-only
virtual environment, made on first use (``--sqlite-utils-env``, default
/tmp/bench-env) with ``pip install sqlite-utils==3.38``.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import archive  # noqa: E402 (the generator and the PostgreSQL starter of bench/archive.py)

SQLITE_UTILS = "sqlite-utils==3.38"
CPU: dict[str, float] = {}  # CPU seconds used, by command


# --- the bench-only environment ------------------------------------------------------------


def sqlite_utils_bin(env_dir: Path) -> Path:
    """Return the sqlite-utils command of the bench-only environment, making it if needed."""
    command = env_dir / "bin" / "sqlite-utils"
    if not command.exists():
        subprocess.run([sys.executable, "-m", "venv", str(env_dir)], check=True)  # noqa: S603
        subprocess.run(  # noqa: S603 (pinned package into our own bench environment)
            [str(env_dir / "bin" / "pip"), "install", "--quiet", SQLITE_UTILS], check=True
        )
    return command


# --- flattening, for sqlite-utils ----------------------------------------------------------


def flatten_for_sqlite_utils(source: Path, out: Path) -> int:
    """Write one flat JSON object a line per tweet of the twarc2 pages; return how many."""
    count = 0
    with source.open("rb") as pages, out.open("wb") as flat:
        for line in pages:
            page = orjson.loads(line)
            users = {u["id"]: u for u in page.get("includes", {}).get("users", [])}
            for tweet in page.get("data", []):
                flat.write(orjson.dumps(flat_tweet(tweet, users)) + b"\n")
                count += 1
    return count


def flat_tweet(tweet: dict[str, Any], users: dict[str, Any]) -> dict[str, Any]:
    author = users.get(tweet.get("author_id"), {})
    metrics = tweet.get("public_metrics", {})
    refs = {r["type"]: r["id"] for r in tweet.get("referenced_tweets", [])}
    entities = tweet.get("entities", {})
    return {
        "id": tweet["id"],
        "created_at": tweet.get("created_at"),
        "author_id": tweet.get("author_id"),
        "author_username": author.get("username"),
        "author_name": author.get("name"),
        "lang": tweet.get("lang"),
        "text": tweet.get("text"),
        "conversation_id": tweet.get("conversation_id"),
        "in_reply_to": refs.get("replied_to"),
        "retweet_of": refs.get("retweeted"),
        "quote_of": refs.get("quoted"),
        "hashtags": " ".join(h["tag"] for h in entities.get("hashtags", [])),
        "mentions": " ".join(m["username"] for m in entities.get("mentions", [])),
        "urls": " ".join(u.get("expanded_url", "") for u in entities.get("urls", [])),
        "retweet_count": metrics.get("retweet_count"),
        "reply_count": metrics.get("reply_count"),
        "like_count": metrics.get("like_count"),
        "quote_count": metrics.get("quote_count"),
        "impression_count": metrics.get("impression_count"),
    }


# --- timing with peak memory ---------------------------------------------------------------


def tree_pss_kib(pid: int) -> int:
    """Return the memory of a process and all its descendants (PSS), in KiB.

    The proportional set size counts a page shared by several processes (a forked
    child shares its parent's) once in all, where adding up resident sizes would
    count it in each.
    """
    total, stack, seen = 0, [pid], set()
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        try:
            status = Path(f"/proc/{current}/smaps_rollup").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("Pss:"):
                total += int(line.split()[1])
        stack.extend(int(child) for child in children)
    return total


def cpu_of_children() -> float:
    """Return the CPU seconds of the children waited for so far (and of their children)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(command: list[str], env: dict[str, str] | None = None) -> tuple[float, int, str]:
    """Run a command; return its wall seconds, the peak KiB of its process tree, its output.

    The CPU seconds it used (with its children's) are added to ``CPU[command[0]]``.
    """
    cpu_before = cpu_of_children()
    started = time.monotonic()
    child = subprocess.Popen(  # noqa: S603 (our own commands)
        command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.1):
            peak[0] = max(peak[0], tree_pss_kib(child.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, _ = child.communicate()
    seconds = time.monotonic() - started
    done.set()
    sampler.join()
    CPU[command[0]] = CPU.get(command[0], 0.0) + cpu_of_children() - cpu_before
    if child.returncode:
        raise SystemExit(f"{' '.join(command[:3])}… failed:\n{output}")
    return seconds, peak[0], output


# --- the run -------------------------------------------------------------------------------


def run_sqlite_utils(command: Path, flat: Path, work: Path) -> tuple[float, int]:
    db = work / "sqlite-utils.db"
    insert, peak_insert, _ = timed(
        [str(command), "insert", str(db), "tweets", str(flat), "--nl", "--pk", "id"]
    )
    fts, peak_fts, _ = timed([str(command), "enable-fts", str(db), "tweets", "text"])
    print(
        f"sqlite-utils: insert {insert:,.1f} s + enable-fts {fts:,.1f} s = {insert + fts:,.1f} s; "
        f"peak memory {max(peak_insert, peak_fts) / 1024:,.0f} MiB; "
        f"database {db.stat().st_size / 2**20:,.0f} MiB",
        flush=True,
    )
    return insert + fts, max(peak_insert, peak_fts)


def run_houseboat(path: Path, work: Path, database_url: str | None) -> tuple[float, int, dict]:
    env = archive.environment(work / "data", database_url)
    for args in (
        ("migrate", "-v0"),
        ("team", "create", "Bench"),
        ("campaign", "create", "--team", "bench", "--name", "Bench"),
    ):
        done = archive.houseboat(env, *args)
        if done.returncode:
            raise SystemExit(done.stderr)
    command = [sys.executable, "-m", "houseboat", "import", "x-ndjson", str(path)]
    seconds, peak, output = timed([*command, "--campaign", "bench"], env)
    print(f"houseboat: {output.strip().splitlines()[-1]}")
    print(
        f"houseboat import: {seconds:,.1f} s; peak memory {peak / 1024:,.0f} MiB",
        flush=True,
    )
    return seconds, peak, env


def run_alert_step(env: dict[str, str]) -> None:
    """Time the worker's alert check over the items the import stored (not in the import)."""
    script = (
        "import time, django; django.setup()\n"
        "from houseboat.listening.alerting import check_new_items\n"
        "started = time.monotonic(); total = 0\n"
        "while (n := check_new_items('bench')): total += n\n"
        "print(f'{total} {time.monotonic() - started:.1f}')\n"
    )
    env = {**env, "DJANGO_SETTINGS_MODULE": "houseboat.settings"}
    seconds, peak, output = timed([sys.executable, "-c", script], env)
    checked, inner = output.split()[-2:]
    print(
        f"worker, after the import: alert check of {int(checked):,} items in {inner} s "
        f"({seconds:,.1f} s with start-up); peak memory {peak / 1024:,.0f} MiB",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=200_000)
    parser.add_argument("--postgres", action="store_true", help="houseboat on PostgreSQL")
    parser.add_argument("--file", type=Path, help="use this twarc2 file instead of generating")
    parser.add_argument(
        "--sqlite-utils-env", type=Path, default=Path(tempfile.gettempdir()) / "bench-env"
    )
    parser.add_argument("--no-alerts", action="store_true", help="skip timing the alert step")
    args = parser.parse_args()
    command = sqlite_utils_bin(args.sqlite_utils_env)
    work = Path(tempfile.mkdtemp(prefix="houseboat-bench-vs-"))
    stop = None
    try:
        path = args.file or work / "twarc2.jsonl"
        if args.file is None:
            started = time.monotonic()
            archive.generate(args.posts, path)
            print(f"generated {args.posts:,} posts in {time.monotonic() - started:,.0f} s")
        started = time.monotonic()
        flat = work / "flat.jsonl"
        posts = flatten_for_sqlite_utils(path, flat)
        print(
            f"{posts:,} tweets: twarc2 file {path.stat().st_size / 2**20:,.0f} MiB, flattened "
            f"for sqlite-utils in {time.monotonic() - started:,.1f} s (not timed)",
            flush=True,
        )
        load = os.getloadavg()[0]
        theirs, their_peak = run_sqlite_utils(command, flat, work)
        database_url = None
        if args.postgres:
            database_url, stop = archive.start_postgres()
        ours, our_peak, env = run_houseboat(path, work, database_url)
        engine = "PostgreSQL" if args.postgres else "SQLite"
        print(
            f"\nratio on {engine}, {posts:,} tweets: sqlite-utils {theirs:,.1f} s / houseboat "
            f"{ours:,.1f} s = {theirs / ours:.2f} ({posts / theirs:,.0f} vs {posts / ours:,.0f} "
            f"tweets/s); peak memory sqlite-utils {their_peak / 1024:,.0f} MiB, houseboat "
            f"{our_peak / 1024:,.0f} MiB; load average {load:.1f} before, "
            f"{os.getloadavg()[0]:.1f} after",
            flush=True,
        )
        their_cpu, our_cpu = CPU[str(command)], CPU[sys.executable]
        print(
            f"CPU seconds (the machine is shared, so these are the steadier figure): "
            f"sqlite-utils {their_cpu:,.1f}, houseboat {our_cpu:,.1f} (its two processes "
            f"together; without the database server's on PostgreSQL), ratio "
            f"{their_cpu / our_cpu:.2f}",
            flush=True,
        )
        if not args.no_alerts:
            run_alert_step(env)
        print(
            f"machine: {platform.platform()}, {os.cpu_count()} cores, Python "
            f"{platform.python_version()}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
        )
    finally:
        if stop is not None:
            stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
