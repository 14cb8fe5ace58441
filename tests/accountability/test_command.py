"""`houseboat demand` as a script runs it: the installed command, a fresh data folder."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.accountability.samples import five_hundred_recommendations, houseboat_csv

# The console script pip or uv installed next to this interpreter.
HOUSEBOAT = Path(sys.executable).with_name("houseboat")


def houseboat(*args: str, data_dir: Path, input_text: str | None = None):
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in {"HOUSEBOAT_DATA_DIR", "DJANGO_SETTINGS_MODULE", "DATABASE_URL"}
    }
    return subprocess.run(
        [str(HOUSEBOAT), "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        input=input_text,
    )


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    """A fresh data folder with a team, a member and a public campaign."""
    folder = tmp_path_factory.mktemp("demand-cli") / "data"
    assert houseboat("migrate", "-v0", data_dir=folder).returncode == 0
    password = folder.parent / "pw"
    password.write_text("a long enough passphrase here\n")
    houseboat("createuser", "zara", "--password-file", str(password), data_dir=folder)
    houseboat("team", "create", "Harbour Watch", "--owner", "zara", data_dir=folder)
    made = houseboat(
        "campaign",
        "create",
        "--team",
        "harbour-watch",
        "--name",
        "Open",
        "--public",
        data_dir=folder,
    )
    assert made.returncode == 0, made.stderr
    return folder


def test_the_installed_command_exists():
    assert HOUSEBOAT.is_file()


@pytest.mark.parametrize("action", ["add", "import", "list", "status", "export"])
def test_each_subcommand_explains_itself(action, tmp_path):
    shown = houseboat("demand", action, "--help", data_dir=tmp_path / "d")
    assert shown.returncode == 0, shown.stderr
    assert "--campaign" in shown.stdout


def test_demand_help_lists_the_subcommands(tmp_path):
    shown = houseboat("demand", "--help", data_dir=tmp_path / "d")
    assert "{add,import,list,status,export}" in shown.stdout


def test_add_list_status_and_export_from_a_script(data):
    added = houseboat(
        "demand",
        "add",
        "--campaign",
        "open",
        "--title",
        "Release the ten",
        "--ref",
        "R1",
        "--text",
        "Release them now",
        "--target",
        "Ministry of Justice",
        "--target",
        "Police",
        "--deadline",
        "2026-12-31",
        "--as",
        "zara",
        data_dir=data,
    )
    assert added.returncode == 0, added.stderr
    assert "Added demand R1: Release the ten" in added.stdout
    listed = houseboat("demand", "list", "--campaign", "open", data_dir=data)
    assert "R1\tnot yet assessed\tdeadline 2026-12-31\tRelease the ten" in listed.stdout
    status = houseboat(
        "demand",
        "status",
        "R1",
        "--campaign",
        "open",
        "--progress",
        "in_progress",
        "--rationale",
        "Talks began",
        "--as",
        "zara",
        data_dir=data,
    )
    assert status.returncode == 0, status.stderr
    assert "It counts once another member reviews it" in status.stdout
    exported = houseboat(
        "demand", "export", "--campaign", "open", "--format", "json", data_dir=data
    )
    record = json.loads(exported.stdout)["demands"][0]
    assert record["targets"] == ["Ministry of Justice", "Police"]
    assert record["lead_target"] == "Ministry of Justice"
    assert record["history"][0]["rationale"] == "Talks began"
    assert record["history"][0]["review"] is None
    as_csv = houseboat("demand", "export", "--campaign", "open", "--format", "csv", data_dir=data)
    assert as_csv.stdout.startswith("ref,title,text,kind")


def test_a_verdict_without_evidence_is_refused_with_a_clear_message(data):
    houseboat(
        "demand", "add", "--campaign", "open", "--title", "Visits", "--ref", "R2", data_dir=data
    )
    refused = houseboat(
        "demand",
        "status",
        "R2",
        "--campaign",
        "open",
        "--verdict",
        "implemented",
        "--rationale",
        "They did it",
        data_dir=data,
    )
    assert refused.returncode != 0
    assert "A verdict needs evidence: link at least one archive item" in refused.stderr
    assert "Traceback" not in refused.stderr
    listed = houseboat("demand", "export", "--campaign", "open", "--format", "json", data_dir=data)
    visits = next(d for d in json.loads(listed.stdout)["demands"] if d["ref"] == "R2")
    assert visits["history"] == []


def test_unknown_evidence_and_unknown_demands_are_named(data):
    unknown = houseboat(
        "demand",
        "status",
        "R404",
        "--campaign",
        "open",
        "--progress",
        "stalled",
        "--rationale",
        "x",
        data_dir=data,
    )
    assert unknown.returncode == 1
    assert "No demand in Open has the reference R404" in unknown.stderr
    bad_item = houseboat(
        "demand",
        "status",
        "R2",
        "--campaign",
        "open",
        "--verdict",
        "broken",
        "--rationale",
        "x",
        "--evidence",
        "abcdefabcdef12",
        data_dir=data,
    )
    assert bad_item.returncode == 1
    assert "No item in Open's archive has the SHA-256 abcdefabcdef12" in bad_item.stderr


def test_import_reports_bad_rows_by_line_and_keeps_the_good_ones(data, tmp_path):
    path = tmp_path / "demands.csv"
    path.write_bytes(
        houseboat_csv(
            [
                ["C1", "Open the files", "", "ours", "Harbour Authority", "2026-06-30"],
                ["C2", "", "", "", "", ""],
                ["C3", "Apologise", "", "promise", "", "soon"],
            ]
        )
    )
    dry = houseboat("demand", "import", "--campaign", "open", str(path), "--dry-run", data_dir=data)
    assert dry.returncode == 0, dry.stderr
    assert "1 demand to store" in dry.stdout and "Dry run: nothing was stored." in dry.stdout
    assert "line 3: it has neither a title nor a text." in dry.stderr
    assert "line 4: the deadline soon is not a date" in dry.stderr
    assert "C1" not in houseboat("demand", "list", "--campaign", "open", data_dir=data).stdout
    done = houseboat("demand", "import", "--campaign", "open", str(path), data_dir=data)
    assert done.returncode == 0, done.stderr
    assert "Stored 1 demand in Open as drafts; 2 rows could not be read." in done.stdout
    assert "C1\t" in houseboat("demand", "list", "--campaign", "open", data_dir=data).stdout


def test_500_upr_recommendations_import_from_the_command_line(data, tmp_path):
    raw, bad = five_hundred_recommendations()
    path = tmp_path / "upr-info.csv"
    path.write_bytes(raw)
    done = houseboat("demand", "import", "--campaign", "open", str(path), data_dir=data)
    assert done.returncode == 0, done.stderr
    assert "UPR Info database export, Mac Roman." in done.stdout
    assert f"{500 - len(bad)} demands to store" in done.stdout
    assert "Responses: supported 328, noted 165" in done.stdout
    for line in bad:
        assert f"line {line}: the recommendation is empty." in done.stderr
    again = houseboat("demand", "import", "--campaign", "open", str(path), data_dir=data)
    assert "493 already in the tracker (same reference), left alone" in again.stdout
    assert "Nothing to store." in again.stdout


def test_an_unknown_campaign_is_named(data):
    missing = houseboat("demand", "list", "--campaign", "nope", data_dir=data)
    assert missing.returncode == 1
    assert "No campaign is called 'nope'" in missing.stderr
