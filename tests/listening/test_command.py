"""`houseboat import FORMAT PATH --campaign SLUG` as a person runs it."""

import io

import pytest
from django.core.management import CommandError, call_command

from houseboat.core.constants import AuditAction
from houseboat.core.models import AuditEvent
from houseboat.listening.models import Item
from tests.core.test_cli import houseboat
from tests.listening.samples import ndjson, standard_archive, three_tweet_page, write

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_an_import_says_what_it_did_and_names_its_custody_record(campaign_a, alice, tmp_path):
    path = standard_archive(tmp_path / "x.zip")
    out, _ = run("x-archive", str(path), "--campaign", "free-the-ten", "--user", "alice")
    assert "Imported 3 new items from x.zip into free-the-ten" in out
    assert "1 media files stored" in out
    assert "Custody record 1." in out
    out, _ = run("x-archive", str(path), "--campaign", "free-the-ten")
    assert "Imported 0 new items" in out
    assert "3 already in the archive" in out


def test_an_import_is_in_the_audit_log_without_the_files_name(campaign_a, alice, tmp_path):
    path = standard_archive(tmp_path / "Chat with Ana.zip")
    run("x-archive", str(path), "--campaign", "free-the-ten", "--user", "alice")
    event = AuditEvent.objects.get(action=AuditAction.ARCHIVE_IMPORTED)
    assert (event.team, event.actor, event.target) == (campaign_a.team, alice, "Free the Ten")
    assert event.detail.startswith("x-archive: 3 new items")
    assert "Ana" not in event.detail


def test_keep_going_reports_how_many_bad_records_were_skipped(campaign_a, tmp_path):
    path = write(tmp_path / "s.jsonl", ndjson(three_tweet_page()) + b"{broken\n")
    with pytest.raises(CommandError, match="line 2: the line is not valid JSON"):
        run("x-ndjson", str(path), "--campaign", "free-the-ten")
    out, _ = run("x-ndjson", str(path), "--campaign", "free-the-ten", "--keep-going")
    assert "1 bad records skipped" in out
    assert Item.objects.count() == 3


def test_an_unknown_campaign_is_named(campaign_a, tmp_path):
    with pytest.raises(CommandError, match="No campaign is called 'nope'"):
        run("x-ndjson", str(tmp_path / "a"), "--campaign", "nope")


def test_an_importer_who_is_not_in_the_team_is_refused(campaign_a, mallory, tmp_path):
    path = write(tmp_path / "s.jsonl", ndjson(three_tweet_page()))
    with pytest.raises(CommandError, match="'mallory' is not a member of the team"):
        run("x-ndjson", str(path), "--campaign", "free-the-ten", "--user", "mallory")
    assert Item.objects.count() == 0


def test_a_real_process_imports_and_refuses_a_bad_file_without_a_traceback(tmp_path):
    data = tmp_path / "data"
    assert houseboat("migrate", "-v0", data_dir=data).returncode == 0
    houseboat("team", "create", "Harbour Watch", data_dir=data)
    houseboat("campaign", "create", "--team", "harbour-watch", "--name", "Open", data_dir=data)
    empty = write(tmp_path / "empty.jsonl", b"")
    refused = houseboat("import", "x-ndjson", str(empty), "--campaign", "open", data_dir=data)
    assert refused.returncode == 1
    assert "empty.jsonl is empty: expected X API v2 NDJSON" in refused.stderr
    assert "Traceback" not in refused.stderr
    path = write(tmp_path / "s.jsonl", ndjson(three_tweet_page()))
    done = houseboat("import", "x-ndjson", str(path), "--campaign", "open", data_dir=data)
    assert done.returncode == 0, done.stderr
    assert "Imported 3 new items" in done.stdout
