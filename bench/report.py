"""M&E report benchmark: the report of a large campaign, its render time and peak memory.

    python3 -m uv run --frozen python bench/report.py --items 1000000
    python3 -m uv run --frozen python bench/report.py --items 1000000 --keep /tmp/rep

The campaign is built the way bench/dashboards.py builds its archive (its ``Archive``
and ``load``: a month-long conversation with a march on day 20, written with direct
SQL), with the dashboards' ten dated events and sent post, then organising data as
bench/organizing.py makes it (20,000 supporters, ``--responses`` answers over 60
days), 300 sent posts on six networks with their counts read back, 2,000 alerts,
40 demands with reviewed status changes and evidence, and 50 harvested outcomes.

The report (``houseboat.reports.render.render``: every section, the HTML, the PDF
through WeasyPrint and the CSV annex) is then written for the period from the
archive's first day to today, in a fresh process, so its peak resident memory
(``ru_maxrss``) is the report's own and not the build's. The target is under 30 s.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import dashboards  # noqa: E402
from bench.organizing import fill_responses  # noqa: E402


def add_campaign_work(campaign_id: int, responses: int) -> None:
    """Add sent posts with counts, organising data, alerts, demands and outcomes."""
    from houseboat.accountability.models import Demand, EvidenceLink, Review, StatusChange
    from houseboat.campaigns.models import Campaign
    from houseboat.connectors.models import Channel
    from houseboat.core.models import User
    from houseboat.publishing.constants import DeliveryState, PostStatus
    from houseboat.publishing.models import Delivery, MetricSample, Post, Variant
    from houseboat.reports.models import Outcome
    from houseboat.safety.models import Alert

    rng = random.Random(18)  # noqa: S311 -- made-up data, the same on every run
    campaign = Campaign.objects.get(pk=campaign_id)
    alice = User.objects.get(username="alice")
    fill_responses(campaign, responses, rng)
    channels = {
        n: Channel.objects.get_or_create(team=campaign.team, network=n, defaults={"name": n})[0]
        for n in ("mastodon", "x", "bluesky", "telegram", "facebook", "own_site")
    }
    for n in range(300):
        when = dashboards.START + timedelta(hours=rng.randrange(24 * dashboards.DAYS))
        post = Post.objects.create(
            team=campaign.team,
            campaign=campaign,
            author=alice,
            text=f"post {n}",
            status=PostStatus.SENT,
        )
        for channel in rng.sample(list(channels.values()), 3):
            variant = Variant.objects.create(post=post, channel=channel)
            delivery = Delivery.objects.create(
                variant=variant, text=post.text, state=DeliveryState.SENT, due_at=when, sent_at=when
            )
            MetricSample.objects.create(
                delivery=delivery,
                captured_at=when + timedelta(hours=6),
                likes=rng.randrange(500),
                reposts=rng.randrange(100),
                replies=rng.randrange(50),
                views=rng.randrange(20_000),
            )
    kinds = ["threat", "slur", "doxxing", "pile_on", "threat,doxxing"]
    Alert.objects.bulk_create(
        Alert(
            team=campaign.team,
            campaign=campaign,
            network="x",
            remote_id=str(n),
            kinds=rng.choice(kinds),
            created_at=dashboards.START
            + timedelta(minutes=rng.randrange(60 * 24 * dashboards.DAYS)),
        )
        for n in range(2000)
    )
    for n in range(40):
        demand = Demand.objects.create(
            campaign=campaign, ref=f"D-{n}", title=f"Demand {n}", draft=False, visibility="team"
        )
        change = StatusChange.objects.create(
            demand=demand,
            progress="in_progress",
            happened_on=(dashboards.START + timedelta(days=n % 30)).date(),
            rationale="A written answer in Parliament.",
        )
        Review.objects.create(
            change=change, decision="approved", reviewer=alice, reviewer_label="alice"
        )
        EvidenceLink.objects.create(
            demand=demand, change=change, sha256=f"{n:064x}", excerpt="quote"
        )
    Outcome.objects.bulk_create(
        Outcome(
            campaign=campaign,
            actor=f"Official {n}",
            change="Changed a rule",
            happened_on=(dashboards.START + timedelta(days=n % 30)).date(),
            contribution="Letters and a march",
            confirmed_by="The official gazette",
        )
        for n in range(50)
    )


def render_once(data_dir: Path, out: Path) -> dict:
    """In this (fresh) process: write the report; return its time, sizes and peak memory."""
    dashboards.setup_django(data_dir)
    from houseboat.campaigns.models import Campaign
    from houseboat.reports import render

    campaign = Campaign.objects.get(slug="amara")
    started = time.monotonic()
    made = render.render(campaign, dashboards.START.date(), date.today(), "en")
    seconds = time.monotonic() - started
    out.write_bytes(made.pdf or b"")
    return {
        "seconds": round(seconds, 2),
        "peak_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "pdf_kib": round(len(made.pdf or b"") / 1024),
        "html_kib": round(len(made.html.encode()) / 1024),
        "pdf_error": made.pdf_error,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="build into (or reuse) this folder")
    parser.add_argument("--render-only", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.render_only:
        print(json.dumps(render_once(args.render_only, args.render_only.parent / "report.pdf")))
        return
    work = args.keep or Path(tempfile.mkdtemp(prefix="houseboat-bench-report-"))
    data_dir = work / "data"
    fresh = not (data_dir / "houseboat.sqlite3").exists()
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        if fresh:
            subprocess.run(  # noqa: S603 -- this Python, our own script
                [
                    sys.executable,
                    "-c",
                    BUILD,
                    str(data_dir),
                    str(args.items),
                    str(args.responses),
                    str(ROOT),
                ],
                check=True,
            )
        size = sum(p.stat().st_size for p in data_dir.glob("*.sqlite3*"))
        print(f"database file: {size / 2**20:,.0f} MiB, {args.items:,} archive items")
        for run in range(args.runs):
            result = subprocess.run(  # noqa: S603 -- this Python, this script
                [sys.executable, __file__, "--render-only", str(data_dir)],
                capture_output=True,
                text=True,
                check=True,
            )
            figures = json.loads(result.stdout.strip().splitlines()[-1])
            print(f"  run {run + 1}: {figures}")
        print(
            f"machine: {platform.platform()}, {os.cpu_count()} cores, Python "
            f"{platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
            f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, load average {os.getloadavg()[0]:.1f}"
        )
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


# The build runs in its own process, so the render's peak memory never includes it.
BUILD = """
import sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[4])
from bench import dashboards
from bench.report import add_campaign_work
data_dir, items, responses = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
dashboards.setup_django(data_dir)
path, campaign_id = dashboards.prepare(data_dir)
started = time.monotonic()
dashboards.load(path, dashboards.Archive(items), campaign_id, hashtag_rows=False)
dashboards.add_actions(campaign_id)
add_campaign_work(campaign_id, responses)
print(f"built the campaign in {time.monotonic() - started:,.0f} s")
"""


if __name__ == "__main__":
    main()
