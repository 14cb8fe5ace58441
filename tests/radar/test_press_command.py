"""`houseboat press` as a person runs it: the installed script, in a subprocess, in a fresh
data folder, reading a feed served on this machine."""

from __future__ import annotations

import http.server
import os
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.radar.conftest import FIXTURES

TEAM = "harbour-watch"


def script() -> list[str]:
    installed = Path(sys.executable).parent / "houseboat"
    return [str(installed)] if installed.exists() else [sys.executable, "-m", "houseboat"]


def houseboat(data: Path, *args: str) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"HOUSEBOAT_DATA_DIR", "DJANGO_SETTINGS_MODULE", "DATABASE_URL"}
    }
    env["HOUSEBOAT_DATA_DIR"] = str(data)
    return subprocess.run([*script(), *args], capture_output=True, text=True, env=env, timeout=120)


def ok(data: Path, *args: str) -> str:
    result = houseboat(data, *args)
    assert result.returncode == 0, f"houseboat {' '.join(args)}:\n{result.stderr}"
    assert "Traceback" not in result.stderr
    return result.stdout


@pytest.fixture
def feed() -> Iterator[dict]:
    """A feed on this machine: answers with the gazette, or with ``status`` when set."""
    state = {"status": 200, "etags_seen": []}

    class Feed(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            state["etags_seen"].append(self.headers.get("If-None-Match"))
            if state["status"] != 200:
                self.send_response(state["status"])
                self.end_headers()
                return
            if self.headers.get("If-None-Match") == '"v1"':
                self.send_response(304)
                self.end_headers()
                return
            body = (FIXTURES / "gazette.xml").read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("ETag", '"v1"')
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Feed)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    state["url"] = f"http://127.0.0.1:{server.server_address[1]}/feed.xml"
    yield state
    server.shutdown()


def test_press_sources_are_added_listed_fetched_paused_and_resumed(tmp_path, feed):
    data = tmp_path / "data"
    ok(data, "migrate", "-v0")
    ok(data, "team", "create", "Harbour Watch")

    added = ok(
        data,
        "press", "add", "--team", TEAM, "--name", "The Capital Gazette", "--feed", feed["url"],
        "--collection", "State media", "--country", "xx", "--language", "EN", "--kind", "state",
        "--allow-private-network",
    )  # fmt: skip
    assert "Added press source 1: The Capital Gazette in State media" in added
    refused = houseboat(
        data, "press", "add", "--team", TEAM, "--name", "Bad", "--feed", "x", "--country", "F1"
    )
    assert refused.returncode != 0
    assert "feed_url" in refused.stderr and "two-letter country code" in refused.stderr

    fetched = ok(data, "press", "fetch", "--team", TEAM)
    assert "The Capital Gazette: 2 new stories, 0 edited" in fetched
    again = ok(data, "press", "fetch", "--team", TEAM, "--source", "1")
    assert "not modified since the last fetch" in again
    assert feed["etags_seen"] == [None, '"v1"']

    listed = ok(data, "press", "list", "--team", TEAM)
    assert listed.splitlines()[0] == "State media"
    assert (
        "\tactive\t" in listed and "\t0 failures\t2 stories\t0 edited after publication\t" in listed
    )

    feed["status"] = 404
    gone = houseboat(data, "press", "fetch", "--team", TEAM, "--source", "1")
    assert gone.returncode == 1
    assert "The feed answered 404 Not Found: check its address" in gone.stdout
    listed = ok(data, "press", "list", "--team", TEAM)
    assert "\tpaused\t" in listed
    assert "paused: The feed answered 404 Not Found" in listed

    resumed = ok(data, "press", "resume", "1")
    assert "Resumed press source 1" in resumed
    with sqlite3.connect(data / "houseboat.sqlite3") as db:
        state, failures = db.execute("SELECT state, failures FROM radar_presssource").fetchone()
    assert (state, failures) == ("active", 0)
    assert "No press source has the number 9" in houseboat(data, "press", "resume", "9").stderr
