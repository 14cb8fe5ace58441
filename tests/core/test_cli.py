"""The `houseboat` command as a person runs it: a real process, a real data dir."""

import os
import sqlite3
import subprocess
import sys

import pytest
from django.core.management import load_command_class

from houseboat.cli import COMMANDS, main

APPS = {
    "demo": "houseboat.core",
    "serve": "houseboat.core",
    "worker": "houseboat.core",
    "createuser": "houseboat.core",
    "team": "houseboat.core",
    "campaign": "houseboat.campaigns",
    "channel": "houseboat.connectors",
    "purge": "houseboat.safety",
    "post": "houseboat.publishing",
    "export-site": "houseboat.campaigns",
    "import": "houseboat.listening",
    "column": "houseboat.listening",
    "search": "houseboat.listening",
    "export": "houseboat.listening",
    "verify": "houseboat.listening",
    "archive": "houseboat.listening",
    "media": "houseboat.safety",
    "keys": "houseboat.safety",
    "demand": "houseboat.accountability",
    "supporter": "houseboat.organizing",
    "action": "houseboat.organizing",
    "funnel": "houseboat.organizing",
    "radar": "houseboat.radar",
    "press": "houseboat.radar",
    "report": "houseboat.reports",
}


def houseboat(*args: str, data_dir=None, env=None, input_text=None) -> subprocess.CompletedProcess:
    # The command runs on the SQLite file in its own data dir, also when the suite runs on
    # PostgreSQL: DATABASE_URL names the suite's server, where no database of its own exists.
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in {"HOUSEBOAT_DATA_DIR", "DJANGO_SETTINGS_MODULE", "DATABASE_URL"}
    }
    environment.update(env or {})
    command = [sys.executable, "-m", "houseboat"]
    if data_dir is not None:
        command += ["--data-dir", str(data_dir)]
    return subprocess.run(
        [*command, *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        input=input_text,
    )


def test_help_lists_every_command_with_one_line(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for name, line in COMMANDS.items():
        assert f"  {name}" in out
        assert line in out


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_help_line_matches_the_command_itself(name):
    command = load_command_class(APPS[name], name.replace("-", "_"))
    assert command.help == COMMANDS[name]


def test_a_script_sets_up_a_team_and_campaign_in_the_data_dir(tmp_path):
    data = tmp_path / "data"
    assert houseboat("migrate", "-v0", data_dir=data).returncode == 0
    password_file = tmp_path / "pw"
    password_file.write_text("a long enough passphrase here\n")
    made = houseboat("createuser", "zara", "--password-file", str(password_file), data_dir=data)
    assert made.returncode == 0, made.stderr
    team = houseboat("team", "create", "Harbour Watch", "--owner", "zara", data_dir=data)
    assert team.returncode == 0, team.stderr
    campaign = houseboat(
        "campaign",
        "create",
        "--team",
        "harbour-watch",
        "--name",
        "Open the Files",
        "--hashtags",
        "#OpenTheFiles",
        "--public",
        data_dir=data,
    )
    assert campaign.returncode == 0, campaign.stderr
    listing = houseboat("campaign", "list", data_dir=data)
    assert "open-the-files\tOpen the Files\tteam=harbour-watch\tpublic" in listing.stdout
    # The data went where --data-dir said, with a private secret key beside it.
    assert (data / "houseboat.sqlite3").exists()
    assert (data / "secret_key").stat().st_mode & 0o077 == 0
    with sqlite3.connect(data / "houseboat.sqlite3") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("SELECT slug FROM campaigns_campaign").fetchall() == [("open-the-files",)]


def test_houseboat_data_dir_variable_is_honoured(tmp_path):
    data = tmp_path / "from-env"
    result = houseboat("migrate", "-v0", env={"HOUSEBOAT_DATA_DIR": str(data)})
    assert result.returncode == 0, result.stderr
    assert (data / "houseboat.sqlite3").exists()


def test_a_database_that_cannot_be_opened_gives_a_clear_message(tmp_path):
    data = tmp_path / "broken"
    data.mkdir()
    (data / "houseboat.sqlite3").write_bytes(b"this is not a database" * 100)
    result = houseboat("team", "list", data_dir=data)
    assert result.returncode == 1
    assert "cannot be used" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unusable_data_dir_gives_a_clear_message(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = houseboat("team", "list", data_dir=blocker / "data")
    assert result.returncode == 2
    assert "cannot be created" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_campaign_input_is_refused_with_reasons_and_creates_nothing(tmp_path):
    data = tmp_path / "data"
    houseboat("migrate", "-v0", data_dir=data)
    houseboat("team", "create", "Harbour Watch", data_dir=data)
    result = houseboat(
        "campaign",
        "create",
        "--team",
        "harbour-watch",
        "--name",
        "X",
        "--starts",
        "2026-05-01",
        "--ends",
        "2026-04-01",
        "--hashtags",
        "#ok #not-ok",
        data_dir=data,
    )
    assert result.returncode == 1
    assert "cannot end before it starts" in result.stderr
    assert "#not-ok" in result.stderr
    assert houseboat("campaign", "list", data_dir=data).stdout.strip() == "No campaigns."


def test_unknown_team_is_named_in_the_error(tmp_path):
    data = tmp_path / "data"
    houseboat("migrate", "-v0", data_dir=data)
    result = houseboat("campaign", "create", "--team", "nope", "--name", "X", data_dir=data)
    assert result.returncode == 1
    assert "No team is called 'nope'" in result.stderr


def test_demo_refuses_to_seed_a_real_data_dir(tmp_path):
    data = tmp_path / "real"
    houseboat("migrate", "-v0", data_dir=data)
    result = houseboat("demo", "--port", "0", data_dir=data)
    assert result.returncode == 1
    assert "will not write sample data" in result.stderr
    with sqlite3.connect(data / "houseboat.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM core_team").fetchone()[0] == 0
