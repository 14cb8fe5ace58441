"""Retention: an owner purges a campaign's archive, and only what was asked goes."""

import json
from collections import Counter
from datetime import UTC, date

import pytest
from django.core.management import CommandError, call_command

from houseboat.campaigns.models import Campaign
from houseboat.core.constants import AuditAction
from houseboat.core.models import AuditEvent
from houseboat.listening import custody
from houseboat.listening.imports import run_import
from houseboat.listening.models import (
    CustodyRecord,
    HourlyCount,
    Item,
    ItemHashtag,
    ItemMedia,
    MediaBlob,
    blob_path,
)
from houseboat.listening.retention import Purge, purge_archive
from houseboat.listening.search import search
from tests.listening.samples import ndjson, standard_archive, v2_page, v2_tweet, write
from tests.listening.test_analytics import expected_authors, expected_pairs

pytestmark = pytest.mark.django_db


def spread_page():
    """Posts on three days: two in May, one in June."""
    return v2_page(
        [
            v2_tweet(
                "1",
                "Early vigil #FreeTheTen #Vigil",
                hashtags=("FreeTheTen", "Vigil"),
                created_at="2024-05-01T09:00:00.000Z",
            ),
            v2_tweet(
                "2",
                "Second early post #Vigil",
                hashtags=("Vigil",),
                author_id="783214",
                created_at="2024-05-02T09:30:00.000Z",
            ),
            v2_tweet(
                "3",
                "June march #FreeTheTen",
                hashtags=("FreeTheTen",),
                created_at="2024-06-01T12:00:00.000Z",
            ),
        ]
    )


def fill(campaign, tmp_path, name="x"):
    folder = tmp_path / f"sources-{campaign.slug}-{name}"
    folder.mkdir()
    run_import(campaign=campaign, format="x-archive", path=standard_archive(folder / "x.zip"))
    run_import(
        campaign=campaign, format="x-ndjson", path=write(folder / "p.jsonl", ndjson(spread_page()))
    )
    return campaign


@pytest.fixture
def archive(campaign_a, tmp_path):
    return fill(campaign_a, tmp_path)


@pytest.fixture
def campaign_b(team_b, tmp_path):
    campaign = Campaign.objects.create(team=team_b, name="Other", slug="other")
    return fill(campaign, tmp_path)


def expected_hours(campaign):
    counts = Counter()
    for item in Item.objects.filter(campaign=campaign, created_at__isnull=False):
        hour = item.created_at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
        counts[(hour, "")] += 1
        for tag in item.hashtag_rows.values_list("tag", flat=True):
            counts[(hour, tag)] += 1
    return dict(counts)


def rollups_agree(campaign):
    hours = {(r.hour, r.hashtag): r.count for r in HourlyCount.objects.filter(campaign=campaign)}
    from houseboat.listening.models import AuthorCount, HashtagPair

    authors = {
        r.author_id: (r.posts, r.reposts) for r in AuthorCount.objects.filter(campaign=campaign)
    }
    pairs = {(r.tag, r.other): r.count for r in HashtagPair.objects.filter(campaign=campaign)}
    assert hours == expected_hours(campaign)
    assert authors == expected_authors(campaign)
    assert pairs == expected_pairs(campaign)


def test_purging_before_a_date_takes_only_older_items_and_their_rows(archive):
    assert Item.objects.filter(campaign=archive).count() == 6
    assert search(archive, "vigil").total == 2
    purge = Purge(archive, date(2024, 5, 28))
    assert purge.items().count() == 2

    result = purge_archive(purge)

    assert result.items == 2
    assert sorted(Item.objects.filter(campaign=archive).values_list("remote_id", flat=True)) == [
        "1795000000000000101",
        "1795000000000000102",
        "1795000000000000103",
        "3",
    ]
    assert search(archive, "vigil").total == 0
    assert search(archive, "june").total == 1
    assert not ItemHashtag.objects.filter(tag="vigil").exists()
    rollups_agree(archive)


def test_the_whole_archive_can_be_purged_and_the_roll_ups_are_empty(archive):
    result = purge_archive(Purge(archive))
    assert result.items == 6
    assert not Item.objects.filter(campaign=archive).exists()
    assert not HourlyCount.objects.filter(campaign=archive).exists()
    assert search(archive, "faces").total == 0
    rollups_agree(archive)


def test_a_media_file_stays_while_another_campaign_uses_it_and_goes_with_the_last(
    archive, campaign_b, django_capture_on_commit_callbacks
):
    (sha256,) = MediaBlob.objects.values_list("sha256", flat=True)
    assert blob_path(sha256).is_file()
    b_items = set(Item.objects.filter(campaign=campaign_b).values_list("id", "raw_sha256"))

    with django_capture_on_commit_callbacks(execute=True):
        with_media = purge_archive(Purge(archive))

    assert with_media.media_files == 0
    assert blob_path(sha256).is_file()  # campaign B's posts still show it
    assert set(Item.objects.filter(campaign=campaign_b).values_list("id", "raw_sha256")) == b_items
    assert search(campaign_b, "faces").total == 2
    rollups_agree(campaign_b)

    with django_capture_on_commit_callbacks(execute=True):
        last = purge_archive(Purge(campaign_b))
    assert last.media_files == 1
    assert not MediaBlob.objects.exists()
    assert not ItemMedia.objects.exists()
    assert not blob_path(sha256).exists()


def test_a_purge_keeps_the_custody_chain_and_records_itself_and_an_audit_event(archive, alice):
    before = CustodyRecord.objects.count()
    result = purge_archive(Purge(archive, date(2024, 5, 28)), actor=alice)
    assert CustodyRecord.objects.count() == before + 1
    assert custody.verify_chain() == []
    statement = json.loads(CustodyRecord.objects.get(seq=result.custody_seq).statement)
    assert statement["action"] == "purge"
    assert statement["items_purged"] == 2
    assert statement["before"] == "2024-05-28T00:00:00+00:00"
    assert statement["by"] == "alice"
    event = AuditEvent.objects.get(action=AuditAction.ARCHIVE_PURGED)
    assert (event.team, event.actor, event.target) == (archive.team, alice, "free-the-ten")
    assert "2 items purged" in event.detail


# --- the command --------------------------------------------------------------------------


def call(*args):
    from io import StringIO

    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_the_command_without_yes_only_says_what_it_would_purge(archive):
    out = call("archive", "purge", "--campaign", "free-the-ten", "--before", "2024-05-28")
    assert "Would purge 2 items of free-the-ten" in out
    assert "add --yes" in out
    assert Item.objects.filter(campaign=archive).count() == 6
    assert not AuditEvent.objects.filter(action=AuditAction.ARCHIVE_PURGED).exists()


def test_the_command_with_yes_purges(archive):
    out = call("archive", "purge", "--campaign", "free-the-ten", "--all", "--yes")
    assert "Purged 6 items of free-the-ten" in out
    assert not Item.objects.filter(campaign=archive).exists()


def test_the_command_refuses_a_bad_date_or_campaign_and_changes_nothing(archive):
    with pytest.raises(CommandError, match="not a date: write it as YYYY-MM-DD"):
        call("archive", "purge", "--campaign", "free-the-ten", "--before", "28/05/2024", "--yes")
    with pytest.raises(CommandError, match="No campaign is called 'nope'"):
        call("archive", "purge", "--campaign", "nope", "--all", "--yes")
    assert Item.objects.filter(campaign=archive).count() == 6


# --- the page -----------------------------------------------------------------------------


def url():
    return "/t/team-a/archive/retention/"


def test_an_owner_counts_confirms_and_purges(archive, as_alice):
    assert as_alice.get(url()).status_code == 200
    asked = {"campaign": "free-the-ten", "scope": "before", "before": "2024-05-28"}
    preview = as_alice.post(url(), asked)
    assert preview.status_code == 200
    page = preview.content.decode()
    assert "2 posts of <bdi>Free the Ten</bdi>, posted before 28 May 2024" in page
    assert Item.objects.filter(campaign=archive).count() == 6  # nothing yet

    done = as_alice.post(url(), {**asked, "confirm": "yes"}, follow=True)

    assert done.status_code == 200
    assert "Purged 2 items from Free the Ten" in done.content.decode()
    assert Item.objects.filter(campaign=archive).count() == 4
    assert AuditEvent.objects.get(action=AuditAction.ARCHIVE_PURGED).actor.username == "alice"


def test_a_date_is_needed_unless_everything_is_purged(archive, as_alice):
    response = as_alice.post(
        url(), {"campaign": "free-the-ten", "scope": "before", "confirm": "yes"}
    )
    assert response.status_code == 400
    assert "Choose the date" in response.content.decode()
    assert Item.objects.filter(campaign=archive).count() == 6


def test_an_editor_cannot_purge(archive, as_bob):
    assert as_bob.get(url()).status_code == 403
    response = as_bob.post(url(), {"campaign": "free-the-ten", "scope": "all", "confirm": "yes"})
    assert response.status_code == 403
    assert "Only an owner" in response.content.decode()
    assert Item.objects.filter(campaign=archive).count() == 6


def test_an_owner_cannot_reach_another_teams_campaign(archive, campaign_b, as_mallory, mallory):
    response = as_mallory.post(
        url(), {"campaign": "free-the-ten", "scope": "all", "confirm": "yes"}
    )
    assert response.status_code == 404
    other = as_mallory.post(
        "/t/team-b/archive/retention/",
        {"campaign": "free-the-ten", "scope": "all", "confirm": "yes"},
    )
    assert other.status_code == 400  # not one of team B's campaigns
    assert Item.objects.filter(campaign=archive).count() == 6
