"""The organising commands as a person runs them: the installed `houseboat`, a fresh data folder."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HOUSEBOAT = Path(sys.executable).parent / "houseboat"


def houseboat(data: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"HOUSEBOAT_DATA_DIR", "DJANGO_SETTINGS_MODULE", "DATABASE_URL"}
    }
    env["HOUSEBOAT_DATA_DIR"] = str(data)
    return subprocess.run(
        [str(HOUSEBOAT), *args], capture_output=True, text=True, env=env, timeout=120, input=stdin
    )


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("organizing-cli")
    assert houseboat(folder, "migrate", "-v0").returncode == 0
    assert houseboat(folder, "team", "create", "Harbour Watch").returncode == 0
    made = houseboat(
        folder,
        "campaign",
        "create",
        "--team",
        "harbour-watch",
        "--name",
        "Open the Files",
        "--public",
    )
    assert made.returncode == 0, made.stderr
    return folder


@pytest.mark.parametrize(
    ("command", "words"),
    [
        (["supporter"], "{add,import,list,export,erase}"),
        (["supporter", "import"], "name,handles,consent,language,area,tags"),
        (["supporter", "add"], "NETWORK:HANDLE"),
        (["action"], "{add,list}"),
        (["action", "add"], "--private-place"),
        (["funnel"], "--campaign"),
    ],
)
def test_each_command_explains_itself(tmp_path, command, words):
    result = houseboat(tmp_path, *command, "--help")
    assert result.returncode == 0, result.stderr
    assert words in result.stdout


def test_supporters_are_added_imported_listed_and_bad_rows_named(data, tmp_path):
    added = houseboat(
        data,
        "supporter", "add", "--team", "harbour-watch", "--name", "Amal",
        "--handle", "whatsapp:+44 7700 900123", "--handle", "x:@amal", "--consent", "whatsapp",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert "Added supporter" in added.stdout
    refused = houseboat(
        data,
        "supporter",
        "add",
        "--team",
        "harbour-watch",
        "--name",
        "Sam",
        "--consent",
        "telegram",
    )
    assert refused.returncode == 1
    assert "needs a telegram handle" in refused.stderr
    assert "Traceback" not in refused.stderr
    sheet = tmp_path / "people.csv"
    sheet.write_text(
        "name,handles,consent,language,area,tags\n"
        "Noor,email:noor@example.org;telegram:700100200,email;telegram,ar,Old town,vigil;students\n"
        "Bad,myspace:@x,,,,\n"
        ",email:nameless@example.org,,,,\n"
        "Lina,email:lina@example.org,,en,,\n",
        encoding="utf-8",
    )
    imported = houseboat(data, "supporter", "import", "--team", "harbour-watch", str(sheet))
    assert imported.returncode == 0, imported.stderr
    assert "Imported 2 supporters." in imported.stdout
    assert "line 3:" in imported.stderr and "myspace" in imported.stderr
    assert "line 4:" in imported.stderr
    listing = houseboat(data, "supporter", "list", "--team", "harbour-watch").stdout
    assert "Amal\trung=0\tconsent=whatsapp" in listing
    assert "Noor\trung=0\tconsent=email,telegram\ttags=vigil,students" in listing
    one = houseboat(data, "supporter", "list", "--team", "harbour-watch", "--name", "noor").stdout
    assert one.count("\n") == 1


def test_a_file_that_is_not_csv_text_imports_nothing(data, tmp_path):
    bad = tmp_path / "people.xlsx"
    bad.write_bytes(b"PK\x03\x04\xff\xfe binary")
    result = houseboat(data, "supporter", "import", "--team", "harbour-watch", str(bad))
    assert result.returncode == 1
    assert "not UTF-8" in result.stderr
    missing = houseboat(data, "supporter", "import", "--team", "harbour-watch", "/nope.csv")
    assert missing.returncode == 1 and "Cannot read" in missing.stderr


def test_actions_are_added_with_tracked_links_and_listed(data):
    added = houseboat(
        data,
        "action", "add", "--campaign", "open-the-files", "--kind", "event",
        "--title", "Vigil at the port", "--starts", "2030-05-01 18:00",
        "--private-place", "--capacity", "40", "--tracked", "x", "--tracked", "poster",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert "/c/open-the-files/act/" in added.stdout
    assert added.stdout.count("/r/") == 2
    no_time = houseboat(
        data, "action", "add", "--campaign", "open-the-files", "--kind", "event", "--title", "X"
    )
    assert no_time.returncode == 1
    assert "An event needs a start time" in no_time.stderr
    listing = houseboat(data, "action", "list", "--campaign", "open-the-files").stdout
    assert "event\tVigil at the port\t2030-05-01 18:00\t0 responses\topen" in listing


def test_the_funnel_is_a_table(data):
    result = houseboat(data, "funnel", "--campaign", "open-the-files")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[1].split()[:3] == ["rung", "rule", "reached"]
    assert lines[2].startswith("Follower")
    unknown = houseboat(data, "funnel", "--campaign", "nope")
    assert unknown.returncode == 1 and "No campaign is called 'nope'" in unknown.stderr


def test_export_then_erase_leaves_nothing_in_the_database_files(data):
    houseboat(
        data, "supporter", "add", "--team", "harbour-watch", "--name", "Quayside Rosa",
        "--handle", "email:rosa@example.org", "--consent", "email", "--area", "Quayside-7Q",
        "--tag", "rosa-only-tag",
    )  # fmt: skip
    exported = houseboat(
        data, "supporter", "export", "--team", "harbour-watch", "--name", "Quayside Rosa"
    )
    assert exported.returncode == 0, exported.stderr
    [record] = json.loads(exported.stdout)
    assert record["supporter"]["handles"] == {"email": "rosa@example.org"}
    assert record["consents"][0]["channel"] == "email"

    def on_disk() -> bytes:
        return b"".join(p.read_bytes() for p in data.glob("houseboat.sqlite3*"))

    assert b"Quayside-7Q" in on_disk()
    unsure = houseboat(
        data, "supporter", "erase", "--team", "harbour-watch", "--name", "Quayside Rosa"
    )
    assert unsure.returncode == 1 and "--yes" in unsure.stderr
    erased = houseboat(
        data, "supporter", "erase", "--team", "harbour-watch", "--name", "Quayside Rosa", "--yes"
    )
    assert erased.returncode == 0, erased.stderr
    assert "Erased 1 supporter" in erased.stdout
    assert b"Quayside-7Q" not in on_disk()
    assert b"rosa-only-tag" not in on_disk()
    gone = houseboat(
        data, "supporter", "list", "--team", "harbour-watch", "--name", "Quayside Rosa"
    )
    assert gone.stdout.strip() == "No supporters."
