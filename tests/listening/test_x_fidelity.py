"""X files as X and twarc2 write them: archive retweets, long posts, broken characters."""

import json

import pytest

from houseboat.listening.importers.base import ImportFileError
from houseboat.listening.imports import run_import
from houseboat.listening.models import AuthorCount, Item
from tests.listening.samples import (
    ACCOUNT_JS,
    MANIFEST_JS,
    ndjson,
    tweets_js,
    v1_tweet,
    v2_page,
    v2_tweet,
    write,
    x_archive_zip,
)

pytestmark = pytest.mark.django_db


def archive_retweet() -> dict:
    """A retweet as tweets.js writes it: its own post, "RT @author: …", author at 3."""
    tweet = v1_tweet(
        "1795000000000000201", "RT @harbourpress: Ten journalists, 100 days. #FreeTheTen"
    )
    tweet["entities"]["user_mentions"] = [
        {
            "name": "Harbour Press",
            "screen_name": "harbourpress",
            "indices": ["3", "16"],
            "id_str": "783214",
            "id": "783214",
        }
    ]
    return tweet


def test_an_archive_retweet_is_marked_as_a_repost(campaign_a, tmp_path):
    path = x_archive_zip(
        tmp_path / "twitter-2024-06-01.zip",
        {
            "data/manifest.js": MANIFEST_JS,
            "data/account.js": ACCOUNT_JS,
            "data/tweets.js": tweets_js(
                [{"tweet": archive_retweet()}, {"tweet": v1_tweet("1795000000000000202", "Mine")}]
            ),
        },
    )
    run_import(campaign=campaign_a, format="x-archive", path=path)
    assert Item.objects.get(remote_id="1795000000000000201").repost_of_id == "@harbourpress"
    assert Item.objects.get(remote_id="1795000000000000202").repost_of_id == ""
    assert AuthorCount.objects.get(campaign=campaign_a).reposts == 1


LONG = (
    "Day 100. " + "The ten journalists of the Riverside Courier are still held without trial. " * 4
)


def long_post() -> dict:
    """A post over 280 characters: text cut with its entities, note_tweet whole with its own."""
    tail = "Sign: https://t.co/sign12345 #FreeTheTen @harbourpress"
    whole = LONG + tail
    post = v2_tweet("1795000000000000301", whole[:274] + " https://t.co/more")
    post["entities"] = {"urls": [{"start": 275, "end": 298, "url": "https://t.co/more"}]}
    start = len(LONG)
    post["note_tweet"] = {
        "text": whole,
        "entities": {
            "urls": [
                {
                    "start": start + 6,
                    "end": start + 29,
                    "url": "https://t.co/sign12345",
                    "expanded_url": "https://example.org/sign",
                    "display_url": "example.org/sign",
                }
            ],
            "hashtags": [{"start": start + 30, "end": start + 41, "tag": "FreeTheTen"}],
            "mentions": [
                {"start": start + 42, "end": start + 55, "username": "harbourpress", "id": "783214"}
            ],
        },
    }
    return post


def test_a_long_post_keeps_the_entities_past_character_280(campaign_a, tmp_path):
    path = write(tmp_path / "search.jsonl", ndjson(v2_page([long_post()])))
    run_import(campaign=campaign_a, format="x-ndjson", path=path)
    item = Item.objects.get()
    assert item.text.endswith("#FreeTheTen @harbourpress")
    assert item.hashtags == ["FreeTheTen"]
    assert item.mentions == ["harbourpress"]
    assert item.links == ["https://example.org/sign"]


def surrogate_line() -> bytes:
    """A line whose text holds a lone high surrogate, as json.dumps writes it: \\ud83d."""
    page = v2_page([v2_tweet("1795000000000000401", "Day 100 \ud83d")])
    return json.dumps(page).encode()


def surrogate_file(tmp_path):
    good = json.dumps(v2_page([v2_tweet("1795000000000000402", "Day 101")])).encode()
    return write(tmp_path / "search.jsonl", good + b"\n" + surrogate_line() + b"\n")


def test_a_lone_surrogate_stops_the_import_with_a_clear_error(campaign_a, tmp_path):
    with pytest.raises(ImportFileError, match="line 2: the record holds a broken character"):
        run_import(campaign=campaign_a, format="x-ndjson", path=surrogate_file(tmp_path))
    assert not Item.objects.exists()


def test_a_lone_surrogate_is_repaired_with_keep_going(campaign_a, tmp_path):
    capture = run_import(
        campaign=campaign_a, format="x-ndjson", path=surrogate_file(tmp_path), keep_going=True
    )
    assert capture.items_new == 2
    assert Item.objects.get(remote_id="1795000000000000401").text == "Day 100 \ufffd"
    assert any("broken characters" in note for note in capture.notes)


def test_a_lone_surrogate_in_an_archive_is_repaired_with_keep_going(campaign_a, tmp_path):
    elements = [{"tweet": v1_tweet("1795000000000000501", "Day 100 \ud83d")}]
    path = x_archive_zip(
        tmp_path / "archive.zip",
        {"data/account.js": ACCOUNT_JS, "data/tweets.js": tweets_js(elements)},
    )
    with pytest.raises(ImportFileError, match="broken character"):
        run_import(campaign=campaign_a, format="x-archive", path=path)
    run_import(campaign=campaign_a, format="x-archive", path=path, keep_going=True)
    assert Item.objects.get().text == "Day 100 \ufffd"


def test_the_platforms_undetermined_language_is_kept(campaign_a, tmp_path):
    posts = [
        v2_tweet("1795000000000000601", "#FreeTheTen #Justice https://t.co/abc", lang="qht"),
        v2_tweet("1795000000000000602", "Free the ten journalists, now and forever", lang="und"),
    ]
    run_import(
        campaign=campaign_a,
        format="x-ndjson",
        path=write(tmp_path / "a.jsonl", ndjson(v2_page(posts))),
    )
    assert dict(Item.objects.values_list("remote_id", "language")) == {
        "1795000000000000601": "qht",
        "1795000000000000602": "und",
    }
