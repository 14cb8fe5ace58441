"""The deletion watch: items a column brought in, later gone from the network, are marked
and kept, against a Mastodon server on a real socket answering GET /api/v1/statuses/:id
with the recorded 404 for a deleted post."""

from __future__ import annotations

import json
from collections.abc import Sequence
from urllib.parse import quote

import pytest

from houseboat.connectors import registry
from houseboat.connectors.base import Connector
from houseboat.connectors.mastodon.connector import MastodonConnector
from houseboat.connectors.models import Channel
from houseboat.listening import columns_watch, custody, polling
from houseboat.listening.models import Column, CustodyRecord, Item
from tests.listening.mastodon_server import mastodon, status

pytestmark = pytest.mark.django_db(transaction=True)


class WatchingMastodon(MastodonConnector):
    """Mastodon's ``gone()`` as the connectors' contract says (connectors/base.py, added by
    the readers' part): one GET /api/v1/statuses/:id each; a 404 is "deleted".

    Used only until the real connector's ``gone()`` is merged; it speaks to the test
    server through the real HTTP wrapper.
    """

    def gone(self, remote_ids: Sequence[str]) -> dict[str, str]:
        found = {}
        for remote_id in remote_ids:
            response = self._send("GET", f"/api/v1/statuses/{quote(remote_id, safe='')}")
            if response.status_code == 404:
                found[remote_id] = "deleted"
        return found


@pytest.fixture
def server(monkeypatch):
    monkeypatch.setattr(Connector, "sleep", staticmethod(lambda seconds: None))
    if not hasattr(MastodonConnector, "gone"):
        monkeypatch.setitem(
            registry.CONNECTORS,
            "mastodon",
            "tests.listening.test_columns_watch.WatchingMastodon",
        )
    with mastodon() as running:
        yield running


def tag_column(campaign, server) -> Column:
    channel = Channel.objects.create(
        team=campaign.team,
        network="mastodon",
        name="Mastodon main",
        config={"base_url": server.base_url, "allow_private_network": True},
        secrets={"access_token": "a-token-for-the-test-server"},
    )
    return Column.objects.create(campaign=campaign, channel=channel, kind="hashtag", query="cats")


def test_an_item_deleted_on_the_network_is_marked_gone_and_its_copy_kept(
    campaign_a, server, as_charlie
):
    server.post(1, 2, 3)
    column = tag_column(campaign_a, server)
    polling.poll_due("worker")
    deleted = status(2)["id"]
    server.deleted.add(deleted)

    assert columns_watch.watch_gone("worker") == 3
    asked = [path for path in server.seen if path.startswith("/api/v1/statuses/")]
    assert sorted(asked) == sorted(f"/api/v1/statuses/{status(n)['id']}" for n in (1, 2, 3))

    gone = Item.objects.get(remote_id=deleted)
    assert gone.gone_at is not None and gone.gone_reason == "deleted"
    assert gone.text == "Post number 2 #cats"  # the archived copy stays, untouched
    assert gone.raw_payload()["id"] == deleted
    assert Item.objects.filter(gone_at__isnull=False).count() == 1
    column.refresh_from_db()
    assert column.gone_seen == 1

    record = CustodyRecord.objects.order_by("-seq").first()
    statement = json.loads(record.statement)
    assert statement["action"] == "gone"
    assert statement["items"] == [
        {"remote_id": deleted, "reason": "deleted", "raw_sha256": gone.raw_sha256}
    ]
    assert custody.verify_chain() == []

    archive = as_charlie.get("/t/team-a/archive/").text
    assert "Gone from the platform (deleted)" in archive
    assert "Post number 2 #cats" in archive


def test_each_item_is_asked_about_once_until_its_recheck_is_due(campaign_a, server):
    server.post(1, 2)
    tag_column(campaign_a, server)
    polling.poll_due("worker")
    assert columns_watch.watch_gone("worker") == 2
    requests = len(server.seen)
    assert columns_watch.watch_gone("worker") == 0
    assert len(server.seen) == requests


def test_an_item_gone_is_marked_once_even_when_asked_about_again(campaign_a, server):
    server.post(1)
    column = tag_column(campaign_a, server)
    polling.poll_due("worker")
    server.deleted.add(status(1)["id"])
    columns_watch.watch_gone("worker")
    first = Item.objects.get().gone_at
    # The recheck is due again; a gone item is not asked about any more.
    column.column_items.update(checked_at=None)
    assert columns_watch.watch_gone("worker") == 0
    assert Item.objects.get().gone_at == first
    assert CustodyRecord.objects.filter(statement__contains='"action":"gone"').count() == 1
