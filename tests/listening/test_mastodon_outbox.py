"""The Mastodon account archive: outbox.json alone or in its ZIP, direct messages left out."""

import json
import zipfile

import pytest

from houseboat.listening.constants import CaptureState
from houseboat.listening.importers.base import ImportFileError, UnsafeFile
from houseboat.listening.imports import run_import
from houseboat.listening.models import Capture, Item, ItemMedia, MediaBlob
from tests.listening.samples import (
    ACTOR_JSON,
    MASTODON_MEDIA,
    PHOTO,
    note_activity,
    outbox,
    standard_outbox,
    write,
)

pytestmark = pytest.mark.django_db


def archive_zip(path, files):
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return path


def standard_zip(path):
    return archive_zip(
        path,
        {
            "actor.json": json.dumps(ACTOR_JSON),
            "outbox.json": json.dumps(standard_outbox()),
            "likes.json": json.dumps({"type": "OrderedCollection", "orderedItems": []}),
            MASTODON_MEDIA: PHOTO,
        },
    )


def test_an_outbox_is_imported_as_text_with_tags_links_and_replies(campaign_a, tmp_path):
    path = write(tmp_path / "outbox.json", json.dumps(standard_outbox()).encode())
    capture = run_import(campaign=campaign_a, format="mastodon-outbox", path=path)
    assert (capture.state, capture.items_new) == (CaptureState.DONE, 3)
    post = Item.objects.get(remote_id="112000000000000001")
    assert post.text == "Day 100 #FreeTheTen — read https://example.org/report"
    assert post.hashtags == ["FreeTheTen"]
    assert post.links == ["https://example.org/report"]
    assert post.language == "en"
    assert post.url == "https://example.social/@ana/112000000000000001"
    assert post.author.handle == "@ana@example.social"
    boost = Item.objects.get(remote_id="112000000000000002")
    assert boost.repost_of_id == "https://other.example/users/bea/statuses/999"
    reply = Item.objects.get(remote_id="112000000000000003")
    assert reply.mentions == ["bea@other.example"]
    assert reply.reply_to_id == "https://other.example/users/bea/statuses/999"


def test_direct_messages_are_left_out_of_the_campaign_archive(campaign_a, tmp_path):
    path = write(tmp_path / "outbox.json", json.dumps(standard_outbox()).encode())
    run_import(campaign=campaign_a, format="mastodon-outbox", path=path)
    assert not Item.objects.filter(remote_id="112000000000000004").exists()
    assert not Item.objects.filter(text__contains="lawyer").exists()


def test_the_archive_zip_brings_the_account_and_the_pictures(campaign_a, tmp_path):
    capture = run_import(
        campaign=campaign_a, format="mastodon-outbox", path=standard_zip(tmp_path / "a.zip")
    )
    post = Item.objects.get(remote_id="112000000000000001")
    assert post.author.display_name == "Ana of Free the Ten"
    media = ItemMedia.objects.get(item=post)
    assert (media.kind, media.alt) == ("image", "Ten portraits on a wall")
    assert media.blob.path.read_bytes() == PHOTO
    assert capture.media_stored == 1


def test_reimporting_the_outbox_adds_nothing(campaign_a, tmp_path):
    path = standard_zip(tmp_path / "a.zip")
    run_import(campaign=campaign_a, format="mastodon-outbox", path=path)
    again = run_import(campaign=campaign_a, format="mastodon-outbox", path=path)
    assert (again.items_new, again.items_known) == (0, 3)
    assert (Item.objects.count(), MediaBlob.objects.count()) == (3, 1)


def test_a_content_warning_comes_before_the_text(campaign_a, tmp_path):
    activity = note_activity("5", "<p>details</p>")
    activity["object"]["summary"] = "violence"
    path = write(tmp_path / "outbox.json", json.dumps(outbox([activity])).encode())
    run_import(campaign=campaign_a, format="mastodon-outbox", path=path)
    assert Item.objects.get().text == "violence\n\ndetails"


def assert_refused(campaign, path, match, error=ImportFileError):
    with pytest.raises(error, match=match):
        run_import(campaign=campaign, format="mastodon-outbox", path=path)
    assert Item.objects.count() == 0
    assert Capture.objects.exclude(state=CaptureState.FAILED).count() == 0


def test_an_empty_outbox_file_is_refused(campaign_a, tmp_path):
    assert_refused(
        campaign_a, write(tmp_path / "outbox.json", b""), "is empty: expected a Mastodon"
    )


def test_actor_json_given_as_the_outbox_is_refused_as_the_wrong_format(campaign_a, tmp_path):
    path = write(tmp_path / "actor.json", json.dumps(ACTOR_JSON).encode())
    assert_refused(
        campaign_a,
        path,
        "holds no list of posts where a Mastodon outbox keeps them: expected a Mastodon account archive",
    )


def test_a_json_list_is_refused_as_the_wrong_format(campaign_a, tmp_path):
    assert_refused(
        campaign_a, write(tmp_path / "x.json", b"[1, 2]"), "is not an ActivityPub outbox"
    )


def test_a_cut_off_outbox_imports_nothing(campaign_a, tmp_path):
    data = json.dumps(standard_outbox()).encode()
    assert_refused(campaign_a, write(tmp_path / "outbox.json", data[:-300]), "seems cut off")


def test_a_zip_without_an_outbox_is_refused(campaign_a, tmp_path):
    path = archive_zip(tmp_path / "a.zip", {"actor.json": json.dumps(ACTOR_JSON)})
    assert_refused(campaign_a, path, "has no outbox.json")


def test_a_zip_with_a_path_traversal_entry_is_refused(campaign_a, tmp_path):
    path = standard_zip(tmp_path / "a.zip")
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("media_attachments/../../../evil.sh", "x")
    assert_refused(campaign_a, path, "unsafe path", UnsafeFile)


def test_a_post_that_cannot_be_read_imports_nothing_unless_keep_going(campaign_a, tmp_path):
    broken = note_activity("7", "<p>x</p>")
    del broken["object"]["id"]
    items = [*standard_outbox()["orderedItems"], broken]
    path = write(tmp_path / "outbox.json", json.dumps(outbox(items)).encode())
    assert_refused(campaign_a, path, "activity 5: the post cannot be read")
    capture = run_import(campaign=campaign_a, format="mastodon-outbox", path=path, keep_going=True)
    assert (capture.items_new, capture.records_skipped) == (3, 1)
