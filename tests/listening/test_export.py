"""The portable export: open files with a manifest, verified, and restored losslessly."""

import hashlib
import io
import json
import zlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from houseboat.campaigns.models import Campaign
from houseboat.connectors.base import RemoteItem
from houseboat.core.constants import AuditAction
from houseboat.core.models import AuditEvent
from houseboat.listening import custody, export
from houseboat.listening.export import ExportError, export_campaign, verify_export
from houseboat.listening.importers.base import ImportFileError
from houseboat.listening.imports import capture_live, run_import
from houseboat.listening.models import (
    Author,
    Capture,
    CarriedCustodyRecord,
    CustodyRecord,
    Item,
    MetricSnapshot,
)
from tests.core.test_cli import houseboat
from tests.listening.samples import (
    LATER,
    PHOTO,
    ndjson,
    standard_archive,
    standard_telegram,
    three_tweet_page,
    v2_page,
    v2_tweet,
    write,
)

pytestmark = pytest.mark.django_db


def telegram_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "ChatExport"
    (folder / "photos").mkdir(parents=True)
    (folder / "photos" / "photo_1@28-05-2024_12-15-00.jpg").write_bytes(PHOTO + b"tg")
    return write(folder / "result.json", json.dumps(standard_telegram()).encode())


@pytest.fixture
def full_archive(campaign_a, tmp_path):
    """Posts from four sources, media files, a later capture, and a post without an author."""
    sources = tmp_path / "sources"
    sources.mkdir()
    run_import(campaign=campaign_a, format="x-archive", path=standard_archive(sources / "x.zip"))
    run_import(
        campaign=campaign_a,
        format="x-ndjson",
        path=write(sources / "a.jsonl", ndjson(three_tweet_page())),
    )
    later = v2_page(
        [v2_tweet("1795000000000000001", "Free them now", likes=40)], retrieved_at=LATER
    )
    run_import(
        campaign=campaign_a, format="x-ndjson", path=write(sources / "b.jsonl", ndjson(later))
    )
    run_import(campaign=campaign_a, format="telegram-json", path=telegram_folder(sources))
    capture_live(
        campaign=campaign_a,
        items=[
            RemoteItem(
                network="rss",
                remote_id="urn:uuid:1",
                text="الحرية للصحفيين — ¡Libertad! 🕊️",
                created_at=None,
                author=None,
                raw={"id": "urn:uuid:1", "big": 12345678901234567890, "f": 0.1},
            )
        ],
        network="rss",
        source="feed",
    )
    return campaign_a


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def test_an_export_holds_items_authors_media_custody_and_a_manifest_of_every_file(
    full_archive, tmp_path
):
    result = export_campaign(full_archive, tmp_path / "out")
    out = result.path
    names = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    media = [n for n in names if n.startswith("media/")]
    assert set(names) - set(media) == {
        "README.txt",
        "SHA256SUMS",
        "authors.jsonl",
        "custody.jsonl",
        "items.jsonl",
        "items.parquet",
        "manifest.json",
    }
    assert len(media) == 2  # the X picture (twice in the archive, stored once) and Telegram's
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["format"] == "houseboat-export"
    assert manifest["tool"].startswith("houseboat ")
    assert sorted(manifest["files"]) == [n for n in names if n != "manifest.json"]
    for name, entry in manifest["files"].items():
        data = (out / name).read_bytes()
        assert entry == {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
    assert (
        result.manifest_sha256 == hashlib.sha256((out / "manifest.json").read_bytes()).hexdigest()
    )
    assert manifest["counts"] == {
        "items": 10,
        "snapshots": 1,
        "authors": 4,
        "media_files": 2,
        "custody": 5,
    }
    assert list(out.parent.glob(".out.partial-*")) == []


def test_the_readme_recipe_recomputes_every_raw_payload_hash(full_archive, tmp_path):
    out = export_campaign(full_archive, tmp_path / "out").path
    items = lines(out / "items.jsonl")
    for item in items:
        canonical = json.dumps(
            item["raw"], sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode("utf-8")
        assert hashlib.sha256(canonical).hexdigest() == item["raw_sha256"]
        stored = Item.objects.get(network=item["network"], remote_id=item["remote_id"])
        assert item["raw_sha256"] == stored.raw_sha256
    assert "ensure_ascii=False" in (out / "README.txt").read_text()


def test_items_carry_their_fields_media_history_and_custody_record(full_archive, tmp_path):
    out = export_campaign(full_archive, tmp_path / "out").path
    items = {i["remote_id"]: i for i in lines(out / "items.jsonl")}
    assert items["urn:uuid:1"]["created_at"] is None
    assert next(iter(items)) == "urn:uuid:1"  # posts without a time come first
    assert items["urn:uuid:1"]["raw"]["big"] == 12345678901234567890
    photo = items["1795000000000000102"]["media"][0]
    assert (out / "media" / photo["sha256"]).read_bytes() == PHOTO
    assert photo["mime_type"] == "image/jpeg"
    liked = items["1795000000000000001"]
    assert [h["metrics"]["likes"] for h in liked["history"]] == [40]
    records = {
        json.loads(r["statement"])["capture"]: r["record_hash"]
        for r in lines(out / "custody.jsonl")
    }
    capture = Item.objects.get(remote_id="1795000000000000001").capture_id
    assert liked["custody"] == records[capture]
    assert liked["history"][0]["custody"] == records[MetricSnapshot.objects.get().capture_id]
    assert items["-1001234567890:3"]["author"]["display_name"] == "Free the Ten"


def test_a_payload_json_would_not_give_back_exactly_is_exported_as_base64(campaign_a, tmp_path):
    body = b'{"b":1,"a":2.50}'
    Item.objects.create(
        campaign=campaign_a,
        network="x",
        remote_id="odd",
        raw=zlib.compress(body),
        raw_sha256=hashlib.sha256(body).hexdigest(),
        captured_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    out = export_campaign(campaign_a, tmp_path / "out").path
    (line,) = lines(out / "items.jsonl")
    assert "raw" not in line
    assert line["raw_base64"] == "eyJiIjoxLCJhIjoyLjUwfQ=="
    assert verify_export(out).ok
    other = Campaign.objects.create(team=campaign_a.team, name="Copy", slug="copy")
    run_import(campaign=other, format="houseboat-export", path=out)
    restored = Item.objects.get(campaign=other)
    assert zlib.decompress(restored.raw) == body


def test_items_parquet_holds_typed_columns_for_analysts(full_archive, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = export_campaign(full_archive, tmp_path / "out").path
    table = pq.read_table(out / "items.parquet")
    rows = table.to_pylist()
    jsonl = lines(out / "items.jsonl")
    assert [(r["network"], r["remote_id"]) for r in rows] == [
        (line["network"], line["remote_id"]) for line in jsonl
    ]
    assert table.schema.field("created_at").type == pa.timestamp("us", tz="UTC")
    assert table.schema.field("hashtags").type == pa.list_(pa.string())
    tagged = next(r for r in rows if r["remote_id"] == "1795000000000000001")
    assert tagged["hashtags"] == ["FreeTheTen"]
    assert tagged["created_at"] == datetime(2024, 5, 28, 10, 15, tzinfo=UTC)
    assert tagged["metrics"]["likes"] == 1  # the first capture, as in items.jsonl
    rss = next(r for r in rows if r["network"] == "rss")
    assert rss["text"] == "الحرية للصحفيين — ¡Libertad! 🕊️"
    assert rss["created_at"] is None
    assert rss["author_handle"] is None
    assert sum(bool(r["media_sha256"]) for r in rows) == sum(
        any(m["sha256"] for m in line["media"]) for line in jsonl
    )


def test_items_parquet_is_written_in_row_groups(full_archive, tmp_path, monkeypatch):
    import pyarrow.parquet as pq

    from houseboat.listening import export

    monkeypatch.setattr(export, "PARQUET_ROWS", 3)
    out = export_campaign(full_archive, tmp_path / "out").path
    parquet = pq.ParquetFile(out / "items.parquet")
    assert parquet.metadata.num_rows == 10
    assert parquet.metadata.num_row_groups == 4
    assert verify_export(out).ok


def test_without_the_parquet_extra_the_export_is_whole_and_verifies(
    full_archive, tmp_path, monkeypatch
):
    # A default install has no pyarrow: items.jsonl is the complete record all the same.
    with_parquet = export_campaign(full_archive, tmp_path / "with").path
    monkeypatch.setattr(export, "parquet_available", lambda: False)
    folder = export_campaign(full_archive, tmp_path / "without").path
    assert not (folder / "items.parquet").exists()
    assert lines(folder / "items.jsonl") == lines(with_parquet / "items.jsonl")
    assert len(lines(folder / "items.jsonl")) > 0
    assert verify_export(folder).ok


def test_an_export_never_writes_into_a_folder_that_holds_files(full_archive, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    with pytest.raises(ExportError, match="already exists and is not an empty folder"):
        export_campaign(full_archive, out)
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]
    empty = tmp_path / "empty"
    empty.mkdir()
    assert export_campaign(full_archive, empty).path == empty


def test_an_export_is_recorded_in_the_chain_of_custody(full_archive, tmp_path):
    result = export_campaign(full_archive, tmp_path / "out")
    record = CustodyRecord.objects.get(seq=result.custody_seq)
    statement = json.loads(record.statement)
    assert statement["action"] == "export"
    assert statement["manifest_sha256"] == result.manifest_sha256
    assert custody.verify_chain() == []


# --- verify -------------------------------------------------------------------------------


@pytest.fixture
def exported(full_archive, tmp_path) -> Path:
    return export_campaign(full_archive, tmp_path / "out").path


def test_an_untouched_export_verifies(exported):
    report = verify_export(exported)
    assert report.ok, report.problems


def test_verify_names_each_file_that_changed_is_missing_or_was_added(exported):
    media = sorted((exported / "media").iterdir())
    media[0].write_bytes(b"another picture")
    (exported / "authors.jsonl").unlink()
    (exported / "media" / "extra.jpg").write_bytes(b"x")
    problems = verify_export(exported).problems
    assert f"media/{media[0].name} changed: its SHA-256 is not the one in the manifest." in problems
    assert "authors.jsonl is missing." in problems
    assert "media/extra.jpg was added: the manifest does not list it." in problems


def test_verify_names_a_tampered_parquet_file(exported):
    data = bytearray((exported / "items.parquet").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (exported / "items.parquet").write_bytes(bytes(data))
    assert verify_export(exported).problems == [
        "items.parquet changed: its SHA-256 is not the one in the manifest."
    ]


def test_restoring_an_export_reads_items_jsonl_not_the_parquet_copy(exported, team_b):
    import pyarrow.parquet as pq

    assert pq.read_metadata(exported / "items.parquet").num_rows == 10
    fresh = Campaign.objects.create(team=team_b, name="Restored", slug="restored")
    capture = run_import(campaign=fresh, format="houseboat-export", path=exported)
    assert capture.items_new == 10


def test_verify_finds_an_edited_payload_even_when_the_manifest_was_rewritten(exported):
    items = (exported / "items.jsonl").read_text("utf-8").replace("Day 100", "Day 1")
    (exported / "items.jsonl").write_text(items, "utf-8")
    manifest = json.loads((exported / "manifest.json").read_text())
    data = (exported / "items.jsonl").read_bytes()
    manifest["files"]["items.jsonl"] = {
        "sha256": hashlib.sha256(data).hexdigest(),
        "size": len(data),
    }
    (exported / "manifest.json").write_text(json.dumps(manifest))
    problems = verify_export(exported).problems
    assert any("the raw payload does not match its SHA-256" in p for p in problems), problems
    assert "SHA256SUMS" not in " ".join(problems)  # the sums were not rewritten: still the same


def test_verify_finds_an_edited_custody_record(exported):
    text = (
        (exported / "custody.jsonl").read_text("utf-8").replace('\\"by\\":\\"', '\\"by\\":\\"x', 1)
    )
    (exported / "custody.jsonl").write_text(text, "utf-8")
    problems = verify_export(exported).problems
    assert "custody.jsonl changed: its SHA-256 is not the one in the manifest." in problems
    assert any("was changed after it was written" in p for p in problems), problems


def test_verify_refuses_a_folder_that_is_not_an_export(tmp_path):
    with pytest.raises(ExportError, match=r"has no manifest\.json"):
        verify_export(tmp_path)
    (tmp_path / "manifest.json").write_text('{"format": "something else"}')
    with pytest.raises(ExportError, match="is not the manifest of a houseboat export"):
        verify_export(tmp_path)


def test_a_manifest_naming_a_path_outside_the_export_is_a_problem_not_a_read(exported, tmp_path):
    manifest = json.loads((exported / "manifest.json").read_text())
    manifest["files"]["../secret"] = {"sha256": "0" * 64, "size": 1}
    (exported / "manifest.json").write_text(json.dumps(manifest))
    assert "The manifest names '../secret', which is not a file inside the export." in (
        verify_export(exported).problems
    )


# --- restore ------------------------------------------------------------------------------


def content(out: Path) -> dict[str, bytes]:
    """The files that must come out the same after a round trip."""
    names = [
        "items.jsonl",
        "items.parquet",
        "authors.jsonl",
        *(f"media/{p.name}" for p in (out / "media").iterdir()),
    ]
    return {name: (out / name).read_bytes() for name in names}


def test_export_import_export_gives_the_same_items_authors_and_media(
    full_archive, team_b, tmp_path, settings
):
    first = export_campaign(full_archive, tmp_path / "first").path
    hashes = dict(Item.objects.values_list("remote_id", "raw_sha256"))
    # Another install: nothing of the first archive is left, not even its media files.
    full_archive.delete()
    Author.objects.all().delete()
    settings.HOUSEBOAT_ARCHIVE_DIR = tmp_path / "another-install"
    fresh = Campaign.objects.create(team=team_b, name="Restored", slug="restored")

    capture = run_import(campaign=fresh, format="houseboat-export", path=first)

    assert (capture.items_new, capture.snapshots_new, capture.media_stored) == (10, 1, 2)
    assert dict(Item.objects.values_list("remote_id", "raw_sha256")) == hashes
    assert custody.verify_payloads() == []
    second = export_campaign(fresh, tmp_path / "second").path
    assert content(second) == content(first)
    assert verify_export(second).ok
    carried = lines(first / "custody.jsonl")
    again = lines(second / "custody.jsonl")
    assert [r["record_hash"] for r in again[: len(carried)]] == [r["record_hash"] for r in carried]
    assert {r["origin"] for r in again[: len(carried)]} == {"carried"}
    assert json.loads(again[-1]["statement"])["format"] == "houseboat-export"


def test_restoring_the_same_export_twice_adds_nothing(exported, campaign_a):
    again = run_import(campaign=campaign_a, format="houseboat-export", path=exported)
    assert (again.items_new, again.snapshots_new) == (0, 0)
    assert again.items_known == 11  # ten items and one later capture
    copy = Campaign.objects.create(team=campaign_a.team, name="Copy", slug="copy")
    run_import(campaign=copy, format="houseboat-export", path=exported / "manifest.json")
    run_import(campaign=copy, format="houseboat-export", path=exported)
    assert Item.objects.filter(campaign=copy).count() == 10
    assert CarriedCustodyRecord.objects.filter(campaign=copy).count() == 5


def test_a_changed_export_is_refused_whole(exported, team_b):
    (exported / "media" / "extra.jpg").write_bytes(b"x")
    fresh = Campaign.objects.create(team=team_b, name="Restored", slug="restored")
    with pytest.raises(
        ImportFileError, match=r"does not match its manifest: media/extra\.jpg was added"
    ):
        run_import(campaign=fresh, format="houseboat-export", path=exported)
    assert not Item.objects.filter(campaign=fresh).exists()


def test_a_folder_that_is_not_an_export_is_refused(campaign_a, tmp_path):
    with pytest.raises(
        ImportFileError, match=r"has no manifest\.json.*Expected the folder written"
    ):
        run_import(campaign=campaign_a, format="houseboat-export", path=tmp_path)
    assert Capture.objects.filter(state="running").count() == 0


def test_deleting_a_campaign_takes_its_carried_custody_records(exported, team_b):
    fresh = Campaign.objects.create(team=team_b, name="Restored", slug="restored")
    run_import(campaign=fresh, format="houseboat-export", path=exported)
    fresh.delete()
    assert CarriedCustodyRecord.objects.count() == 0


# --- the commands -------------------------------------------------------------------------


def call(name: str, *args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(name, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_export_command_says_what_it_wrote_and_the_manifest_hash(full_archive, tmp_path):
    out, _ = call("export", "--campaign", "free-the-ten", "--out", str(tmp_path / "e"))
    assert "Exported 10 items (1 later captures), 4 authors, 2 media files" in out
    assert "Manifest SHA-256: " in out
    event = AuditEvent.objects.get(action=AuditAction.ARCHIVE_EXPORTED)
    assert (event.team, event.target) == (full_archive.team, "Free the Ten")
    assert "manifest SHA-256" in event.detail
    with pytest.raises(CommandError, match="already exists"):
        call("export", "--campaign", "free-the-ten", "--out", str(tmp_path / "e"))
    assert (tmp_path / "e" / "items.parquet").is_file()


def test_the_verify_command_lists_problems_and_fails(exported):
    out, _ = call("verify", str(exported))
    assert "is intact" in out
    (exported / "items.jsonl").write_text("")
    with pytest.raises(CommandError, match="is NOT as it was written"):
        call("verify", str(exported))


def test_a_real_process_exports_and_verifies_without_a_traceback(tmp_path):
    data = tmp_path / "data"
    assert houseboat("migrate", "-v0", data_dir=data).returncode == 0
    houseboat("team", "create", "Harbour Watch", data_dir=data)
    houseboat("campaign", "create", "--team", "harbour-watch", "--name", "Open", data_dir=data)
    path = write(tmp_path / "s.jsonl", ndjson(three_tweet_page()))
    assert (
        houseboat("import", "x-ndjson", str(path), "--campaign", "open", data_dir=data).returncode
        == 0
    )
    done = houseboat("export", "--campaign", "open", "--out", str(tmp_path / "e"), data_dir=data)
    assert done.returncode == 0, done.stderr
    (tmp_path / "e" / "README.txt").write_text("changed")
    checked = houseboat("verify", str(tmp_path / "e"), data_dir=data)
    assert checked.returncode == 1
    assert "README.txt changed" in checked.stderr
    assert "Traceback" not in checked.stderr
