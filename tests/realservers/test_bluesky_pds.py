"""Bluesky against the official PDS and the dev network's AppView, started by the tests.

Publishing (facets at byte offsets, threads, pictures), reading back, and the check that
proves the stored app password. See tests/realservers/bluesky_pds.py for the servers.
"""

from __future__ import annotations

import pytest
from PIL import Image

from houseboat.connectors.base import AuthRevoked, MediaFile, OutgoingPost, Source
from houseboat.connectors.constants import ChannelStatus
from houseboat.connectors.models import Channel
from houseboat.connectors.services import check_channel
from houseboat.publishing import dispatch
from houseboat.publishing.constants import DeliveryState, PostStatus
from houseboat.publishing.models import Delivery

pytestmark = pytest.mark.realserver("bluesky")

ARABIC = "الحرية للصحفيين العشرة #حرية_الصحافة ✊🏽 https://example.org/free-the-ten #FreeTheTen"


def facet_texts(record: dict) -> dict[str, str]:
    """What each facet of a record covers, read at its UTF-8 byte offsets."""
    data = record["text"].encode("utf-8")
    found = {}
    for facet in record.get("facets", []):
        feature = facet["features"][0]
        value = feature.get("tag") or feature.get("uri") or feature.get("did")
        found[value] = data[facet["index"]["byteStart"] : facet["index"]["byteEnd"]].decode()
    return found


def test_a_post_with_an_arabic_hashtag_a_link_and_an_emoji_arrives_once_with_its_facets_right(
    bluesky_pds, team_a, publish
):
    account = bluesky_pds.create_account()
    channel = bluesky_pds.channel(team_a, account, bluesky_pds.create_app_password(account))
    post = publish(ARABIC, channel)

    dispatch.dispatch("worker-1")

    [record] = bluesky_pds.records(account)
    assert record["value"]["text"] == ARABIC
    assert facet_texts(record["value"]) == {
        "حرية_الصحافة": "#حرية_الصحافة",
        "https://example.org/free-the-ten": "https://example.org/free-the-ten",
        "FreeTheTen": "#FreeTheTen",
    }
    delivery = Delivery.objects.get(variant__channel=channel)
    assert delivery.state == DeliveryState.SENT and delivery.remote_id == record["uri"]
    post.refresh_from_db()
    assert post.status == PostStatus.SENT


def test_a_mention_of_another_account_on_the_server_links_to_its_did(bluesky_pds, team_a):
    account = bluesky_pds.create_account()
    friend = bluesky_pds.create_account("friend")
    channel = bluesky_pds.channel(team_a, account, bluesky_pds.create_app_password(account))
    text = f"Thank you @{friend.handle} for standing with the ten."

    channel.connector().publish(OutgoingPost(text=text, idempotency_key="thanks"))

    [record] = bluesky_pds.records(account)
    assert facet_texts(record["value"]) == {friend.did: f"@{friend.handle}"}


def test_a_thread_arrives_in_order_each_part_replying_to_the_one_before(
    bluesky_pds, team_a, publish
):
    account = bluesky_pds.create_account()
    channel = bluesky_pds.channel(team_a, account, bluesky_pds.create_app_password(account))
    parts = ["1/3 The ten were arrested a year ago.", "2/3 None has seen a judge.", "3/3 Write."]
    publish(parts[0], channel, parts=parts)

    for _ in parts:  # a part waits for the one before it
        dispatch.dispatch("worker-1")

    records = {record["value"]["text"]: record for record in bluesky_pds.records(account)}
    assert sorted(records) == sorted(parts)
    first, second, third = (records[text] for text in parts)
    assert "reply" not in first["value"]
    root = {"uri": first["uri"], "cid": first["cid"]}
    assert second["value"]["reply"] == {"root": root, "parent": root}
    assert third["value"]["reply"] == {
        "root": root,
        "parent": {"uri": second["uri"], "cid": second["cid"]},
    }
    assert (
        list(
            Delivery.objects.filter(variant__channel=channel).order_by("part").values_list("state")
        )
        == [(DeliveryState.SENT,)] * 3
    )


def test_a_picture_arrives_as_a_blob_with_its_description_and_size(bluesky_pds, team_a, tmp_path):
    account = bluesky_pds.create_account()
    channel = bluesky_pds.channel(team_a, account, bluesky_pds.create_app_password(account))
    picture = tmp_path / "vigil.png"
    Image.new("RGB", (120, 80), (200, 30, 30)).save(picture)
    alt = "Twelve people hold candles outside the courthouse at night."

    published = channel.connector().publish(
        OutgoingPost(
            text="The vigil tonight.",
            idempotency_key="vigil-picture",
            media=[MediaFile(picture, "image/png", alt)],
        )
    )

    [record] = bluesky_pds.records(account)
    assert record["uri"] == published.remote_id
    [image] = record["value"]["embed"]["images"]
    assert image["alt"] == alt
    assert image["aspectRatio"] == {"width": 120, "height": 80}
    assert image["image"]["mimeType"] == "image/png"
    assert image["image"]["size"] == picture.stat().st_size


# --- check: the stored app password itself -----------------------------------------


def test_check_on_a_pds_without_an_appview_passes_by_asking_the_pds_itself(bluesky_pds, team_a):
    account = bluesky_pds.create_account()
    channel = bluesky_pds.channel(team_a, account, bluesky_pds.create_app_password(account))

    checked = check_channel(channel)

    assert checked.remote_id == account.did
    assert checked.handle == f"@{account.handle}"
    channel.refresh_from_db()
    assert channel.status == ChannelStatus.OK


@pytest.mark.parametrize("servers", ["bluesky_pds", "bluesky_network"])
def test_a_revoked_app_password_fails_the_check_and_the_queued_post_does_not_go_out(
    servers, request, team_a, publish
):
    servers = request.getfixturevalue(servers)
    account = servers.create_account()
    channel = servers.channel(team_a, account, servers.create_app_password(account))
    publish("Before the revoking.", channel)
    dispatch.dispatch("worker-1")  # the channel now holds a session of the app password
    servers.revoke_app_password(account)
    publish("After the revoking: this must not go out.", channel)
    # A worker that built its connector before the check, with the session in memory.
    early = dispatch.Connectors().for_channel(Channel.objects.get(pk=channel.pk))

    channel.refresh_from_db()  # as the Channels page loads it: with the kept session
    assert channel.secrets["access_jwt"]
    with pytest.raises(AuthRevoked) as caught:
        check_channel(channel)
    dispatch.dispatch("worker-1")
    with pytest.raises(AuthRevoked):
        early.publish(OutgoingPost("Nor this one.", idempotency_key="early-worker"))

    assert "revoked" in str(caught.value)
    assert [record["value"]["text"] for record in servers.records(account)] == [
        "Before the revoking."
    ]
    channel.refresh_from_db()
    assert channel.status == ChannelStatus.NEEDS_RECONNECT
    after = Delivery.objects.get(text__startswith="After the revoking")
    assert after.state == DeliveryState.FAILED
    assert "app password" in after.last_error


# --- with the AppView ------------------------------------------------------------------


def test_check_with_an_appview_reads_the_profile_after_proving_the_app_password(
    bluesky_network, team_a
):
    account = bluesky_network.create_account()
    bluesky_network.xrpc(
        "POST",
        "com.atproto.repo.putRecord",
        account,
        json={
            "repo": account.did,
            "collection": "app.bsky.actor.profile",
            "rkey": "self",
            "record": {"$type": "app.bsky.actor.profile", "displayName": "Free the Ten"},
        },
    )
    channel = bluesky_network.channel(team_a, account, bluesky_network.create_app_password(account))
    bluesky_network.wait_for_profile(account.did, "Free the Ten")

    checked = check_channel(channel)

    assert checked.display_name == "Free the Ten"
    assert checked.handle == f"@{account.handle}"


def test_the_accounts_posts_and_a_hashtag_are_read_back_through_the_appview(
    bluesky_network, team_a, publish
):
    account = bluesky_network.create_account()
    channel = bluesky_network.channel(team_a, account, bluesky_network.create_app_password(account))
    publish(ARABIC, channel)
    publish("Another day without a trial. #FreeTheTen", channel)
    dispatch.dispatch("worker-1")
    uris = list(Delivery.objects.filter(variant__channel=channel).values_list("remote_id"))
    for (uri,) in uris:
        bluesky_network.wait_for_appview(uri)
    connector = channel.connector()

    own = connector.recent_posts(limit=10)
    page = connector.read(Source("hashtag", "حرية_الصحافة"), None)

    assert sorted(item.text for item in own) == sorted(
        [ARABIC, "Another day without a trial. #FreeTheTen"]
    )
    assert [item.text for item in page.items] == [ARABIC]
    assert page.items[0].hashtags and "حرية_الصحافة" in page.items[0].hashtags
    assert page.items[0].author.handle.lstrip("@") == account.handle
    assert page.cursor
