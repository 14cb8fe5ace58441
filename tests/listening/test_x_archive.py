"""The X account archive ZIP: posts from data/tweets.js, media stored once, unsafe ZIPs refused."""

import hashlib
import json
import zipfile
from datetime import UTC, datetime

import pytest

from houseboat.listening.constants import CaptureState
from houseboat.listening.importers.base import ImportFileError, UnsafeFile
from houseboat.listening.imports import run_import
from houseboat.listening.models import Capture, Item, ItemMedia, MediaBlob, blob_path
from tests.listening.samples import (
    ACCOUNT_JS,
    MANIFEST_JS,
    PHOTO,
    standard_archive,
    tweets_js,
    v1_tweet,
    x_archive_zip,
)

pytestmark = pytest.mark.django_db


def test_an_archive_is_imported_with_its_owner_and_counts(campaign_a, tmp_path):
    capture = run_import(
        campaign=campaign_a, format="x-archive", path=standard_archive(tmp_path / "x.zip")
    )
    assert (capture.state, capture.items_new) == (CaptureState.DONE, 3)
    first = Item.objects.get(remote_id="1795000000000000101")
    assert first.text == "Day 100 #FreeTheTen"
    assert first.created_at == datetime(2024, 5, 28, 10, 15, tzinfo=UTC)
    assert first.author.handle == "freetheten"
    assert first.author.remote_id == "1400000000000000000"
    assert first.url == "https://x.com/freetheten/status/1795000000000000101"
    assert first.metrics == {"likes": 7, "reposts": 3}
    assert first.hashtags == ["FreeTheTen"]
    # The counts are those of the day X generated the archive.
    assert first.captured_at == datetime(2024, 6, 1, 8, tzinfo=UTC)
    assert Item.objects.get(remote_id="1795000000000000103").reply_to_id == "1795000000000000102"


def test_media_files_are_stored_once_by_their_sha256(campaign_a, tmp_path, archive_dir):
    capture = run_import(
        campaign=campaign_a, format="x-archive", path=standard_archive(tmp_path / "x.zip")
    )
    sha256 = hashlib.sha256(PHOTO).hexdigest()
    blob = MediaBlob.objects.get()
    assert blob.sha256 == sha256
    assert blob.size == len(PHOTO)
    assert blob.mime_type == "image/jpeg"
    assert blob_path(sha256) == archive_dir / "media" / sha256[:2] / sha256[2:4] / sha256
    assert blob_path(sha256).read_bytes() == PHOTO
    assert ItemMedia.objects.filter(blob=blob).count() == 2  # two posts, one file
    assert capture.media_stored == 1
    assert list((archive_dir / "tmp").iterdir()) == []


def test_older_archives_with_tweet_js_and_parts_are_read(campaign_a, tmp_path):
    old_style = [v1_tweet("1", "first")]  # the oldest archives have no {"tweet": …} wrapper
    part = [{"tweet": v1_tweet("2", "second")}]
    path = x_archive_zip(
        tmp_path / "old.zip",
        {
            "data/account.js": ACCOUNT_JS,
            "data/tweet.js": tweets_js(old_style, "window.YTD.tweet.part0"),
            "data/tweet-part1.js": tweets_js(part, "window.YTD.tweet.part1"),
        },
    )
    run_import(campaign=campaign_a, format="x-archive", path=path)
    assert sorted(Item.objects.values_list("remote_id", flat=True)) == ["1", "2"]


def test_an_archive_without_account_js_uses_the_manifest(campaign_a, tmp_path):
    path = x_archive_zip(
        tmp_path / "x.zip",
        {
            "data/manifest.js": MANIFEST_JS,
            "data/tweets.js": tweets_js([{"tweet": v1_tweet("1", "a")}]),
        },
    )
    run_import(campaign=campaign_a, format="x-archive", path=path)
    assert Item.objects.get().author.handle == "freetheten"


def test_reimporting_an_archive_adds_nothing(campaign_a, tmp_path):
    path = standard_archive(tmp_path / "x.zip")
    run_import(campaign=campaign_a, format="x-archive", path=path)
    again = run_import(campaign=campaign_a, format="x-archive", path=path)
    assert (again.items_new, again.items_known, again.media_stored) == (0, 3, 0)
    assert (Item.objects.count(), MediaBlob.objects.count(), ItemMedia.objects.count()) == (3, 1, 2)


# --- bad and unsafe archives: a clear error, nothing imported ---------------------------------


def assert_refused(campaign, path, match, error=ImportFileError, **kwargs):
    with pytest.raises(error, match=match):
        run_import(campaign=campaign, format="x-archive", path=path, **kwargs)
    assert Item.objects.count() == 0
    assert MediaBlob.objects.count() == 0
    capture = Capture.objects.order_by("-id").first()
    assert capture is None or capture.state == CaptureState.FAILED


def test_a_path_traversal_entry_refuses_the_whole_archive(campaign_a, tmp_path, archive_dir):
    path = standard_archive(tmp_path / "x.zip")
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("../../.bashrc", "echo owned")
    assert_refused(campaign_a, path, "unsafe path", UnsafeFile)
    assert not (tmp_path.parent / ".bashrc").exists()


@pytest.mark.parametrize("name", ["/etc/cron.d/x", "C:/Windows/x.dll", "data\\..\\..\\x"])
def test_absolute_and_windows_paths_are_refused(campaign_a, tmp_path, name):
    path = standard_archive(tmp_path / "x.zip")
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr(name, "x")
    assert_refused(campaign_a, path, "unsafe path", UnsafeFile)


def test_a_decompression_bomb_is_refused_before_anything_is_read(
    campaign_a, tmp_path, small_limits
):
    path = standard_archive(tmp_path / "x.zip")
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data/tweets_media/1-bomb.jpg", b"\0" * (2 * 1024 * 1024))
    assert_refused(campaign_a, path, "decompression bomb", UnsafeFile, limits=small_limits)


def test_an_archive_too_big_once_unpacked_is_refused(campaign_a, tmp_path, small_limits):
    path = standard_archive(tmp_path / "x.zip")
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_STORED) as archive:
        for n in range(5):
            archive.writestr(f"data/tweets_media/1-{n}.jpg", bytes(range(256)) * 8192)
    assert_refused(campaign_a, path, "unpacks to 10 MB", UnsafeFile, limits=small_limits)


def test_a_zip_of_something_else_is_refused_as_the_wrong_format(campaign_a, tmp_path):
    path = x_archive_zip(tmp_path / "photos.zip", {"holiday.jpg": PHOTO})
    assert_refused(
        campaign_a, path, "has no data/tweets.js: expected the ZIP of an X account archive"
    )


def test_a_file_that_is_not_a_zip_is_refused(campaign_a, tmp_path):
    path = tmp_path / "tweets.jsonl"
    path.write_text('{"data": []}\n')
    assert_refused(campaign_a, path, "is not a ZIP file.*use the format x-ndjson")


def test_an_empty_file_is_refused(campaign_a, tmp_path):
    path = tmp_path / "x.zip"
    path.write_bytes(b"")
    assert_refused(campaign_a, path, "x.zip is empty: expected the ZIP of an X account archive")


def test_a_cut_off_zip_is_refused_as_damaged(campaign_a, tmp_path):
    path = standard_archive(tmp_path / "x.zip")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    assert_refused(campaign_a, path, "not a readable ZIP file")


def test_a_cut_off_tweets_js_is_refused_and_nothing_is_imported(campaign_a, tmp_path):
    whole = tweets_js([{"tweet": v1_tweet(str(n), f"post {n}")} for n in range(5)])
    path = x_archive_zip(tmp_path / "x.zip", {"data/tweets.js": whole[: len(whole) - 200]})
    assert_refused(campaign_a, path, "ends in the middle of a record: the file seems cut off")


def test_a_tweets_js_without_its_prefix_is_refused(campaign_a, tmp_path):
    path = x_archive_zip(tmp_path / "x.zip", {"data/tweets.js": 'var x = {"a": 1}'})
    assert_refused(campaign_a, path, r"does not start with window\.YTD")


def test_a_post_without_an_id_imports_nothing_unless_keep_going(campaign_a, tmp_path):
    broken = v1_tweet("9", "no id")
    del broken["id_str"], broken["id"]
    path = x_archive_zip(
        tmp_path / "x.zip",
        {"data/tweets.js": tweets_js([{"tweet": v1_tweet("1", "ok")}, {"tweet": broken}])},
    )
    assert_refused(campaign_a, path, "post 2: the post cannot be read")
    capture = run_import(campaign=campaign_a, format="x-archive", path=path, keep_going=True)
    assert (capture.items_new, capture.records_skipped) == (1, 1)


def test_a_record_too_large_is_refused_with_the_limit_named(campaign_a, tmp_path, small_limits):
    path = x_archive_zip(
        tmp_path / "x.zip",
        {"data/tweets.js": tweets_js([{"tweet": v1_tweet("1", "y" * 100_000)}])},
    )
    assert_refused(campaign_a, path, "larger than 0 MB", limits=small_limits)


def test_counts_written_as_text_or_numbers_both_read(campaign_a, tmp_path):
    tweet = v1_tweet("1", "a")
    tweet["favorite_count"] = 12
    path = x_archive_zip(tmp_path / "x.zip", {"data/tweets.js": tweets_js([{"tweet": tweet}])})
    run_import(campaign=campaign_a, format="x-archive", path=path)
    assert Item.objects.get().metrics["likes"] == 12
    assert json.loads(json.dumps(Item.objects.get().raw_payload()))["favorite_count"] == 12
