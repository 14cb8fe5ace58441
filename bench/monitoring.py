"""How fast demand monitoring reads new archive items.

    python3 -m uv run --frozen python bench/monitoring.py [ITEMS] [DEMANDS]

Fills a throwaway SQLite database with ITEMS archive items (default 100,000; short
posts in English, Arabic and Spanish, 1 in 50 mentioning a watched phrase) and
DEMANDS demands (default 50) with five watched phrases in three languages and two
targets each, then runs the worker step `watch_archive` until it has caught up,
and prints items read per second and candidates found.
"""

import os
import sys
import tempfile
import time
import zlib

os.environ.setdefault("HOUSEBOAT_DATA_DIR", tempfile.mkdtemp(prefix="houseboat-bench-"))
os.environ.pop("DATABASE_URL", None)
os.environ["DJANGO_SETTINGS_MODULE"] = "houseboat.settings"

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

from houseboat.accountability.models import Candidate  # noqa: E402
from houseboat.accountability.monitoring import watch_archive  # noqa: E402
from houseboat.accountability.services import create_demand  # noqa: E402
from houseboat.campaigns.models import Campaign  # noqa: E402
from houseboat.core.models import Team  # noqa: E402
from houseboat.listening.models import Item  # noqa: E402

WORDS = [
    "Ten reporters are still held without charge in Port Verene today",
    "ستون يوماً خلف القضبان دون تهمة في بورت فيرين",
    "Diez periodistas detenidos sin cargos desde septiembre",
    "Join the silent vigil on Friday at six outside the Courier",
]


def fill(items: int, demands: int) -> Campaign:
    call_command("migrate", verbosity=0)
    team = Team.objects.create(name="Bench", slug="bench")
    campaign = Campaign.objects.create(team=team, name="Bench", slug="bench")
    for n in range(demands):
        create_demand(
            campaign,
            title=f"Demand {n}",
            targets=[f"Office {n}", f"Minister {n}"],
            monitor_terms=f"phrase {n}\nعبارة {n}\nfrase {n}\nclause {n}\nmeasure {n}",  # noqa: RUF001
        )
    now, raw = timezone.now(), zlib.compress(b"{}")
    batch = []
    for i in range(items):
        text = WORDS[i % len(WORDS)]
        if i % 50 == 0:
            text += f" phrase {i % demands}"
        batch.append(
            Item(
                campaign=campaign,
                network="x",
                remote_id=str(i),
                text=text,
                raw=raw,
                raw_sha256=f"{i:064x}",
                captured_at=now,
                created_at=now,
            )
        )
        if len(batch) == 5000:
            Item.objects.bulk_create(batch)
            batch = []
    Item.objects.bulk_create(batch)
    return campaign


def main(argv: list[str]) -> int:
    items = int(argv[0]) if argv else 100_000
    demands = int(argv[1]) if len(argv) > 1 else 50
    fill(items, demands)
    start = time.perf_counter()
    read = 0
    while done := watch_archive("bench"):
        read += done
    seconds = time.perf_counter() - start
    print(f"items {read}, demands {demands}, candidates {Candidate.objects.count()}")
    print(f"{seconds:.1f} s, {read / seconds:,.0f} items/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
