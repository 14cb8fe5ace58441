"""What a Mastodon-API server really answers a wrong token, and what houseboat then says.

Real-server tier: runs against snac2 (tests/publishing/snac.py), left out with a note
where snac2 is not installed (tests/conftest.py).
"""

from __future__ import annotations

import pytest

from houseboat.connectors.base import AuthRevoked, ConnectorError, OutgoingPost
from houseboat.connectors.mastodon.connector import MastodonConnector
from tests.publishing.snac import SnacServer

pytestmark = pytest.mark.realserver


@pytest.fixture
def snac(tmp_path):
    server = SnacServer(tmp_path).start()
    yield server
    server.stop()


def connector(snac: SnacServer, token: str) -> MastodonConnector:
    return MastodonConnector(
        config={"base_url": snac.base_url, "allow_private_network": True},
        secrets={"access_token": token},
    )


def test_a_wrong_token_on_snac2_is_named_as_the_token_not_a_refused_request(snac):
    with pytest.raises(AuthRevoked) as caught:
        connector(snac, "not-a-token-this-server-made").check()
    assert "does not accept this token" in caught.value.message
    assert "reconnect the channel" in caught.value.message


def test_a_post_with_a_wrong_token_on_snac2_is_refused_and_names_the_token(snac):
    with pytest.raises(ConnectorError) as caught:
        connector(snac, "not-a-token-this-server-made").publish(
            OutgoingPost(text="Free the Ten!", idempotency_key="k-1")
        )
    assert "token" in caught.value.message
    assert caught.value.permanent
    assert connector(snac, snac.token).check().handle
