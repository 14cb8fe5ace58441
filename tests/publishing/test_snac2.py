"""The dispatcher against a real fediverse server: snac2, which ignores Idempotency-Key.

The real-server tier (``-m realserver``): scripts/test installs snac2 from Debian's
bookworm-backports and runs it; without snac2 these tests are left out with a note
saying so (tests/conftest.py). Each test starts its own snac2 in a throwaway folder on
a spare port of 127.0.0.1 and stops it by its PID.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest

from houseboat.connectors.models import Channel
from houseboat.publishing import dispatch
from houseboat.publishing.constants import DeliveryState
from houseboat.publishing.models import Delivery
from tests.publishing.conftest import come_back
from tests.publishing.snac import GatewayProxy, SnacServer

pytestmark = pytest.mark.realserver


@pytest.fixture
def snac(tmp_path):
    server = SnacServer(tmp_path).start()
    yield server
    server.stop()


def snac_channel(team, base_url: str, token: str) -> Channel:
    return Channel.objects.create(
        team=team,
        network="mastodon",
        name="snac2",
        config={"base_url": base_url, "allow_private_network": True},
        secrets={"access_token": token},
    )


def copies(snac: SnacServer) -> Counter:
    """How many statuses on the server carry each text (snac adds a line break)."""
    texts = [status["content"].replace("<br>", "").strip() for status in snac.statuses()]
    return Counter(texts)


@pytest.mark.parametrize("gateway_timeouts", [1, -1], ids=["one-504", "persistent-504"])
def test_a_proxy_answering_504_after_snac2_made_the_post_leaves_one_copy(
    snac, team_a, publish, gateway_timeouts
):
    proxy = GatewayProxy(snac.base_url, gateway_timeouts=gateway_timeouts)
    try:
        channel = snac_channel(team_a, proxy.base_url, snac.token)
        posts = [publish(f"Free the Ten, day {n}", channel) for n in range(3)]
        for _ in range(6):  # rounds, each after the wait an unclear answer asks for
            dispatch.dispatch("worker-1")
            come_back()
    finally:
        proxy.close()

    made = copies(snac)
    assert {f"Free the Ten, day {n}": made[f"Free the Ten, day {n}"] for n in range(3)} == {
        f"Free the Ten, day {n}": 1 for n in range(3)
    }
    assert proxy.posts_forwarded == 3  # looked, found, never sent again
    ids = {status["id"] for status in snac.statuses()}
    for post in posts:
        delivery = Delivery.objects.get(variant__post=post)
        assert delivery.state == DeliveryState.SENT and delivery.remote_id in ids


@pytest.mark.backend("sqlite")  # worker processes on their own SQLite file
def test_a_worker_killed_with_minus_nine_mid_run_leaves_every_post_once_on_snac2(snac, tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "HOUSEBOAT_DATA_DIR"}
    }
    env.update(
        HOUSEBOAT_DATA_DIR=str(tmp_path / "data"),
        HOUSEBOAT_DISPATCH_LEASE_SECONDS="4",
        HOUSEBOAT_LEASE_HEARTBEAT_SECONDS="1",
        HOUSEBOAT_DISPATCH_BACKOFF_SECONDS="1",
        HOUSEBOAT_LOG_LEVEL="WARNING",
    )
    houseboat = [os.path.join(os.path.dirname(sys.executable), "houseboat")]
    scene = [sys.executable, "-m", "tests.publishing.snac_scene"]
    subprocess.run([*houseboat, "migrate", "-v0"], env=env, check=True, timeout=300)
    posts = 40
    subprocess.run([*scene, "seed", str(posts), snac.base_url, snac.token], env=env, check=True)

    def report() -> dict:
        out = subprocess.run([*scene, "report"], env=env, capture_output=True, text=True)
        return json.loads(out.stdout)

    worker = [*houseboat, "worker", "--lane", "dispatch", "--interval", "0.2"]
    victim = subprocess.Popen(worker, env=env)
    while report().get("sent", 0) < posts // 4:  # a quarter out: kill it mid-run
        assert victim.poll() is None
        time.sleep(0.1)
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait()
    survivor = subprocess.Popen(worker, env=env)
    try:
        give_up = time.monotonic() + 300
        while (state := report()).get("sent", 0) + state.get("unknown", 0) < posts:
            assert time.monotonic() < give_up, state
            time.sleep(0.5)
    finally:
        survivor.send_signal(signal.SIGTERM)
        survivor.wait(60)

    assert report() == {"sent": posts}
    made = copies(snac)
    assert {text: made[text] for text in made if text.startswith("Day ")} == {
        f"Day {n} of the vigil": 1 for n in range(posts)
    }
