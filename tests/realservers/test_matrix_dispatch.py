"""The dispatcher publishing to a Matrix room on a real Synapse, and its 504 cases.

A proxy in front of Synapse answers 504 to a message send *after* Synapse made the
message, as a reverse proxy whose upstream was slow does. The same transaction id on
every attempt, and the dispatcher's look before it sends again, leave one copy.
"""

from __future__ import annotations

import itertools
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from houseboat.connectors.base import Connector
from houseboat.connectors.models import Channel
from houseboat.core.constants import Role
from houseboat.core.models import Membership
from houseboat.publishing import dispatch, services
from houseboat.publishing.constants import DeliveryState
from houseboat.publishing.models import Delivery
from tests.conftest import member
from tests.publishing.conftest import come_back
from tests.realservers.test_matrix_synapse import Room

pytestmark = pytest.mark.realserver("synapse")


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch):
    """The wrapper's waits between attempts need not really pass here."""
    monkeypatch.setattr(Connector, "sleep", staticmethod(lambda seconds: None))


class SlowGateway(ThreadingHTTPServer):
    """Forward to Synapse; answer 504 to the first ``timeouts`` message sends once made."""

    daemon_threads = True

    def __init__(self, upstream: str, timeouts: int):
        super().__init__(("127.0.0.1", 0), GatewayHandler)
        self.upstream, self.left, self.sends = upstream, timeouts, 0
        self.lock = threading.Lock()
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def close(self) -> None:
        self.shutdown()
        self.server_close()


class GatewayHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: SlowGateway

    def log_message(self, *args) -> None:
        pass

    def forward(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {
            k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")
        }
        answer = httpx.request(
            self.command,
            self.server.upstream + self.path,
            headers=headers,
            content=body,
            timeout=60,
        )
        late = False
        if self.command == "PUT" and "/send/m.room.message/" in self.path:
            with self.server.lock:
                self.server.sends += 1
                if self.server.left != 0:
                    self.server.left -= 1
                    late = True
        data = b"<h1>504 Gateway Time-out</h1>" if late else answer.content
        self.send_response(504 if late else answer.status_code)
        self.send_header("Content-Type", "text/html" if late else answer.headers["content-type"])
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = forward


def matrix_channel(team, room: Room, base_url: str) -> Channel:
    return Channel.objects.create(
        team=team,
        network="matrix",
        name="Matrix — campaign room",
        config={"homeserver_url": base_url, "room": room.alias, "allow_private_network": True},
        secrets={"access_token": room.desk["access_token"]},
    )


def schedule(team, campaign, channel: Channel, text: str, parts: list[str] | None = None):
    editor = Membership.objects.filter(team=team, role=Role.EDITOR).first()
    if editor is None:
        member(team, "bob", Role.EDITOR)
        editor = Membership.objects.get(team=team, role=Role.EDITOR)
    post = services.create_post(
        membership=editor, campaign=campaign, text=text, channels=[channel], own_site=False
    )
    if parts:
        post.variants.update(parts=parts)
    return services.schedule(editor, post)


def rounds(count: int = 6) -> None:
    for _ in range(count):
        dispatch.dispatch("worker-1")
        come_back()


def test_a_scheduled_thread_arrives_in_the_room_as_replies_in_order(synapse, team_a, campaign_a):
    room = Room(synapse)
    channel = matrix_channel(team_a, room, synapse.base_url)
    parts = ["1/3 The trial opens today.", "2/3 Come at nine.", "3/3 Bring water."]
    schedule(team_a, campaign_a, channel, parts[0], parts=parts)

    rounds(3)

    messages = room.messages()
    assert [m["content"]["body"] for m in messages] == parts
    deliveries = list(Delivery.objects.order_by("part"))
    assert [d.state for d in deliveries] == [DeliveryState.SENT] * 3
    assert [d.remote_id for d in deliveries] == [m["event_id"] for m in messages]
    for before, reply in itertools.pairwise(messages):
        assert reply["content"]["m.relates_to"] == {
            "m.in_reply_to": {"event_id": before["event_id"]}
        }


@pytest.mark.parametrize("timeouts", [1, -1], ids=["one-504", "persistent-504"])
def test_a_gateway_answering_504_after_synapse_made_the_message_leaves_one_copy(
    synapse, team_a, campaign_a, timeouts
):
    room = Room(synapse)
    gateway = SlowGateway(synapse.base_url, timeouts)
    try:
        channel = matrix_channel(team_a, room, gateway.base_url)
        for n in range(3):
            schedule(team_a, campaign_a, channel, f"Free the Ten, day {n}")
        rounds()
    finally:
        gateway.close()

    bodies = sorted(m["content"]["body"] for m in room.messages())
    assert bodies == [f"Free the Ten, day {n}" for n in range(3)]
    ids = {m["event_id"] for m in room.messages()}
    for delivery in Delivery.objects.all():
        assert delivery.state == DeliveryState.SENT and delivery.remote_id in ids
    # Every send that met a 504 went again under its transaction id (the HTTP wrapper
    # tries a PUT three times), and Synapse answered each repeat with the message it had
    # made; after the third 504 the dispatcher looked, found the post, and sent nothing.
    assert gateway.sends == (3 + 1 if timeouts == 1 else 3 * 3)
    assert [d.attempts for d in Delivery.objects.all()] == [1, 1, 1]
