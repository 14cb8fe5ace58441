"""The Matrix connector against a real Synapse (tests/realservers/synapse.py).

Each test registers its own users and makes its own room on the session's Synapse,
so the tests do not see each other's messages.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from PIL import Image

from houseboat.connectors.base import (
    AuthRevoked,
    MediaFile,
    OutgoingPost,
    PermissionMissing,
    Source,
)
from houseboat.connectors.matrix.connector import PAGE_SIZE, MatrixConnector
from tests.realservers.synapse import SERVER_NAME, SynapseServer

pytestmark = pytest.mark.realserver("synapse")

_numbers = itertools.count(1)


class Room:
    """A room made by a person's Matrix app, with the desk account invited and joined."""

    def __init__(self, synapse: SynapseServer):
        n = next(_numbers)
        self.synapse = synapse
        self.desk_password = f"desk-password-{n}"
        self.desk = synapse.register(f"desk{n}", self.desk_password)
        self.person = synapse.register(f"organiser{n}", f"organiser-password-{n}")
        self.app = synapse.client(self.person["access_token"])
        made = self.app.post(
            "/createRoom",
            json={"room_alias_name": f"campaign{n}", "preset": "public_chat",
                  "invite": [self.desk["user_id"]]},
        )  # fmt: skip
        made.raise_for_status()
        self.room_id = made.json()["room_id"]
        self.alias = f"#campaign{n}:{SERVER_NAME}"
        desk_app = synapse.client(self.desk["access_token"])
        desk_app.post(f"/join/{quote(self.room_id, safe='')}", json={}).raise_for_status()

    def connector(self, **secrets: Any) -> MatrixConnector:
        return MatrixConnector(
            config={
                "homeserver_url": self.synapse.base_url,
                "room": self.alias,
                "user_id": self.desk["user_id"],
                "allow_private_network": True,
            },
            secrets=secrets or {"access_token": self.desk["access_token"]},
        )

    def say(self, text: str) -> str:
        """Post a message as the organiser, from their own Matrix app."""
        txn = f"person-{next(_numbers)}"
        sent = self.app.put(
            f"/rooms/{quote(self.room_id, safe='')}/send/m.room.message/{txn}",
            json={"msgtype": "m.text", "body": text},
        )
        sent.raise_for_status()
        return sent.json()["event_id"]

    def event(self, event_id: str) -> dict[str, Any]:
        found = self.app.get(
            f"/rooms/{quote(self.room_id, safe='')}/event/{quote(event_id, safe='')}"
        )
        found.raise_for_status()
        return found.json()

    def messages(self) -> list[dict[str, Any]]:
        """Every message in the room, oldest first, as any member sees them."""
        found = self.app.get(
            f"/rooms/{quote(self.room_id, safe='')}/messages",
            params={
                "dir": "f",
                "limit": "1000",
                "filter": json.dumps({"types": ["m.room.message"]}),
            },
        )
        found.raise_for_status()
        return found.json()["chunk"]


@pytest.fixture
def room(synapse) -> Room:
    return Room(synapse)


def post(text: str, key: str = "delivery-1", **kwargs: Any) -> OutgoingPost:
    return OutgoingPost(text=text, idempotency_key=key, **kwargs)


def test_a_password_login_checks_the_room_and_keeps_only_the_token(room):
    connector = room.connector(password=room.desk_password)

    account = connector.check()

    assert account.handle == room.desk["user_id"]
    assert set(account.permissions) == {"read", "publish", "delete"}
    assert f"Posts to {room.alias} ({room.room_id})." in account.notes
    assert connector.secrets["password"] == ""
    assert connector.secrets["access_token"].startswith("syt_")
    assert connector.secrets["device_id"]
    assert account.limits == {"media": {"max_bytes": 50 * 1024 * 1024}}


def test_a_post_arrives_in_the_room_with_its_formatting_and_nothing_injected(room):
    text = (
        "Free the Riverside Ten! <b>not bold</b> & more: https://example.org/ten.\n"
        f"Thanks {room.person['user_id']} — الحرية"
    )

    published = room.connector().publish(post(text))

    content = room.event(published.remote_id)["content"]
    assert content["body"] == text
    assert content["format"] == "org.matrix.custom.html"
    assert content["formatted_body"] == (
        "Free the Riverside Ten! &lt;b&gt;not bold&lt;/b&gt; &amp; more: "
        '<a href="https://example.org/ten">https://example.org/ten</a>.<br/>'
        f'Thanks <a href="https://matrix.to/#/{room.person["user_id"]}">'
        f"{room.person['user_id']}</a> — الحرية"
    )
    assert content["m.mentions"] == {"user_ids": [room.person["user_id"]]}
    assert published.url == f"https://matrix.to/#/{room.room_id}/{published.remote_id}"


def test_a_thread_arrives_as_replies_each_under_the_part_before(room):
    connector = room.connector()
    first = connector.publish(post("1/3 The trial opens today.", "thread-0"))
    second = connector.publish(
        post("2/3 Come at nine.", "thread-1", reply_to=first, thread_root=first)
    )
    third = connector.publish(
        post("3/3 Bring water.", "thread-2", reply_to=second, thread_root=first)
    )

    texts = [m["content"]["body"] for m in room.messages()]
    assert texts == ["1/3 The trial opens today.", "2/3 Come at nine.", "3/3 Bring water."]
    assert "m.relates_to" not in room.event(first.remote_id)["content"]
    assert room.event(second.remote_id)["content"]["m.relates_to"] == {
        "m.in_reply_to": {"event_id": first.remote_id}
    }
    assert room.event(third.remote_id)["content"]["m.relates_to"] == {
        "m.in_reply_to": {"event_id": second.remote_id}
    }


def picture(tmp_path: Path, alt: str) -> MediaFile:
    path = tmp_path / "vigil.png"
    Image.new("RGB", (64, 48), (200, 30, 30)).save(path)
    return MediaFile(path=path, mime_type="image/png", alt=alt)


def test_a_picture_arrives_after_the_text_with_its_alt_text(room, tmp_path):
    image = picture(tmp_path, "Forty people hold candles outside the courthouse.")

    published = room.connector().publish(post("The vigil tonight.", media=[image]))

    text_id, image_id = published.extra["event_ids"]
    assert published.remote_id == text_id
    content = room.event(image_id)["content"]
    assert content["msgtype"] == "m.image"
    assert content["body"] == "Forty people hold candles outside the courthouse."
    assert "filename" not in content  # else clients show the alt text as a caption
    assert content["info"] == {"mimetype": "image/png", "size": image.size, "w": 64, "h": 48}
    server, media_id = content["url"].removeprefix("mxc://").split("/")
    download = room.synapse.client(room.person["access_token"]).get(
        f"{room.synapse.base_url}/_matrix/client/v1/media/download/{server}/{media_id}"
    )
    assert download.content == image.path.read_bytes()
    assert [m["content"]["body"] for m in room.messages()] == [
        "The vigil tonight.",
        "Forty people hold candles outside the courthouse.",
    ]


def test_sending_the_same_post_again_returns_the_same_messages_and_no_copy(room, tmp_path):
    image = picture(tmp_path, "A banner on the bridge.")
    first = room.connector().publish(post("Day 12 of the vigil.", "delivery-12", media=[image]))

    # A resend after a lost answer: a new connector (a new worker) under the same token.
    again = room.connector().publish(post("Day 12 of the vigil.", "delivery-12", media=[image]))
    other = room.connector().publish(post("Day 12 of the vigil.", "delivery-13"))

    assert again.extra["event_ids"] == first.extra["event_ids"]
    assert other.remote_id not in first.extra["event_ids"]
    bodies = [m["content"]["body"] for m in room.messages()]
    assert bodies == ["Day 12 of the vigil.", "A banner on the bridge.", "Day 12 of the vigil."]


def test_a_resend_after_signing_in_again_on_the_same_device_makes_no_copy(room):
    connector = room.connector(password=room.desk_password)
    first = connector.publish(post("Hearing moved to Monday.", "delivery-7"))
    device = connector.secrets["device_id"]

    # The person reconnects with the password; houseboat asks for the same device.
    again = room.connector(password=room.desk_password, device_id=device)
    resent = again.publish(post("Hearing moved to Monday.", "delivery-7"))

    assert again.secrets["access_token"] != connector.secrets["access_token"]
    assert again.secrets["device_id"] == device
    assert resent.remote_id == first.remote_id
    assert [m["content"]["body"] for m in room.messages()] == ["Hearing moved to Monday."]


def test_a_room_read_picks_up_every_message_once_across_cursors(room):
    connector = room.connector()
    room.say("before houseboat")
    source = Source("room", "")

    start = connector.read(source, None)
    assert [item.text for item in start.items] == ["before houseboat"]
    room.say("one")
    ours = connector.publish(post("two, from the desk"))
    room.say("three")
    later = connector.read(source, start.cursor)
    nothing = connector.read(source, later.cursor)

    assert [item.text for item in later.items] == ["one", "two, from the desk", "three"]
    assert later.items[1].remote_id == ours.remote_id
    assert later.items[0].author.handle == room.person["user_id"]
    assert nothing.items == [] and nothing.cursor == later.cursor
    assert getattr(later, "more", False) is False


def test_a_burst_larger_than_a_page_is_read_over_several_reads_without_a_gap(room):
    connector = room.connector()
    source = Source("room", room.room_id)
    cursor = connector.read(source, None).cursor
    burst = [f"message {n}" for n in range(PAGE_SIZE + 7)]
    for text in burst:
        room.say(text)

    read, mores = [], []
    for _ in range(5):
        page = connector.read(source, cursor)
        read += [item.text for item in page.items]
        mores.append(getattr(page, "more", None))
        cursor = page.cursor
        if not page.items:
            break

    assert read == burst
    if mores[0] is not None:  # ReadPage.more, where the readers' part has landed
        assert mores[:2] == [True, False]


def test_recent_posts_finds_the_desks_own_messages_only(room):
    connector = room.connector()
    ours = connector.publish(post("Our statement."))
    room.say("Someone else's words.")

    recent = connector.recent_posts()

    assert [(item.remote_id, item.text) for item in recent] == [(ours.remote_id, "Our statement.")]


def test_delete_removes_the_text_and_the_pictures_of_a_post(room, tmp_path):
    connector = room.connector()
    published = connector.publish(post("Take this down.", media=[picture(tmp_path, "A face.")]))

    connector.delete(published)
    connector.delete(published)  # a second takedown finds them gone: no error

    for event_id in published.extra["event_ids"]:
        event = room.event(event_id)
        assert event["content"] == {}
        assert event["unsigned"]["redacted_because"]["sender"] == room.desk["user_id"]
    assert connector.read(Source("room"), None).items == []
    kept = room.say("Still here.")
    assert connector.gone([*published.extra["event_ids"], kept]) == dict.fromkeys(
        published.extra["event_ids"], "deleted"
    )


def test_a_logged_out_token_asks_for_reconnecting(room):
    connector = room.connector()
    room.synapse.client(room.desk["access_token"]).post("/logout", json={}).raise_for_status()

    with pytest.raises(AuthRevoked, match="Reconnect the channel"):
        connector.check()


def test_posting_in_a_room_the_account_left_says_the_account_may_not_post(room):
    desk_app = room.synapse.client(room.desk["access_token"])
    desk_app.post(f"/rooms/{quote(room.room_id, safe='')}/leave", json={}).raise_for_status()
    connector = room.connector()

    account = connector.check()
    with pytest.raises(PermissionMissing, match="may not post"):
        connector.publish(post("Hello?"))

    assert account.permissions == []
    assert any("is not in the room" in note for note in account.notes)
