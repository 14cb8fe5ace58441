"""The Mastodon reader against a real fediverse server: snac2 (the real-server tier).

snac2's ids are not Mastodon's numbers (a time, then a hash) and its tag timeline sends
no Link header, so this is where the reader's paging must hold without either. Each
test starts its own snac2 in a throwaway folder (tests/publishing/snac.py) and stops it
by its PID; without snac2 the tier is left out with a note (tests/conftest.py).
"""

from __future__ import annotations

import httpx
import pytest

from houseboat.connectors.base import Source
from houseboat.connectors.mastodon import connector as mastodon_module
from houseboat.connectors.mastodon.connector import MastodonConnector
from tests.publishing.snac import SnacServer

pytestmark = pytest.mark.realserver


@pytest.fixture
def snac(tmp_path):
    server = SnacServer(tmp_path).start()
    yield server
    server.stop()


def post(snac: SnacServer, text: str) -> str:
    answer = httpx.post(
        f"{snac.base_url}/api/v1/statuses",
        headers={"Authorization": f"Bearer {snac.token}"},
        data={"status": text},
        timeout=60,
    )
    answer.raise_for_status()
    return answer.json()["id"]


def reader(snac: SnacServer) -> MastodonConnector:
    return MastodonConnector(
        config={"base_url": snac.base_url, "allow_private_network": True},
        secrets={"access_token": snac.token},
    )


def test_a_hashtag_burst_on_snac2_is_read_across_polls_with_nothing_skipped(snac, monkeypatch):
    # One page a read, so that 45 posts (quick to make) are a burst longer than a read.
    monkeypatch.setattr(mastodon_module, "MAX_PAGES", 1)
    connector = reader(snac)
    before = [post(snac, f"before {n} #vigil") for n in range(2)]
    first = connector.read(Source("hashtag", "vigil"), None)
    assert {item.remote_id for item in first.items} == set(before)

    burst = [post(snac, f"burst {n} #vigil") for n in range(45)]
    seen: list[str] = []
    cursor, polls, more = first.cursor, 0, True
    while more:
        polls += 1
        assert polls < 6, "the burst never ended"
        page = connector.read(Source("hashtag", "vigil"), cursor)
        seen += [item.remote_id for item in page.items]
        cursor = page.cursor or cursor
        more = page.more

    assert polls == 2, "a full page of 40, then the last 5"
    assert set(seen) == set(burst), "every post of the burst, none from before"
    assert len(seen) == len(set(seen)), "none twice"
    texts = {item.text for item in page.items}
    assert all(text.startswith("burst ") for text in texts)
    again = connector.read(Source("hashtag", "vigil"), cursor)
    assert again.items == [] and again.cursor is None and again.more is False
