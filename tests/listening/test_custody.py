"""The chain of custody: every capture recorded, and any later edit breaks verification."""

import hashlib
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from houseboat.listening.custody import GENESIS, chain_hash, verify_chain, verify_payloads
from houseboat.listening.imports import run_import
from houseboat.listening.models import CustodyRecord, Item
from tests.listening.samples import PHOTO, ndjson, standard_archive, three_tweet_page, write

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_imports(campaign_a, alice, tmp_path):
    ndjson_path = write(tmp_path / "search.jsonl", ndjson(three_tweet_page()))
    run_import(campaign=campaign_a, format="x-ndjson", path=ndjson_path, actor=alice)
    run_import(campaign=campaign_a, format="x-archive", path=standard_archive(tmp_path / "x.zip"))
    run_import(campaign=campaign_a, format="x-ndjson", path=ndjson_path)
    return ndjson_path


def sql(statement: str, *params) -> None:
    """Change the table behind houseboat's back, as someone with the database file could."""
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_every_import_writes_a_record_that_says_who_what_and_which_hashes(
    three_imports, campaign_a
):
    records = list(CustodyRecord.objects.order_by("seq"))
    assert [r.seq for r in records] == [1, 2, 3]
    first = json.loads(records[0].statement)
    assert first["by"] == "alice"
    assert first["campaign"] == "free-the-ten"
    assert first["team"] == "team-a"
    assert first["format"] == "x-ndjson"
    assert first["tool"].startswith("houseboat ")
    assert "importer x-ndjson v1" in first["tool"]
    assert first["source"]["name"] == "search.jsonl"
    assert first["source"]["sha256"] == hashlib.sha256(three_imports.read_bytes()).hexdigest()
    assert first["payloads"]["count"] == 3
    # The payload chain can be recomputed from the stored items, in file order.
    digest = bytes(32)
    for item in Item.objects.filter(capture=records[0].capture).order_by("remote_id"):
        digest = hashlib.sha256(digest + bytes.fromhex(item.raw_sha256)).digest()
    assert first["payloads"]["chain_sha256"] == digest.hex()
    second = json.loads(records[1].statement)
    assert second["by"] == "command line"
    assert second["media_sha256"] == [hashlib.sha256(PHOTO).hexdigest()]
    # A re-import is recorded too, even though it added nothing.
    third = json.loads(records[2].statement)
    assert (third["items_new"], third["items_known"]) == (0, 3)


def test_the_chain_verifies(three_imports):
    assert verify_chain() == []
    first = CustodyRecord.objects.get(seq=1)
    assert first.prev_hash == GENESIS
    assert first.record_hash == chain_hash(GENESIS, first.statement)


def test_editing_a_record_breaks_the_chain(three_imports):
    record = CustodyRecord.objects.get(seq=2)
    forged = record.statement.replace('"by":"command line"', '"by":"mallory"')
    assert forged != record.statement
    sql("UPDATE listening_custodyrecord SET statement = %s WHERE seq = 2", forged)
    assert verify_chain() == ["Custody record 2 was changed after it was written."]


def test_recomputing_the_hash_of_an_edited_record_still_breaks_the_chain(three_imports):
    record = CustodyRecord.objects.get(seq=2)
    forged = record.statement.replace('"by":"command line"', '"by":"mallory"')
    sql(
        "UPDATE listening_custodyrecord SET statement = %s, record_hash = %s WHERE seq = 2",
        forged,
        chain_hash(record.prev_hash, forged),
    )
    assert verify_chain() == ["Custody record 3 does not follow the record before it."]


def test_removing_a_record_breaks_the_chain(three_imports):
    sql("DELETE FROM listening_custodyrecord WHERE seq = 2")
    problems = verify_chain()
    assert "Custody record 2 is missing (the next one is 3)." in problems
    assert "Custody record 3 does not follow the record before it." in problems


def test_custody_records_cannot_be_changed_or_removed_through_houseboat(three_imports):
    record = CustodyRecord.objects.get(seq=1)
    with pytest.raises(PermissionDenied):
        record.save()
    with pytest.raises(PermissionDenied):
        record.delete()
    with pytest.raises(PermissionDenied):
        CustodyRecord.objects.filter(seq=1).update(statement="{}")
    with pytest.raises(PermissionDenied):
        CustodyRecord.objects.all().delete()


def test_a_changed_raw_payload_no_longer_matches_its_hash(three_imports):
    assert verify_payloads() == []
    item = Item.objects.order_by("id").first()
    Item.objects.filter(pk=item.pk).update(raw=item.raw[:-1] + b"\0")
    assert verify_payloads() == [f"The raw payload of {item} cannot be read."]
    Item.objects.filter(pk=item.pk).update(raw_sha256="0" * 64)
    other = Item.objects.order_by("id")[1]
    Item.objects.filter(pk=other.pk).update(raw_sha256="0" * 64)
    assert f"The raw payload of {other} does not match its SHA-256." in verify_payloads()


def test_deleting_a_campaign_removes_its_archive_but_keeps_the_chain(three_imports, campaign_a):
    campaign_a.delete()
    assert Item.objects.count() == 0
    assert CustodyRecord.objects.count() == 3
    assert CustodyRecord.objects.filter(capture__isnull=True).count() == 3
    assert verify_chain() == []
