"""A hashtag column against a real fediverse server (snac2, Mastodon client API), set up and
read with the installed `houseboat` command only: each post made on the server after the
column was added lands in the column exactly once, across worker restarts.

The real-server tier (``-m realserver``); the snac2 fixture is tests/publishing/test_snac2.py's.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.publishing.snac import SnacServer
from tests.publishing.test_snac2 import snac  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.realserver, pytest.mark.backend("sqlite")]

PASSWORD = "a long enough passphrase here"


class Houseboat:
    """The installed `houseboat` script in its own data folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.env = {
            k: v
            for k, v in os.environ.items()
            if k not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "HOUSEBOAT_DATA_DIR"}
        }
        self.env["HOUSEBOAT_DATA_DIR"] = str(folder / "data")

    def __call__(self, *args: str) -> str:
        script = Path(sys.executable).parent / "houseboat"
        done = subprocess.run(
            [str(script), *args],
            env=self.env,
            cwd=self.folder,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, f"houseboat {' '.join(args)}:\n{done.stderr}"
        assert "Traceback" not in done.stderr
        return done.stdout

    def sql(self, query: str, params: tuple = ()) -> list[tuple]:
        import sqlite3

        with sqlite3.connect(self.folder / "data" / "houseboat.sqlite3") as db:
            return db.execute(query, params).fetchall()


def post_on(server: SnacServer, text: str) -> str:
    answer = httpx.post(
        f"{server.base_url}/api/v1/statuses",
        headers={"Authorization": f"Bearer {server.token}"},
        data={"status": text},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["id"]


def test_a_hashtag_column_picks_up_new_posts_once_across_worker_restarts(snac, tmp_path):  # noqa: F811
    hb = Houseboat(tmp_path)
    (tmp_path / "pw").write_text(PASSWORD + "\n")
    (tmp_path / "secrets").write_text(f"access_token={snac.token}\n")
    hb("migrate", "-v0")
    hb("createuser", "alice", "--password-file", "pw")
    hb("team", "create", "Harbour Watch", "--owner", "alice")
    hb("campaign", "create", "--team", "harbour-watch", "--name", "Open the Files")
    hb("channel", "add", "--team", "harbour-watch", "--network", "mastodon", "--name", "snac2",
       "--set", f"base_url={snac.base_url}", "--allow-private-network",
       "--secrets-file", "secrets")  # fmt: skip
    post_on(snac, "Before the column: #vigil")  # the first read takes what is there now
    added = hb("column", "add", "--campaign", "open-the-files", "--channel", "snac2",
               "--kind", "hashtag", "--query", "#vigil", "--every", "30")  # fmt: skip
    column = int(added.split()[2])

    first = post_on(snac, "Vigil at the court steps, 6pm #vigil")
    hb("worker", "--once")
    hb("worker", "--once")  # a restarted worker: reads from the stored cursor
    second = post_on(snac, "Hearing moved to Friday #vigil")
    # Due at once, as if its interval had passed (the command line has no clock to move).
    hb.sql(
        "UPDATE listening_column SET next_poll_at = '2000-01-01 00:00:00' WHERE id = ?", (column,)
    )
    hb("worker", "--once")
    hb("worker", "--once")

    linked = hb.sql(
        "SELECT i.remote_id, count(*) FROM listening_columnitem c "
        "JOIN listening_item i ON i.id = c.item_id "
        "WHERE c.column_id = ? GROUP BY i.remote_id",
        (column,),
    )
    counts = dict(linked)
    assert counts[first] == 1 and counts[second] == 1
    for remote_id in (first, second):
        assert hb.sql("SELECT count(*) FROM listening_item WHERE remote_id = ?", (remote_id,)) == [
            (1,)
        ]
    listed = hb("column", "list", "--campaign", "open-the-files")
    assert "#vigil · snac2" in listed and "\treading" in listed
