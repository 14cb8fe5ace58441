"""`houseboat import ... --background` queues a file for the worker as the Import page
does; `houseboat import --status ID` says how far it got. Run as a person runs them:
the installed command, in a fresh data folder."""

from tests.core.test_cli import houseboat
from tests.listening.samples import ndjson, three_tweet_page, write


def test_a_file_queued_in_the_background_is_imported_by_the_worker_and_reported(tmp_path):
    data = tmp_path / "data"
    assert houseboat("migrate", "-v0", data_dir=data).returncode == 0
    houseboat("team", "create", "Harbour Watch", data_dir=data)
    houseboat("campaign", "create", "--team", "harbour-watch", "--name", "Open", data_dir=data)
    path = write(tmp_path / "s.jsonl", ndjson(three_tweet_page()))

    queued = houseboat(
        "import", "x-ndjson", str(path), "--campaign", "open", "--background", data_dir=data
    )

    assert queued.returncode == 0, queued.stderr
    job = queued.stdout.strip()
    assert job.isdigit()  # only the id on stdout, for scripts
    assert f"houseboat import --status {job}" in queued.stderr
    copies = list((data / "imports").glob("*/s.jsonl"))
    assert len(copies) == 1 and copies[0].read_bytes() == path.read_bytes()
    waiting = houseboat("import", "--status", job, data_dir=data)
    assert "waiting for the worker" in waiting.stdout

    worked = houseboat("worker", "--once", "--lane", "imports", data_dir=data)

    assert worked.returncode == 0, worked.stderr
    status = houseboat("import", "--status", job, data_dir=data)
    assert status.returncode == 0
    assert f"Import job {job} (x-ndjson, s.jsonl into open): done" in status.stdout
    assert "3 of 3 records (100 %), 3 new" in status.stdout
    assert not list((data / "imports").glob("*/s.jsonl"))  # the copy is gone after


def test_background_imports_refuse_bad_input_with_a_reason_and_no_traceback(tmp_path):
    data = tmp_path / "data"
    assert houseboat("migrate", "-v0", data_dir=data).returncode == 0
    houseboat("team", "create", "Harbour Watch", data_dir=data)
    houseboat("campaign", "create", "--team", "harbour-watch", "--name", "Open", data_dir=data)
    path = write(tmp_path / "s.jsonl", ndjson(three_tweet_page()))

    cases = {
        ("import", "--status", "999"): "There is no import job 999.",
        ("import", "x-ndjson", str(tmp_path), "--campaign", "open", "--background"): (
            "is not a file"
        ),
        ("import", "x-nope", str(path), "--campaign", "open", "--background"): (
            "houseboat has no importer called 'x-nope'"
        ),
        ("import", "x-ndjson", str(path), "--background"): "Give the format, the file and the",
        ("import", "x-ndjson", str(path), "--campaign", "shut", "--background"): (
            "No campaign is called 'shut'"
        ),
    }
    for args, reason in cases.items():
        refused = houseboat(*args, data_dir=data)
        assert refused.returncode == 1, args
        assert reason in refused.stderr, (args, refused.stderr)
        assert "Traceback" not in refused.stderr
    assert not list((data / "imports").glob("*/*"))  # nothing was queued or left behind
