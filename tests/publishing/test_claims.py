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
from django.db import connections
from django.utils import timezone

from houseboat.campaigns.models import Campaign, SitePost
from houseboat.connectors.models import Channel
from houseboat.core.models import Team, User
from houseboat.publishing import dispatch
from houseboat.publishing.constants import DeliveryState
from houseboat.publishing.models import Delivery, Post, Variant

pytestmark = pytest.mark.django_db(transaction=True)


def due_deliveries(count: int) -> list[int]:
    """Make ``count`` posts for a campaign's own site, one delivery each, all due now."""
    team = Team.objects.create(name="Claims", slug="claims")
    author = User.objects.create_user(username="claims")
    campaign = Campaign.objects.create(team=team, name="Claims", slug="claims")
    channel = Channel.objects.get(network="own_site", config__campaign_id=campaign.pk)
    posts = Post.objects.bulk_create(
        Post(team=team, campaign=campaign, author=author, text=f"post {i}") for i in range(count)
    )
    variants = Variant.objects.bulk_create(Variant(post=post, channel=channel) for post in posts)
    now = timezone.now()
    rows = Delivery.objects.bulk_create(
        Delivery(variant=variant, text=variant.post.text, due_at=now) for variant in variants
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


# The suite's SQLite is in memory, shared by threads with table locks; the test
# below races processes on a SQLite file instead.
@pytest.mark.backend("postgresql")
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


def sqlite_data_dir(path) -> dict[str, str]:
    """The environment of a process working on its own SQLite file in ``path``, also
    when the suite runs on PostgreSQL."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "HOUSEBOAT_DATA_DIR"}
    }
    env["HOUSEBOAT_DATA_DIR"] = str(path)
    return env


# Threads cannot share the suite's in-memory SQLite; the test below uses a file.
@pytest.mark.backend("postgresql")
def test_a_worker_with_several_senders_sends_each_delivery_once(settings):
    settings.HOUSEBOAT_DISPATCH_THREADS = 4
    settings.HOUSEBOAT_DISPATCH_BATCH = 3
    ids = due_deliveries(60)

    assert dispatch.dispatch("worker-1") == 60

    assert Delivery.objects.filter(pk__in=ids, state=DeliveryState.SENT).count() == 60
    assert SitePost.objects.count() == 60
    owners = set(Delivery.objects.values_list("lease_owner", flat=True))
    assert owners == {""}  # every lease given back


def test_worker_processes_with_several_senders_on_one_sqlite_file_send_each_once(tmp_path):
    env = {**sqlite_data_dir(tmp_path), "HOUSEBOAT_DISPATCH_THREADS": "4"}
    env["HOUSEBOAT_DISPATCH_BATCH"] = "3"

    def houseboat(*args: str) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "houseboat", *args], env=env)

    assert houseboat("migrate", "-v0").wait(120) == 0
    seed = [sys.executable, "-m", "tests.publishing.race", "seed", "120"]
    assert subprocess.run(seed, env=env, timeout=60).returncode == 0
    workers = [houseboat("worker", "--once") for _ in range(2)]
    assert all(worker.wait(120) == 0 for worker in workers)

    report = subprocess.run(
        [sys.executable, "-m", "tests.publishing.race", "report"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert report.stdout.split() == ["sent=120", "site_posts=120", "distinct_bodies=120"]


def test_worker_processes_on_one_sqlite_file_never_both_get_a_row(tmp_path):
    env = sqlite_data_dir(tmp_path)

    def python(*args: str) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, *args], env=env, stdout=subprocess.PIPE, text=True)

    assert python("-m", "houseboat", "migrate", "-v0").wait(120) == 0
    assert python("-m", "tests.publishing.race", "seed", "300").wait(60) == 0
    racers = [python("-m", "tests.publishing.race", "claim", f"worker-{n}") for n in range(4)]
    try:
        for racer in racers:
            assert racer.stdout.readline().strip() == "ready"
        (tmp_path / "go").touch()
        claimed = [racer.communicate(timeout=120)[0].split() for racer in racers]
    finally:
        for racer in racers:
            if racer.poll() is None:
                racer.kill()

    assert all(racer.returncode == 0 for racer in racers)
    everything = Counter(pk for got in claimed for pk in got)
    assert len(everything) == 300 and max(everything.values()) == 1
    assert sum(1 for got in claimed if got) > 1  # they really raced


# PostgreSQL locks the rows as it reads them; the thread race covers it there.
@pytest.mark.backend("sqlite")
def test_a_worker_that_saw_the_same_rows_a_moment_later_gets_none_of_them(monkeypatch):
    due_deliveries(3)
    seen = list(Delivery.objects.values_list("pk", flat=True))
    first = dispatch.claim("worker-1", limit=3)
    assert len(first) == 3
    # worker-2 looked before worker-1's claims landed: it sees the same candidates.
    monkeypatch.setattr(
        dispatch.Delivery.objects,
        "filter",
        _seeing(seen, dispatch.Delivery.objects.filter),
    )
    assert dispatch.claim("worker-2", limit=3) == []
    assert set(Delivery.objects.values_list("lease_owner", flat=True)) == {"worker-1"}


def _seeing(candidates, real_filter):
    """Make the candidate query answer as it did before the other worker's claims."""

    def filter_(*args, **kwargs):
        queryset = real_filter(*args, **kwargs)
        if args and not kwargs:  # the due_filter query
            return real_filter(pk__in=candidates)
        return queryset

    return filter_
