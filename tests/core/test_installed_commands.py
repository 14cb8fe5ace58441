"""Every `houseboat` command as a person runs it: the installed script, in a subprocess, in a
fresh data folder, with `--help` and one real use each.

`call_command` skips Django's system checks and the launcher, so a command can pass its
detail tests and still crash from a terminal (`houseboat channel check` did). Here each
command and each of its actions (`channel add`, `post approve`, ...) is run for real.

Adding a command, or an action to one: write one function below and mark it with
`@uses("NAME ACTION")` (or `@uses("NAME")` for a command without actions). It gets a
`Houseboat` in a fresh copy of a data folder that already holds a team (harbour-watch:
alice owner, charlie contributor) and a public campaign (open-the-files). Run the command,
assert its exit code and what it prints. `test_every_command_has_a_subprocess_test`
fails, naming the command, until the function is there.
"""

from __future__ import annotations

import argparse
import http.server
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.core.management import get_commands, load_command_class
from django.core.management.base import BaseCommand
from PIL import Image

from houseboat.cli import COMMANDS
from tests.listening.samples import ndjson, three_tweet_page

PASSWORD = "a long enough passphrase here"
TEAM = "harbour-watch"
CAMPAIGN = "open-the-files"
# Django's own commands the README tells people to run.
DJANGO_COMMANDS_IN_THE_README = {"migrate"}
# Proved elsewhere with the installed script in a subprocess: "test file::test name".
DEMANDS = "tests/accountability/test_command.py::"
SUPPORTERS = "tests/organizing/test_commands.py::"
PRESS = "tests/radar/test_press_command.py::"
PROVED_ELSEWHERE = {
    "demo": "tests/core/test_demo.py::test_demo_prints_how_to_sign_in_works_and_deletes_its_data_on_ctrl_c",
    # The demand tracker's and the organising commands' own files run the installed
    # script in a fresh data folder, with data each command needs.
    "demand add": DEMANDS + "test_add_list_status_and_export_from_a_script",
    "demand list": DEMANDS + "test_add_list_status_and_export_from_a_script",
    "demand status": DEMANDS + "test_add_list_status_and_export_from_a_script",
    "demand export": DEMANDS + "test_add_list_status_and_export_from_a_script",
    "demand import": DEMANDS + "test_import_reports_bad_rows_by_line_and_keeps_the_good_ones",
    "supporter add": SUPPORTERS + "test_supporters_are_added_imported_listed_and_bad_rows_named",
    "supporter import": SUPPORTERS + "test_supporters_are_added_imported_listed_and_bad_rows_named",
    "supporter list": SUPPORTERS + "test_supporters_are_added_imported_listed_and_bad_rows_named",
    "supporter export": SUPPORTERS + "test_export_then_erase_leaves_nothing_in_the_database_files",
    "supporter erase": SUPPORTERS + "test_export_then_erase_leaves_nothing_in_the_database_files",
    "action add": SUPPORTERS + "test_actions_are_added_with_tracked_links_and_listed",
    "action list": SUPPORTERS + "test_actions_are_added_with_tracked_links_and_listed",
    "funnel": SUPPORTERS + "test_the_funnel_is_a_table",
    "report": "tests/reports/test_report_command.py::test_the_demo_report_is_written_as_pdf_with_its_arabic_outcome_and_csv_annex",
    "radar": "tests/radar/test_radar_command.py::test_the_radar_from_a_script_prints_the_comparison_and_writes_csv",
    # The radar's press feeds, read from a feed served on this machine.
    "press add": PRESS + "test_press_sources_are_added_listed_fetched_paused_and_resumed",
    "press list": PRESS + "test_press_sources_are_added_listed_fetched_paused_and_resumed",
    "press fetch": PRESS + "test_press_sources_are_added_listed_fetched_paused_and_resumed",
    "press resume": PRESS + "test_press_sources_are_added_listed_fetched_paused_and_resumed",
}
ROOT = Path(__file__).resolve().parents[2]


def script() -> list[str]:
    """The console script pip or uv installed next to this Python, as a person runs it."""
    installed = Path(sys.executable).parent / "houseboat"
    return [str(installed)] if installed.exists() else [sys.executable, "-m", "houseboat"]


class Houseboat:
    """The `houseboat` command in one data folder."""

    def __init__(self, data: Path, work: Path, feed_url: str = "") -> None:
        self.data = data
        self.work = work  # for files the command reads or writes
        self.feed_url = feed_url  # a feed on this machine, for the channel commands

    def environment(self) -> dict[str, str]:
        # Its own SQLite file, also when the suite runs on PostgreSQL.
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "HOUSEBOAT_DATA_DIR"}
        }
        env["HOUSEBOAT_DATA_DIR"] = str(self.data)
        return env

    def __call__(self, *args: str, input_text: str | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*script(), *args],
            capture_output=True,
            text=True,
            env=self.environment(),
            timeout=120,
            input=input_text,
            cwd=self.work,
        )

    def ok(self, *args: str, input_text: str | None = None) -> str:
        """Run it, insist on success and return what it printed."""
        result = self(*args, input_text=input_text)
        assert result.returncode == 0, f"houseboat {' '.join(args)}:\n{result.stderr}"
        assert "Traceback" not in result.stderr
        return result.stdout

    def popen(self, *args: str) -> subprocess.Popen:
        return subprocess.Popen(
            [*script(), *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=self.environment(),
            cwd=self.work,
        )

    def sql(self, query: str, params: tuple = ()) -> list[tuple]:
        """Look at (or set up) the database the command uses."""
        with sqlite3.connect(self.data / "houseboat.sqlite3") as db:
            return db.execute(query, params).fetchall()


# -- which commands exist


def command_names() -> dict[str, str]:
    """Every command houseboat's apps define, by the name a person types, and its app."""
    typed = {name.replace("-", "_"): name for name in COMMANDS}
    return {
        typed.get(name, name): app
        for name, app in get_commands().items()
        if app.startswith("houseboat")
    }


def actions_of(name: str, app: str) -> list[str]:
    """The command's actions (`channel add`, ...), or the command itself if it has none."""
    command = load_command_class(app, name.replace("-", "_"))
    parser = command.create_parser("houseboat", name)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return [f"{name} {choice}" for choice in action.choices]
    return [name]


def every_use() -> list[str]:
    found = [use for name, app in command_names().items() for use in actions_of(name, app)]
    return sorted({*found, *DJANGO_COMMANDS_IN_THE_README})


USES: dict[str, Callable[[Houseboat], None]] = {}


def uses(name: str) -> Callable:
    def register(function: Callable[[Houseboat], None]) -> Callable[[Houseboat], None]:
        assert name not in USES, f"two tests for {name}"
        USES[name] = function
        return function

    return register


# -- the data folders


@pytest.fixture(scope="module")
def prepared(tmp_path_factory) -> Path:
    """A data folder with a team, two people and a public campaign, made by the command."""
    work = tmp_path_factory.mktemp("prepared")
    hb = Houseboat(work / "data", work)
    (work / "pw").write_text(PASSWORD + "\n")
    hb.ok("migrate", "-v0")
    hb.ok("createuser", "alice", "--password-file", "pw")
    hb.ok("team", "create", "Harbour Watch", "--owner", "alice")
    hb.ok("createuser", "charlie", "--password-file", "pw", "--team", TEAM)
    hb.ok("campaign", "create", "--team", TEAM, "--name", "Open the Files", "--public")
    return hb.data


@pytest.fixture
def houseboat(prepared, tmp_path, feed_url) -> Houseboat:
    """A fresh copy of the prepared data folder, for one test."""
    shutil.copytree(prepared, tmp_path / "data")
    (tmp_path / "pw").write_text(PASSWORD + "\n")
    return Houseboat(tmp_path / "data", tmp_path, feed_url)


@pytest.fixture
def empty(tmp_path) -> Houseboat:
    """A data folder that does not exist yet."""
    return Houseboat(tmp_path / "new", tmp_path)


# -- the tests


def test_every_command_has_a_subprocess_test():
    missing = [use for use in every_use() if use not in USES and use not in PROVED_ELSEWHERE]
    assert not missing, (
        f"No test runs `houseboat {', '.join(missing)}` as a person does. Add a function "
        "marked @uses(...) in tests/core/test_installed_commands.py (see its docstring)."
    )
    stale = set(USES) - set(every_use())
    assert not stale, f"These commands are gone; remove their tests: {sorted(stale)}"


@pytest.mark.parametrize("use", sorted(PROVED_ELSEWHERE))
def test_commands_proved_elsewhere_are_run_in_a_subprocess_there(use):
    path, name = PROVED_ELSEWHERE[use].split("::")
    source = (ROOT / path).read_text()
    assert f"def {name}(" in source
    assert "subprocess" in source


def test_no_command_hides_a_method_django_calls():
    # A method named like one of BaseCommand's (`check`, `execute`) replaces it, and Django
    # calls it with other arguments before every command.
    allowed = {"help", "add_arguments", "handle", "create_parser", "requires_system_checks"}
    django_names = set(dir(BaseCommand)) - allowed
    for name, app in command_names().items():
        command = load_command_class(app, name.replace("-", "_"))
        own = {attr for klass in type(command).__mro__[:-2] for attr in vars(klass)}
        clash = own & django_names - {"__module__", "__doc__", "__init__", "__qualname__"}
        clash = {attr for attr in clash if not attr.startswith("__")}
        assert not clash, f"`houseboat {name}` hides BaseCommand.{', '.join(sorted(clash))}"


@pytest.mark.parametrize("use", every_use())
def test_help_explains_the_command(use, empty):
    result = empty(*use.split(), "--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"usage: houseboat {use.replace('export-site', 'export_site')}")
    assert "Traceback" not in result.stderr


# -- one real use of each command


@uses("migrate")
def run_migrate(hb: Houseboat) -> None:
    hb.ok("migrate", "-v0")
    assert hb.sql("SELECT count(*) FROM core_team") == [(0,)]


@uses("createuser")
def run_createuser(hb: Houseboat) -> None:
    hb.ok("migrate", "-v0")
    (hb.work / "pw").write_text(PASSWORD + "\n")
    out = hb.ok("createuser", "zara", "--password-file", "pw")
    assert "zara" in out
    assert hb.sql("SELECT username FROM core_user") == [("zara",)]


@uses("team create")
def run_team_create(hb: Houseboat) -> None:
    assert "Created team Tide Watch (tide-watch)." in hb.ok("team", "create", "Tide Watch")


@uses("team list")
def run_team_list(hb: Houseboat) -> None:
    assert "harbour-watch\tHarbour Watch\t2 member(s)" in hb.ok("team", "list")


@uses("campaign create")
def run_campaign_create(hb: Houseboat) -> None:
    hb.ok("campaign", "create", "--team", TEAM, "--name", "Free the Press")
    assert hb.sql("SELECT slug FROM campaigns_campaign ORDER BY slug") == [
        ("free-the-press",),
        (CAMPAIGN,),
    ]


@uses("campaign list")
def run_campaign_list(hb: Houseboat) -> None:
    assert f"{CAMPAIGN}\tOpen the Files\tteam={TEAM}\tpublic" in hb.ok("campaign", "list")


@uses("export-site")
def run_export_site(hb: Houseboat) -> None:
    hb.ok("export-site", "--campaign", CAMPAIGN, "--out", "site")
    assert "Open the Files" in (hb.work / "site" / "index.html").read_text()


# A feed on this machine, for the channel commands to check.
RSS = (ROOT / "tests/fixtures/rss/rss20_cdata.xml").read_bytes()


@pytest.fixture(scope="module")
def feed_url() -> Iterator[str]:
    class Feed(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(RSS)))
            self.end_headers()
            self.wfile.write(RSS)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Feed)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/feed.xml"
    server.shutdown()


def add_feed(hb: Houseboat, url: str, *more: str) -> str:
    return hb.ok(
        "channel",
        "add",
        "--team",
        TEAM,
        "--network",
        "rss",
        "--name",
        "Press feed",
        "--set",
        f"feed_url={url}",
        "--allow-private-network",
        *more,
    )


def feed_channel(hb: Houseboat, url: str) -> int:
    add_feed(hb, url, "--no-check")
    return hb.sql("SELECT id FROM connectors_channel WHERE network = 'rss'")[0][0]


@uses("channel add")
def run_channel_add(hb: Houseboat) -> None:
    url = hb.feed_url
    out = add_feed(hb, url)
    assert "Added channel" in out and "works:" in out


# A local address the channel does not allow: its check fails at once, without retries.
REFUSED_FEED = ["--set", "feed_url=http://127.0.0.1:9/feed.xml"]


def rss_channels(hb: Houseboat) -> list[tuple]:
    return hb.sql("SELECT id, status, last_error FROM connectors_channel WHERE network = 'rss'")


def test_a_script_adding_a_channel_whose_check_fails_keeps_nothing_and_says_why(houseboat):
    result = houseboat(
        "channel", "add", "--team", TEAM, "--network", "rss", "--name", "Press feed", *REFUSED_FEED
    )  # fmt: skip
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "The check failed" in result.stderr and "Removed the channel" in result.stderr
    assert "--keep-if-failing" in result.stderr
    assert rss_channels(houseboat) == []


def test_keep_if_failing_keeps_the_channel_marked_not_working_with_the_reason(houseboat):
    out = houseboat.ok(
        "channel", "add", "--team", TEAM, "--network", "rss", "--name", "Press feed",
        *REFUSED_FEED, "--keep-if-failing",
    )  # fmt: skip
    [(channel, status, last_error)] = rss_channels(houseboat)
    assert f"Kept channel {channel}" in out and "marked not working" in out
    assert status == "failing" and last_error
    assert last_error in out
    assert "works:" not in out


def answer_on_a_terminal(hb: Houseboat, answer: str, *args: str) -> tuple[int, str]:
    """Run the command with a terminal as its input, type answer, return code and output."""
    import pty

    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [*script(), *args], stdin=follower, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, env=hb.environment(), cwd=hb.work,
    )  # fmt: skip
    os.close(follower)
    os.write(leader, f"{answer}\n".encode())
    out, _ = process.communicate(timeout=120)
    os.close(leader)
    return process.returncode, out


@pytest.mark.parametrize(("answer", "kept"), [("y", True), ("n", False)])
def test_on_a_terminal_adding_a_failing_channel_asks_whether_to_keep_it(houseboat, answer, kept):
    code, out = answer_on_a_terminal(
        houseboat, answer, "channel", "add", "--team", TEAM, "--network", "rss",
        "--name", "Press feed", *REFUSED_FEED,
    )  # fmt: skip
    assert "Keep it anyway, marked not working?" in out
    channels = rss_channels(houseboat)
    if kept:
        assert code == 0 and "marked not working" in out
        assert [status for _, status, _ in channels] == ["failing"]
    else:
        assert code == 1 and "Removed the channel" in out
        assert channels == []


@uses("channel list")
def run_channel_list(hb: Houseboat) -> None:
    feed_channel(hb, hb.feed_url)
    assert f"\t{TEAM}\trss\tPress feed\t" in hb.ok("channel", "list", "--team", TEAM)


@uses("channel check")
def run_channel_check(hb: Houseboat) -> None:
    channel = feed_channel(hb, hb.feed_url)
    out = hb.ok("channel", "check", str(channel))
    assert "Press feed (RSS/Atom feed) works: Harbour Gazette" in out


@uses("channel remove")
def run_channel_remove(hb: Houseboat) -> None:
    channel = feed_channel(hb, hb.feed_url)
    assert "its credentials are deleted" in hb.ok("channel", "remove", str(channel), "--yes")
    assert hb.sql("SELECT count(*) FROM connectors_channel WHERE network = 'rss'") == [(0,)]


def draft(hb: Houseboat, *more: str) -> int:
    hb.ok(
        "post", "create", "--team", TEAM, "--as", "charlie", "--campaign", CAMPAIGN,
        "--text", "The files belong to the public.", *more,
    )  # fmt: skip
    return hb.sql("SELECT max(id) FROM publishing_post")[0][0]


@uses("post create")
def run_post_create(hb: Houseboat) -> None:
    draft(hb)
    assert hb.sql("SELECT status, text FROM publishing_post") == [
        ("draft", "The files belong to the public.")
    ]


def mastodon_channel(hb: Houseboat) -> int:
    """A Mastodon channel (threads, pictures), not checked: nothing here calls a network."""
    (hb.work / "secrets").write_text("access_token=not-a-real-token\n")
    hb.ok(
        "channel", "add", "--team", TEAM, "--network", "mastodon", "--name", "Masto",
        "--set", "base_url=https://mastodon.example", "--secrets-file", "secrets", "--no-check",
    )  # fmt: skip
    return hb.sql("SELECT id FROM connectors_channel WHERE network = 'mastodon'")[0][0]


def parts_by_network(hb: Houseboat) -> dict[str, list[str]]:
    rows = hb.sql(
        "SELECT c.network, v.parts FROM publishing_variant v "
        "JOIN connectors_channel c ON c.id = v.channel_id"
    )
    return {network: json.loads(parts) for network, parts in rows}


def create_post(hb: Houseboat, *more: str) -> subprocess.CompletedProcess:
    return hb(
        "post", "create", "--team", TEAM, "--as", "charlie", "--campaign", CAMPAIGN, *more
    )  # fmt: skip


def test_post_create_thread_splits_by_each_networks_limit(houseboat):
    channel = mastodon_channel(houseboat)
    story = "Sixty days ago, police detained ten reporters. None has been charged. " * 20
    result = create_post(houseboat, "--channel", str(channel), "--text", story, "--thread")
    assert result.returncode == 0, result.stderr
    parts = parts_by_network(houseboat)
    assert len(parts["mastodon"]) == 3 and parts["mastodon"][0].endswith(" 1/3")
    assert all(len(part) <= 500 for part in parts["mastodon"])
    assert parts["own_site"] == []  # the own site takes the whole text as one page
    assert "a thread of 3 posts" in result.stdout


def test_post_create_thread_takes_parts_between_dashes_or_from_each_part(houseboat):
    channel = mastodon_channel(houseboat)
    (houseboat.work / "thread.txt").write_text("First.\n---\nSecond.\n  ---  \nThird.\n")
    made = create_post(
        houseboat, "--channel", str(channel), "--text-file", "thread.txt", "--thread"
    )
    assert made.returncode == 0, made.stderr
    assert parts_by_network(houseboat)["mastodon"] == ["First.", "Second.", "Third."]
    houseboat.sql("DELETE FROM publishing_variant")
    made = create_post(houseboat, "--channel", str(channel), "--part", "One.", "--part", "Two.")
    assert made.returncode == 0, made.stderr
    assert parts_by_network(houseboat)["mastodon"] == ["One.", "Two."]


def test_post_create_attaches_pictures_with_their_descriptions_stripped_of_metadata(houseboat):
    channel = mastodon_channel(houseboat)
    for name, colour in (("vigil.jpg", "navy"), ("banner.jpg", "teal")):
        photo = Image.new("RGB", (64, 48), colour)
        exif = photo.getexif()
        exif[0x010F] = "Secret Camera Maker"
        photo.save(houseboat.work / name, exif=exif)
    result = create_post(
        houseboat, "--channel", str(channel), "--text", "Candles tonight.",
        "--media", "vigil.jpg", "--alt", "Candles on the steps", "--media", "banner.jpg",
        "--alt", "A banner: free the ten",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    rows = houseboat.sql("SELECT file, alt FROM publishing_attachment ORDER BY position")
    assert [alt for _, alt in rows] == ["Candles on the steps", "A banner: free the ten"]
    for stored, _ in rows:
        assert b"Secret Camera Maker" not in (houseboat.data / "media" / stored).read_bytes()
    assert houseboat.sql("SELECT count(*) FROM publishing_variant_media") == [(4,)]


@pytest.mark.parametrize(
    ("more", "says"),
    [
        (["--media", "missing.jpg"], "Cannot read missing.jpg"),
        (["--alt", "A description"], "--alt describes the --media before it"),
        (["--part", "only one"], "A thread needs at least two parts"),
        (["--thread", "--text", "x", "--no-own-site"], "Choose at least one channel"),
    ],
)
def test_post_create_refuses_bad_media_or_parts_and_drafts_nothing(houseboat, more, says):
    words = [] if "--part" in more or "--text" in more else ["--text", "Candles tonight."]
    result = create_post(houseboat, *words, *more)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert says in result.stderr
    assert houseboat.sql("SELECT count(*) FROM publishing_post") == [(0,)]


@uses("post list")
def run_post_list(hb: Houseboat) -> None:
    post = draft(hb)
    assert f"{post}\tdraft\tnow\tcharlie" in hb.ok("post", "list", "--team", TEAM)


@uses("post show")
def run_post_show(hb: Houseboat) -> None:
    post = draft(hb)
    assert "| The files belong to the public." in hb.ok("post", "show", str(post))


@uses("post approve")
def run_post_approve(hb: Houseboat) -> None:
    post = draft(hb, "--submit")
    assert f"Approved post {post}" in hb.ok("post", "approve", str(post), "--as", "alice")
    assert hb.sql("SELECT status FROM publishing_post") == [("scheduled",)]


@uses("post cancel")
def run_post_cancel(hb: Houseboat) -> None:
    post = draft(hb, "--submit")
    assert f"Cancelled post {post}" in hb.ok("post", "cancel", str(post), "--as", "alice")


@uses("post decide")
def run_post_decide(hb: Houseboat) -> None:
    post = draft(hb, "--submit")
    hb.ok("post", "approve", str(post), "--as", "alice")
    # The worker marks a delivery unknown when a network's answer is lost; set it directly.
    [(delivery,)] = hb.sql("SELECT id FROM publishing_delivery")
    hb.sql("UPDATE publishing_delivery SET state = 'unknown' WHERE id = ?", (delivery,))
    out = hb.ok("post", "decide", str(delivery), "drop", "--as", "alice")
    assert f"Delivery {delivery}:" in out


@uses("post takedown")
def run_post_takedown(hb: Houseboat) -> None:
    post = draft(hb, "--submit")
    hb.ok("post", "approve", str(post), "--as", "alice")
    hb.ok("worker", "--once")  # out on the campaign's own site
    preview = hb.ok("post", "takedown", str(post))
    assert "be removed from the page and the feed" in preview and "Nothing was changed" in preview
    refused = hb("post", "takedown", str(post), "--as", "charlie", "--yes")
    assert refused.returncode != 0 and "contributor" in refused.stderr
    assert "Traceback" not in refused.stderr
    asked = hb("post", "takedown", str(post), "--as", "alice", "--yes")
    assert asked.returncode == 0, asked.stderr
    # No worker runs in this folder: it says so instead of waiting, and nothing is lost.
    assert "No worker is running the dispatch lane" in asked.stderr
    assert "Waiting for the worker" in asked.stdout
    hb.ok("worker", "--once")
    out = hb.ok("post", "takedown", str(post))
    assert ": Taken down" in out and "export it again" in out
    assert hb.sql("SELECT status FROM campaigns_sitepost") == [("removed",)]
    assert hb.sql("SELECT state FROM publishing_takedowntask") == [("done",)]


@uses("post slots")
def run_post_slots(hb: Houseboat) -> None:
    [(own_site,)] = hb.sql("SELECT id FROM connectors_channel WHERE network = 'own_site'")
    out = hb.ok("post", "slots", str(own_site), "--as", "alice", "--add", "mon-fri 09:00")
    assert "Saved the posting times" in out and "09:00" in out


# -- the board's columns: a feed on this machine, read by `worker --once`


def add_feed_column(hb: Houseboat, *more: str) -> int:
    out = hb.ok(
        "column", "add", "--campaign", CAMPAIGN, "--kind", "feed", "--query", hb.feed_url, *more
    )
    assert out.startswith("Added column ")
    return int(out.split()[2])


@uses("column add")
def run_column_add(hb: Houseboat) -> None:
    guarded = add_feed_column(hb)
    opened = add_feed_column(hb, "--allow-private-network", "--every", "60")
    hb.ok("worker", "--once")
    listed = hb.ok("column", "list", "--campaign", CAMPAIGN)
    # Only the column allowed into the private network read the feed on this machine.
    assert f"{opened}\t" in listed and "\t2 items\treading" in listed
    assert f"{guarded}\t" in listed and "paused:" in listed
    assert hb.sql("SELECT count(*) FROM listening_columnitem") == [(2,)]
    for bad, said in [
        (("--kind", "feed", "--query", "not an address"), "is not a feed address"),
        (("--kind", "hashtag", "--query", "cats"), "reads through a channel"),
        (("--kind", "hashtag", "--channel", "Nope", "--query", "x"), "has no channel 'Nope'"),
        (("--kind", "feed", "--query", hb.feed_url, "--every", "5"), "30 seconds"),
    ]:
        refused = hb("column", "add", "--campaign", CAMPAIGN, *bad)
        assert refused.returncode == 1 and said in refused.stderr, refused.stderr
        assert "Traceback" not in refused.stderr
    assert hb.sql("SELECT count(*) FROM listening_column") == [(2,)]


@uses("column list")
def run_column_list(hb: Houseboat) -> None:
    assert "has no columns yet" in hb.ok("column", "list", "--campaign", CAMPAIGN)
    column = add_feed_column(hb, "--allow-private-network")
    listed = hb.ok("column", "list", "--campaign", CAMPAIGN)
    assert f"{column}\t" in listed and "waiting for its first read" in listed


@uses("column pause")
def run_column_pause(hb: Houseboat) -> None:
    column = add_feed_column(hb, "--allow-private-network")
    assert "Paused column" in hb.ok("column", "pause", str(column))
    hb.ok("worker", "--once")
    assert hb.sql("SELECT count(*) FROM listening_columnitem") == [(0,)]
    assert "paused: Paused from the command line." in hb.ok(
        "column", "list", "--campaign", CAMPAIGN
    )
    missing = hb("column", "pause", "999")
    assert missing.returncode == 1 and "There is no column 999" in missing.stderr


@uses("column resume")
def run_column_resume(hb: Houseboat) -> None:
    column = add_feed_column(hb, "--allow-private-network")
    hb.ok("column", "pause", str(column))
    assert "Resumed column" in hb.ok("column", "resume", str(column))
    hb.ok("worker", "--once")
    assert hb.sql("SELECT count(*) FROM listening_columnitem") == [(2,)]


@uses("column remove")
def run_column_remove(hb: Houseboat) -> None:
    column = add_feed_column(hb, "--allow-private-network")
    hb.ok("worker", "--once")
    assert "stays in the archive" in hb.ok("column", "remove", str(column))
    assert hb.sql("SELECT count(*) FROM listening_column") == [(0,)]
    assert hb.sql("SELECT count(*) FROM listening_item") == [(2,)]


def import_tweets(hb: Houseboat) -> None:
    (hb.work / "tweets.jsonl").write_bytes(ndjson(three_tweet_page()))
    hb.ok("import", "x-ndjson", "tweets.jsonl", "--campaign", CAMPAIGN)


@uses("import")
def run_import(hb: Houseboat) -> None:
    import_tweets(hb)
    assert hb.sql("SELECT count(*) FROM listening_item") == [(3,)]


@uses("search")
def run_search(hb: Houseboat) -> None:
    import_tweets(hb)
    assert f"3 items in {CAMPAIGN} match" in hb.ok("search", "--campaign", CAMPAIGN)
    refused = hb("search", "--campaign", CAMPAIGN, "--until", "9999-12-31")
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert "Choose a day between 1900-01-01 and 2999-12-31" in refused.stderr


@uses("export")
def run_export(hb: Houseboat) -> None:
    import_tweets(hb)
    hb.ok("export", "--campaign", CAMPAIGN, "--out", "copy")
    assert (hb.work / "copy" / "manifest.json").exists()


@uses("verify")
def run_verify(hb: Houseboat) -> None:
    import_tweets(hb)
    hb.ok("export", "--campaign", CAMPAIGN, "--out", "copy")
    hb.ok("verify", "copy")
    (hb.work / "copy" / "items.jsonl").write_text("changed\n")
    changed = hb("verify", "copy")
    assert changed.returncode == 1 and "items.jsonl" in changed.stdout + changed.stderr


@uses("archive purge")
def run_archive_purge(hb: Houseboat) -> None:
    import_tweets(hb)
    assert "Purged 3 items" in hb.ok("archive", "purge", "--campaign", CAMPAIGN, "--all", "--yes")
    assert hb.sql("SELECT count(*) FROM listening_item") == [(0,)]


@uses("media clean")
def run_media_clean(hb: Houseboat) -> None:
    photo = Image.new("RGB", (64, 48), "teal")
    exif = photo.getexif()
    exif[0x010F] = "Secret Camera Maker"
    photo.save(hb.work / "in.jpg", exif=exif)
    hb.ok("media", "clean", "in.jpg", "out.jpg")
    assert b"Secret Camera Maker" not in (hb.work / "out.jpg").read_bytes()


@uses("purge")
def run_purge(hb: Houseboat) -> None:
    out = hb.ok("purge", "--team", TEAM, "--yes-erase-for-good")
    assert "the database file was rewritten" in out


@uses("keys rotate")
def run_keys_rotate(hb: Houseboat) -> None:
    feed_channel(hb, "https://example.org/feed.xml")
    hb.ok("keys", "rotate")


@uses("worker")
def run_worker(hb: Houseboat) -> None:
    assert "Worker stopped after" in hb.ok("worker", "--once")


@uses("serve")
def run_serve(hb: Houseboat) -> None:
    port = free_port()
    server = hb.popen("serve", "--no-migrate", "--port", str(port), "--threads", "2")
    try:
        page = fetch_when_up(f"http://127.0.0.1:{port}/login/", server)
        assert "Sign in" in page
    finally:
        server.send_signal(signal.SIGINT)
        out, err = server.communicate(timeout=30)
    assert "Stopped." in out, err


def free_port() -> int:
    """A port no one listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch_when_up(url: str, process: subprocess.Popen) -> str:
    """Wait for a server that was just started to answer, and return the page."""
    for _ in range(600):  # a bound, not a time limit: a crash ends the wait at once
        if process.poll() is not None:
            break
        try:
            with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (http://127.0.0.1)
                return response.read().decode()
        except urllib.error.HTTPError:
            raise  # it answered, wrongly
        except OSError:  # not listening yet
            time.sleep(0.2)
    process.kill()
    raise AssertionError(f"the server did not answer: {process.communicate()}")


# Last, so that every @uses above has registered its command.
@pytest.mark.parametrize("use", sorted(USES))
def test_each_command_does_its_job_from_the_installed_script(use, request):
    fixture = "empty" if use in {"migrate", "createuser"} else "houseboat"
    USES[use](request.getfixturevalue(fixture))
