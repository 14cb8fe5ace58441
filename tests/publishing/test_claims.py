"""Workers claiming at the same time never get the same delivery, on SQLite and PostgreSQL.

These tests use real transactions (``transaction=True``): each thread has its own
database connection, as each worker process has.
"""

import os
import subprocess
import sys
import threading
from collections import Counter

import pytest
from django.db import connection, connections
from django.utils import timezone

from houseboat.connectors.models import Channel
from houseboat.core.models import Team, User
from houseboat.publishing import dispatch
from houseboat.publishing.models import Delivery, Post, Variant

pytestmark = pytest.mark.django_db(transaction=True)


def due_deliveries(count: int) -> list[int]:
    team = Team.objects.create(name="Claims", slug="claims")
    author = User.objects.create_user(username="claims")
    channel = Channel.objects.create(team=team, network="own_site", name="site")
    post = Post.objects.create(team=team, author=author, text="many")
    variant = Variant.objects.create(post=post, channel=channel)
    now = timezone.now()
    rows = Delivery.objects.bulk_create(
        Delivery(variant=variant, part=i, text=f"part {i}", due_at=now) for i in range(count)
    )
    return [row.pk for row in rows]


def claim_until_empty(name: str, start: threading.Barrier, got: list[int], errors: list) -> None:
    try:
        start.wait()
        while batch := dispatch.claim(name, limit=5):
            got.extend(delivery.pk for delivery in batch)
    except Exception as error:  # reported by the test, not lost in the thread
        errors.append(error)
    finally:
        connections.close_all()


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="the suite's SQLite is in memory, shared by threads with table locks; "
    "the test below races processes on a SQLite file instead",
)
def test_threads_claiming_at_once_never_both_get_a_row():
    ids = due_deliveries(200)
    start = threading.Barrier(4)
    claimed: dict[str, list[int]] = {f"worker-{n}": [] for n in range(4)}
    errors: list[Exception] = []
    threads = [
        threading.Thread(target=claim_until_empty, args=(name, start, got, errors))
        for name, got in claimed.items()
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    everything = Counter(pk for got in claimed.values() for pk in got)
    assert sorted(everything) == sorted(ids)  # every row claimed...
    assert max(everything.values()) == 1  # ...by exactly one worker
    owners = dict(Delivery.objects.values_list("pk", "lease_owner"))
    for name, got in claimed.items():
        assert all(owners[pk] == name for pk in got)


def test_worker_processes_on_one_sqlite_file_never_both_get_a_row(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "HOUSEBOAT_DATA_DIR"}
    }
    env["HOUSEBOAT_DATA_DIR"] = str(tmp_path)

    def python(*args: str) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, *args], env=env, stdout=subprocess.PIPE, text=True)

    assert python("-m", "houseboat", "migrate", "-v0").wait(120) == 0
    assert python("-m", "tests.publishing.race", "seed", "300").wait(60) == 0
    racers = [python("-m", "tests.publishing.race", "claim", f"worker-{n}") for n in range(4)]
    for racer in racers:
        assert racer.stdout.readline().strip() == "ready"
    (tmp_path / "go").touch()
    claimed = [racer.communicate(timeout=120)[0].split() for racer in racers]

    assert all(racer.returncode == 0 for racer in racers)
    everything = Counter(pk for got in claimed for pk in got)
    assert len(everything) == 300 and max(everything.values()) == 1
    assert sum(1 for got in claimed if got) > 1  # they really raced


@pytest.mark.skipif(
    connection.features.has_select_for_update_skip_locked,
    reason="PostgreSQL locks the rows as it reads them; the thread race covers it",
)
def test_a_worker_that_saw_the_same_rows_a_moment_later_gets_none_of_them(monkeypatch):
    due_deliveries(3)
    seen = list(Delivery.objects.values_list("pk", flat=True))
    first = dispatch.claim("worker-1")
    assert len(first) == 3
    # worker-2 looked before worker-1's claims landed: it sees the same candidates.
    monkeypatch.setattr(
        dispatch.Delivery.objects,
        "filter",
        _seeing(seen, dispatch.Delivery.objects.filter),
    )
    assert dispatch.claim("worker-2") == []
    assert set(Delivery.objects.values_list("lease_owner", flat=True)) == {"worker-1"}


def _seeing(candidates, real_filter):
    """Make the candidate query answer as it did before the other worker's claims."""

    def filter_(*args, **kwargs):
        queryset = real_filter(*args, **kwargs)
        if args and not kwargs:  # the due_filter query
            return real_filter(pk__in=candidates)
        return queryset

    return filter_
