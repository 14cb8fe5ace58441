"""The dispatcher's crash and lost-answer cases against real servers: snac2 and the PDS.

A publish whose answer is lost after the server made the post (a 504 from a proxy, a
dropped connection) must leave exactly one post: snac2 ignores Idempotency-Key, so the
dispatcher looks among the account's recent posts before anything is sent again;
Bluesky's record key is fixed by the delivery, so a resend finds the record already
made and reads it back. A worker killed while its publish was out (after the
attempt-started mark, before it could record the answer) is taken over by the next
worker the same way. See tests/realservers/lossy_proxy.py for the proxy.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from houseboat.connectors.models import Channel
from houseboat.core.models import Team
from houseboat.publishing import dispatch
from houseboat.publishing.constants import DeliveryState
from houseboat.publishing.models import Delivery
from tests.publishing.conftest import come_back
from tests.publishing.snac import SnacServer
from tests.realservers.bluesky_pds import BlueskyServers
from tests.realservers.lossy_proxy import PUBLISH_PATHS, LossyProxy

SNAC2 = pytest.mark.realserver("snac2")
BLUESKY = pytest.mark.realserver("bluesky")


class Snac2Target:
    """A snac2 account, as a channel sees it through a proxy."""

    name = "snac2"

    def __init__(self, server: SnacServer):
        self.server = server
        self.upstream = server.base_url

    def settings(self, base_url: str) -> tuple[str, dict, dict]:
        config = {"base_url": base_url, "allow_private_network": True}
        return "mastodon", config, {"access_token": self.server.token}

    def copies(self) -> Counter:
        """How many statuses carry each text (snac adds a line break), and their ids."""
        statuses = self.server.statuses()
        self.ids = {status["id"] for status in statuses}
        return Counter(status["content"].replace("<br>", "").strip() for status in statuses)


class BlueskyTarget:
    """A fresh account on the session's PDS, as a channel sees it through a proxy."""

    name = "bluesky"

    def __init__(self, servers: BlueskyServers):
        self.servers = servers
        self.upstream = servers.pds_url
        self.account = servers.create_account("vigil")
        self.app_password = servers.create_app_password(self.account)

    def settings(self, base_url: str) -> tuple[str, dict, dict]:
        config = {
            "handle": self.account.handle,
            "service_url": base_url,
            "allow_private_network": True,
        }
        return "bluesky", config, {"app_password": self.app_password}

    def copies(self) -> Counter:
        records = self.servers.records(self.account)
        self.ids = {record["uri"] for record in records}
        return Counter(record["value"]["text"] for record in records)


@pytest.fixture
def target(request, tmp_path):
    if request.param == "snac2":
        server = SnacServer(tmp_path).start()
        yield Snac2Target(server)
        server.stop()
    else:
        yield BlueskyTarget(request.getfixturevalue("bluesky_pds"))


def channel_for(team: Team, target, base_url: str) -> Channel:
    network, config, secrets = target.settings(base_url)
    return Channel.objects.create(
        team=team, network=network, name=network, config=config, secrets=secrets
    )


@pytest.mark.parametrize(
    ("target", "loss"),
    [
        pytest.param("snac2", "dropped", marks=SNAC2, id="snac2-dropped"),
        pytest.param("bluesky", "504", marks=BLUESKY, id="bluesky-504"),
        pytest.param("bluesky", "dropped", marks=BLUESKY, id="bluesky-dropped"),
    ],
    indirect=["target"],
)
def test_a_publish_whose_answer_is_lost_after_the_server_made_it_leaves_one_post(
    target, loss, team_a, publish
):
    proxy = LossyProxy(target.upstream, PUBLISH_PATHS[target.name], loss=loss)
    try:
        channel = channel_for(team_a, target, proxy.base_url)
        texts = [f"Free the Ten, day {n}" for n in range(3)]
        for text in texts:
            publish(text, channel)
        for _ in range(6):  # rounds, each after the wait an unclear answer asks for
            dispatch.dispatch("worker-1")
            come_back()
    finally:
        proxy.close()

    made = target.copies()
    assert proxy.lost.is_set()
    assert {text: made[text] for text in texts} == dict.fromkeys(texts, 1)
    for delivery in Delivery.objects.filter(variant__channel=channel):
        assert delivery.state == DeliveryState.SENT
        assert delivery.remote_id in target.ids
    if target.name == "snac2":
        assert proxy.publishes == 3  # looked among the recent posts, found, never sent again


def scene(env: dict, *args: str) -> str:
    command = [sys.executable, "-m", "tests.realservers.dispatch_scene", *args]
    return subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout


@pytest.mark.backend("sqlite")  # worker processes on their own SQLite file
@pytest.mark.parametrize(
    "target",
    [pytest.param("snac2", marks=SNAC2), pytest.param("bluesky", marks=BLUESKY)],
    indirect=True,
)
def test_a_worker_killed_while_its_publish_was_out_is_taken_over_without_a_duplicate(
    target, tmp_path: Path
):
    proxy = LossyProxy(target.upstream, PUBLISH_PATHS[target.name], loss="held")
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
    houseboat = os.path.join(os.path.dirname(sys.executable), "houseboat")
    worker = [houseboat, "worker", "--lane", "dispatch", "--interval", "0.2"]
    text = "Night 40 of the vigil outside the courthouse"
    try:
        subprocess.run([houseboat, "migrate", "-v0"], env=env, check=True, timeout=300)
        network, config, secrets = target.settings(proxy.base_url)
        scene(env, "seed", network, json.dumps(config), json.dumps(secrets), text)
        victim = subprocess.Popen(worker, env=env)
        try:
            # The server has made the post; the worker waits for an answer that never comes.
            assert proxy.lost.wait(120), "the worker never sent the post"
            assert scene(env, "attempts").strip() == "1"  # the attempt-started mark is in
        finally:
            os.kill(victim.pid, signal.SIGKILL)
            victim.wait()
        survivor = subprocess.Popen(worker, env=env)
        try:
            give_up = time.monotonic() + 300
            while (report := json.loads(scene(env, "report")))[0]["state"] not in (
                DeliveryState.SENT,
                DeliveryState.UNKNOWN,
                DeliveryState.FAILED,
            ):
                assert time.monotonic() < give_up, report
                time.sleep(0.5)
        finally:
            survivor.send_signal(signal.SIGTERM)
            survivor.wait(60)
    finally:
        proxy.close()

    made = target.copies()
    assert made[text] == 1
    [delivery] = report
    assert delivery["state"] == DeliveryState.SENT
    assert delivery["remote_id"] in target.ids
    if target.name == "snac2":
        assert proxy.publishes == 1  # the survivor looked and found it: never sent again
