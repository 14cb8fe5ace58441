"""X API v2 NDJSON as twarc2 writes it: pages or flattened posts, good files and bad."""

import json
import zipfile

import pytest

from houseboat.listening.constants import CaptureState
from houseboat.listening.importers.base import ImportFileError, Limits, Problems, UnsafeFile
from houseboat.listening.importers.x_ndjson import flatten, read
from houseboat.listening.imports import run_import
from houseboat.listening.models import Capture, Item, ItemMedia
from tests.listening.samples import (
    RETRIEVED,
    gzipped,
    ndjson,
    three_tweet_page,
    v2_page,
    v2_tweet,
    write,
)

pytestmark = pytest.mark.django_db


def test_a_twarc_page_is_imported_with_its_expansions(campaign_a, tmp_path):
    path = write(tmp_path / "search.jsonl", ndjson(three_tweet_page()))
    capture = run_import(campaign=campaign_a, format="x-ndjson", path=path)
    assert (capture.state, capture.items_new) == (CaptureState.DONE, 3)
    reply = Item.objects.get(remote_id="1795000000000000002")
    assert reply.text == "@harbourpress They are still held #FreeTheTen & #PressFreedom"
    assert reply.author.handle == "rightswatch"
    assert reply.author.display_name == "Rights Watcher"
    assert reply.url == "https://x.com/rightswatch/status/1795000000000000002"
    assert reply.reply_to_id == "1794999999999999999"
    assert reply.hashtags == ["FreeTheTen", "PressFreedom"]
    assert reply.language == "en"
    assert reply.metrics == {"likes": 1, "quotes": 0, "replies": 0, "reposts": 2, "views": 100}
    assert reply.captured_at.isoformat() == "2024-05-28T12:00:00.123456+00:00"
    media = ItemMedia.objects.get(item=reply)
    assert (media.kind, media.alt) == ("image", "Ten portraits on a wall")
    assert media.blob is None  # NDJSON carries media links, not files
    retweet = Item.objects.get(remote_id="1795000000000000003")
    assert retweet.repost_of_id == "1795000000000000001"
    assert retweet.author.handle == "harbourpress"
    # The raw payload is the post with its expansions inline, as twarc2 flatten writes it.
    raw = reply.raw_payload()
    assert raw["author"]["username"] == "rightswatch"
    assert raw["attachments"]["media"][0]["media_key"] == "3_1795000000000000099"
    assert raw["referenced_tweets"][0]["text"] == "Ten people were detained today"
    assert raw["__twarc"]["retrieved_at"] == RETRIEVED


def test_flattened_lines_and_pages_give_the_same_items_and_hashes(campaign_a, team_a, tmp_path):
    pages = write(tmp_path / "pages.jsonl", ndjson(three_tweet_page()))
    flat = write(
        tmp_path / "flat.jsonl", ndjson(*flatten(three_tweet_page(), three_tweet_page()["data"]))
    )
    other = campaign_a.__class__.objects.create(team=team_a, name="Other", slug="other")
    run_import(campaign=campaign_a, format="x-ndjson", path=pages)
    run_import(campaign=other, format="x-ndjson", path=flat)
    hashes = {
        slug: sorted(Item.objects.filter(campaign__slug=slug).values_list("raw_sha256", flat=True))
        for slug in ("free-the-ten", "other")
    }
    assert hashes["free-the-ten"] == hashes["other"]
    # And importing the flattened copy where the pages went in adds nothing.
    again = run_import(campaign=campaign_a, format="x-ndjson", path=flat)
    assert (again.items_new, again.snapshots_new) == (0, 0)


def test_a_gzipped_file_is_read_as_it_is_unpacked(campaign_a, tmp_path):
    path = write(tmp_path / "search.jsonl.gz", gzipped(ndjson(three_tweet_page())))
    assert run_import(campaign=campaign_a, format="x-ndjson", path=path).items_new == 3


def test_a_page_without_results_is_not_an_error(campaign_a, tmp_path):
    quiet = {"meta": {"result_count": 0}, "__twarc": {"retrieved_at": RETRIEVED}}
    path = write(tmp_path / "search.jsonl", ndjson(quiet, three_tweet_page()))
    assert run_import(campaign=campaign_a, format="x-ndjson", path=path).items_new == 3


def test_note_tweets_keep_their_full_text(campaign_a, tmp_path):
    post = v2_tweet("5", "A long post that X cut short…")
    post["note_tweet"] = {"text": "A long post that X cut short, here whole."}
    path = write(tmp_path / "search.jsonl", ndjson(v2_page([post])))
    run_import(campaign=campaign_a, format="x-ndjson", path=path)
    assert Item.objects.get().text == "A long post that X cut short, here whole."


# --- bad files: a clear error, and nothing imported -------------------------------------


def assert_refused(campaign, path, match, **kwargs):
    with pytest.raises(ImportFileError, match=match):
        run_import(campaign=campaign, format="x-ndjson", path=path, **kwargs)
    assert Item.objects.count() == 0
    capture = Capture.objects.order_by("-id").first()
    if capture is not None:
        assert capture.state == CaptureState.FAILED
        assert capture.error


def test_an_empty_file_is_refused_with_what_was_expected(campaign_a, tmp_path):
    assert_refused(
        campaign_a, write(tmp_path / "empty.jsonl", b""), "is empty: expected X API v2 NDJSON"
    )


def test_a_file_that_is_not_json_is_refused_as_the_wrong_format(campaign_a, tmp_path):
    path = write(tmp_path / "posts.csv", b"id,text\n1,hello\n")
    assert_refused(campaign_a, path, "does not look like NDJSON.*Expected X API v2 NDJSON")


def test_a_file_of_accounts_is_refused_as_the_wrong_format(campaign_a, tmp_path):
    users = {"data": [{"id": "1", "username": "a", "name": "A"}], "meta": {"result_count": 1}}
    assert_refused(
        campaign_a, write(tmp_path / "users.jsonl", ndjson(users)), "holds X accounts, not posts"
    )


def test_an_x_archive_given_as_ndjson_is_refused_with_the_right_format_named(campaign_a, tmp_path):
    path = tmp_path / "archive.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("data/tweets.js", "window.YTD.tweets.part0 = []")
    assert_refused(campaign_a, path, "use the format x-archive")


def test_a_truncated_last_line_imports_nothing(campaign_a, tmp_path):
    data = ndjson(three_tweet_page(), v2_page([v2_tweet("9", "last")]))
    path = write(tmp_path / "cut.jsonl", data[: len(data) - 40])
    assert_refused(campaign_a, path, "line 2: the line is cut off .*--keep-going")


def test_keep_going_skips_a_truncated_line_and_counts_it(campaign_a, tmp_path):
    data = ndjson(three_tweet_page(), v2_page([v2_tweet("9", "last")]))
    path = write(tmp_path / "cut.jsonl", data[: len(data) - 40])
    capture = run_import(campaign=campaign_a, format="x-ndjson", path=path, keep_going=True)
    assert (capture.items_new, capture.records_skipped) == (3, 1)


def test_a_line_of_garbage_in_the_middle_imports_nothing(campaign_a, tmp_path):
    data = ndjson(three_tweet_page()) + b"{not json\n" + ndjson(v2_page([v2_tweet("9", "x")]))
    assert_refused(
        campaign_a, write(tmp_path / "bad.jsonl", data), "line 2: the line is not valid JSON"
    )


def test_a_huge_line_is_refused_with_the_limit_named(campaign_a, tmp_path, small_limits):
    huge = v2_page([v2_tweet("9", "x" * 100_000)])
    path = write(tmp_path / "huge.jsonl", ndjson(three_tweet_page(), huge))
    assert_refused(campaign_a, path, "line 2: the line is longer than 0 MB", limits=small_limits)


def test_keep_going_skips_a_huge_line_without_holding_it(campaign_a, tmp_path, small_limits):
    huge = v2_page([v2_tweet("9", "x" * 100_000)])
    path = write(tmp_path / "huge.jsonl", ndjson(huge, three_tweet_page()))
    capture = run_import(
        campaign=campaign_a, format="x-ndjson", path=path, keep_going=True, limits=small_limits
    )
    assert (capture.items_new, capture.records_skipped) == (3, 1)


def test_a_gzip_bomb_is_refused(campaign_a, tmp_path, small_limits):
    bomb = ndjson(three_tweet_page()) + b" " * (4 * 1024 * 1024) + b"\n"
    path = write(tmp_path / "bomb.jsonl.gz", gzipped(bomb))
    with pytest.raises(UnsafeFile, match="decompression bomb"):
        run_import(campaign=campaign_a, format="x-ndjson", path=path, limits=small_limits)
    assert Item.objects.count() == 0


def test_a_cut_off_gzip_file_is_refused_as_damaged(campaign_a, tmp_path):
    data = gzipped(ndjson(three_tweet_page(), three_tweet_page()))
    assert_refused(campaign_a, write(tmp_path / "cut.jsonl.gz", data[:-30]), "is damaged")


def test_a_missing_file_is_named(campaign_a, tmp_path):
    with pytest.raises(ImportFileError, match="There is no file at"):
        run_import(campaign=campaign_a, format="x-ndjson", path=tmp_path / "nope.jsonl")


def test_an_unknown_format_lists_the_known_ones(campaign_a, tmp_path):
    with pytest.raises(ImportFileError, match=r"no importer called 'tiktok'.*x-archive"):
        run_import(campaign=campaign_a, format="tiktok", path=tmp_path / "a")


def test_the_reader_yields_posts_one_by_one_without_the_database(tmp_path):
    path = write(tmp_path / "search.jsonl", ndjson(three_tweet_page(), three_tweet_page()))
    records = read(path, Problems(), Limits())
    first = next(records)
    assert first.item.remote_id == "1795000000000000001"
    assert sum(1 for _ in records) == 5
    assert json.loads(json.dumps(first.item.raw))["id"] == "1795000000000000001"


def test_a_folder_is_refused_with_what_was_expected(campaign_a, tmp_path):
    with pytest.raises(ImportFileError, match="is a folder, not a file: expected X API v2"):
        run_import(campaign=campaign_a, format="x-ndjson", path=tmp_path)
