"""A Bluesky hashtag column against the real PDS and AppView, set up and read with the
installed `houseboat` command only: each post made on the network after the column was
added lands in the column exactly once, across worker restarts.

The PDS and AppView are the session's (tests/realservers/bluesky_pds.py); houseboat runs
as its installed script in a fresh data folder, as in tests/listening/test_columns_snac2.py.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.listening.test_columns_snac2 import PASSWORD, Houseboat
from tests.realservers.bluesky_pds import BlueskyAccount, BlueskyServers

pytestmark = [pytest.mark.realserver("bluesky"), pytest.mark.backend("sqlite")]


def post_on(servers: BlueskyServers, account: BlueskyAccount, text: str, tag: str) -> str:
    """Post as the Bluesky app does, the hashtag as a tag facet; wait until the AppView has it."""
    start = text.encode().index(f"#{tag}".encode())
    facet = {
        "index": {"byteStart": start, "byteEnd": start + len(f"#{tag}".encode())},
        "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": tag}],
    }
    made = servers.xrpc(
        "POST",
        "com.atproto.repo.createRecord",
        account,
        json={
            "repo": account.did,
            "collection": "app.bsky.feed.post",
            "record": {
                "$type": "app.bsky.feed.post",
                "text": text,
                "facets": [facet],
                "createdAt": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
            },
        },
    )
    servers.wait_for_appview(made["uri"])
    return made["uri"]


def test_a_bluesky_hashtag_column_picks_up_new_posts_once_across_worker_restarts(
    bluesky_network, tmp_path
):
    reader = bluesky_network.create_account("reader")
    marcher = bluesky_network.create_account("marcher")  # someone else using the hashtag
    hb = Houseboat(tmp_path)
    (tmp_path / "pw").write_text(PASSWORD + "\n")
    app_password = bluesky_network.create_app_password(reader)
    (tmp_path / "secrets").write_text(f"app_password={app_password}\n")
    hb("migrate", "-v0")
    hb("createuser", "alice", "--password-file", "pw")
    hb("team", "create", "Harbour Watch", "--owner", "alice")
    hb("campaign", "create", "--team", "harbour-watch", "--name", "Open the Files")
    hb("channel", "add", "--team", "harbour-watch", "--network", "bluesky", "--name", "bsky",
       "--set", f"handle={reader.handle}", "--set", f"service_url={bluesky_network.pds_url}",
       "--allow-private-network", "--secrets-file", "secrets")  # fmt: skip
    post_on(bluesky_network, marcher, "Before the column: #vigil", "vigil")
    added = hb("column", "add", "--campaign", "open-the-files", "--channel", "bsky",
               "--kind", "hashtag", "--query", "#vigil", "--every", "30")  # fmt: skip
    column = int(added.split()[2])

    first = post_on(bluesky_network, marcher, "Vigil at the court steps, 6pm #vigil", "vigil")
    hb("worker", "--once")
    hb("worker", "--once")  # a restarted worker: reads from the stored cursor
    second = post_on(bluesky_network, marcher, "Hearing moved to Friday #vigil", "vigil")
    # Due at once, as if its interval had passed (the command line has no clock to move).
    hb.sql(
        "UPDATE listening_column SET next_poll_at = '2000-01-01 00:00:00' WHERE id = ?", (column,)
    )
    hb("worker", "--once")
    hb("worker", "--once")

    linked = dict(
        hb.sql(
            "SELECT i.remote_id, count(*) FROM listening_columnitem c "
            "JOIN listening_item i ON i.id = c.item_id "
            "WHERE c.column_id = ? GROUP BY i.remote_id",
            (column,),
        )
    )
    assert linked.get(first) == 1 and linked.get(second) == 1, linked
    for uri in (first, second):
        assert hb.sql("SELECT count(*) FROM listening_item WHERE remote_id = ?", (uri,)) == [(1,)]
    listed = hb("column", "list", "--campaign", "open-the-files")
    assert "#vigil · bsky" in listed and "\treading" in listed
