"""Organising at scale: a 10,000-supporter CSV import, and the funnel at 100,000 responses.

    python3 -m uv run --frozen python bench/organizing.py
    python3 -m uv run --frozen python bench/organizing.py --supporters 10000 --responses 100000

Runs on SQLite in a throwaway data folder (the settings of the test suite), or on the
PostgreSQL database DATABASE_URL names (an empty one: the script migrates it). The CSV
is generated with 2 % bad rows of six kinds (no name, an unknown network, a map
position for an area, consent without a handle, a bad e-mail, a stray comma) and
goes through ``houseboat.organizing.csvimport.import_supporters`` exactly as
`houseboat supporter import` runs it: every row checked, personal fields encrypted,
handles digested, saved in batches of 1,000.

The funnel is ``houseboat.organizing.funnel.build_funnel`` on a campaign whose
responses are spread over 20,000 supporters, five actions, three channels and 60
days (signatures common, volunteering rare), timed cold (first call) and warm
(median of five), for the whole campaign and for one channel.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

BAD_ROWS = [
    ",email:nobody{i}@example.org,,,,",
    "Bad{i},myspace:@bad{i},,,,",
    'Geo{i},email:geo{i}@example.org,email,en,"51.50{i}, -0.12",',
    "Lone{i},x:@lone{i},whatsapp,,,",
    "Mail{i},email:not-an-address-{i},,,,",
    "Stray{i},,,,,,extra",
]


def setup_django() -> None:
    os.environ.setdefault("HOUSEBOAT_DATA_DIR", tempfile.mkdtemp(prefix="houseboat-bench-org-"))
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def supporters_csv(count: int, rng: random.Random) -> tuple[bytes, int]:
    """Return a CSV of ``count`` rows, 2 % of them bad, and how many are bad."""
    out = io.StringIO()
    out.write("name,handles,consent,language,area,tags\n")
    bad = 0
    for i in range(count):
        if i % 50 == 49:
            out.write(BAD_ROWS[bad % len(BAD_ROWS)].format(i=i) + "\n")
            bad += 1
            continue
        handles = [f"email:person{i}@example.org"]
        consents = ["email"]
        if i % 3 == 0:
            handles.append(f"whatsapp:+4477{i:08d}")
            consents.append("whatsapp")
        writer = csv.writer(out)
        writer.writerow(
            [
                f"Person {i}",
                ";".join(handles),
                ";".join(consents),
                rng.choice(["en", "fr", "ar", "es"]),
                rng.choice(["Old town", "North bank", "Harbour", ""]),
                ";".join(rng.sample(["students", "unions", "families", "lawyers"], k=2)),
            ]
        )
    return out.getvalue().encode(), bad


def bench_import(team, count: int, rng: random.Random) -> None:
    from houseboat.organizing.csvimport import import_supporters

    data, bad = supporters_csv(count, rng)
    started, cpu = time.perf_counter(), time.process_time()
    report = import_supporters(team, data, source_name="bench.csv", wording="bench")
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    assert len(report.bad) == bad, (len(report.bad), bad)
    print(
        f"CSV import: {count:,} rows ({len(data) / 1e6:.1f} MB), {report.added:,} added, "
        f"{len(report.bad)} bad rows reported with their line: {seconds:.2f} s wall, "
        f"{cpu:.2f} s CPU ({count / cpu:,.0f} rows per CPU-second)"
    )


def fill_responses(campaign, total: int, rng: random.Random) -> list:
    """Bulk-insert ``total`` responses over 20,000 supporters, five actions, three channels."""
    from houseboat.connectors.models import Channel
    from houseboat.organizing.constants import ActionKind, ResponseKind, SupporterSource
    from houseboat.organizing.models import CallToAction, Response, Supporter

    team = campaign.team
    channels = [
        Channel.objects.create(team=team, network=n, name=n) for n in ("x", "telegram", "whatsapp")
    ]
    actions = {
        kind: CallToAction.objects.create(campaign=campaign, kind=kind, title=str(kind))
        for kind in ActionKind.values
    }
    now = datetime.now(UTC)
    people = Supporter.objects.bulk_create(
        [
            Supporter(
                team=team,
                personal={},
                name_digest=f"{i:064d}",
                source=SupporterSource.CSV,
                campaign=campaign,
            )
            for i in range(20_000)
        ],
        batch_size=2000,
    )
    weights = {
        ResponseKind.SIGNED: 50,
        ResponseKind.SHARED: 15,
        ResponseKind.RSVP: 15,
        ResponseKind.ATTENDED: 10,
        ResponseKind.DONATED: 6,
        ResponseKind.VOLUNTEERED: 4,
    }
    action_for = {
        ResponseKind.SIGNED: actions[ActionKind.PETITION],
        ResponseKind.SHARED: actions[ActionKind.SHARE],
        ResponseKind.RSVP: actions[ActionKind.EVENT],
        ResponseKind.ATTENDED: actions[ActionKind.EVENT],
        ResponseKind.DONATED: actions[ActionKind.DONATION],
        ResponseKind.VOLUNTEERED: actions[ActionKind.VOLUNTEER],
    }
    kinds, weight = list(weights), list(weights.values())
    batch = []
    for _ in range(total):
        kind = rng.choices(kinds, weight)[0]
        batch.append(
            Response(
                action=action_for[kind],
                campaign=campaign,
                supporter=people[pick(rng, len(people))],
                kind=kind,
                channel=rng.choice([*channels, None]),
                source="public",
                created_at=now - timedelta(minutes=rng.randrange(60 * 24 * 60)),
            )
        )
        if len(batch) == 10_000:
            Response.objects.bulk_create(batch)
            batch = []
    Response.objects.bulk_create(batch)
    return channels


def pick(rng: random.Random, size: int) -> int:
    """Most people answer once or twice; a few answer again and again."""
    if rng.random() < 0.8:
        return rng.randrange(size)
    return int(rng.paretovariate(1.0) * 50) % size


def timed(function, runs: int = 5) -> str:
    """Time a call cold, then the median of ``runs`` warm calls: wall and CPU milliseconds.

    SQLite runs in this process, so CPU time covers the query too; on a shared machine
    it is the steadier figure.
    """
    walls, cpus = [], []
    for _ in range(runs + 1):
        started, cpu = time.perf_counter(), time.process_time()
        function()
        walls.append((time.perf_counter() - started) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    warm_wall, warm_cpu = statistics.median(walls[1:]), statistics.median(cpus[1:])
    return (
        f"cold {walls[0]:.0f} ms ({cpus[0]:.0f} ms CPU), "
        f"warm {warm_wall:.0f} ms ({warm_cpu:.0f} ms CPU)"
    )


def bench_funnel(campaign, total: int, rng: random.Random) -> None:
    from houseboat.organizing.funnel import build_funnel, format_table

    started = time.perf_counter()
    channels = fill_responses(campaign, total, rng)
    print(f"Filled {total:,} responses in {time.perf_counter() - started:.1f} s")
    print(f"Funnel, whole campaign: {timed(lambda: build_funnel(campaign))} (target < 500 ms)")
    one = timed(lambda: build_funnel(campaign, channel_id=channels[0].pk))
    print(f"Funnel, one channel:    {one}")
    for line in format_table(build_funnel(campaign)):
        print("  " + line)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--supporters", type=int, default=10_000)
    parser.add_argument("--responses", type=int, default=100_000)
    args = parser.parse_args(argv)
    setup_django()
    from houseboat.campaigns.models import Campaign
    from houseboat.core.models import Team

    rng = random.Random(17)  # noqa: S311 (sample data)
    team = Team.objects.create(name="Bench", slug="bench")
    bench_import(team, args.supporters, rng)
    funnel_team = Team.objects.create(name="Funnel", slug="funnel")
    campaign = Campaign.objects.create(team=funnel_team, name="Bench", slug="bench")
    bench_funnel(campaign, args.responses, rng)
    from django.db import connection

    print(
        f"{platform.machine()}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}, "
        f"Python {platform.python_version()}, {connection.vendor}, {datetime.now(UTC):%Y-%m-%d}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
