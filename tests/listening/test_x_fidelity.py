"""X files as X and twarc2 write them: archive retweets, long posts, broken characters."""

import json
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

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


WHOLE = LONG + "Sign the letter: https://t.co/sign12345 #FreeTheTen @harbourpress"


def note_tweet_js(*notes: dict) -> str:
    return "window.YTD.note_tweet.part0 = " + json.dumps(
        [{"noteTweet": note} for note in notes], indent=2
    )


def note(text: str, created_at: str, **fields) -> dict:
    """A note as data/note-tweet.js writes it: its own id, the time, the whole text."""
    return {
        "noteTweetId": "1795000000000999001",
        "updatedAt": created_at,
        "lifecycle": {"value": "1", "name": "Published", "originalName": "1"},
        "createdAt": created_at,
        "core": {
            "styletags": [],
            "urls": [
                {
                    "shortUrl": "https://t.co/sign12345",
                    "expandedUrl": "https://example.org/sign",
                    "toIndex": "0",
                    "displayUrl": "example.org/sign",
                    "fromIndex": "0",
                }
            ],
            "text": text,
            "mentions": [{"screenName": "harbourpress", "fromIndex": "0", "toIndex": "0"}],
            "cashtags": [],
            "hashtags": [{"text": "FreeTheTen", "fromIndex": "0", "toIndex": "0"}],
        },
        **fields,
    }


def cut_post(post_id: str, text: str, created_at: str) -> dict:
    """The post as tweets.js keeps it: cut near 280 with "…" and a link to the rest."""
    tweet = v1_tweet(post_id, text[:270] + "… https://t.co/rest1", created_at=created_at)
    tweet["entities"]["urls"] = [
        {
            "url": "https://t.co/rest1",
            "expanded_url": f"https://twitter.com/i/web/status/{post_id}",
            "display_url": "twitter.com/i/web/status/1…",
            "indices": ["272", "295"],
        }
    ]
    return tweet


def long_archive(tmp_path, tweets: list[dict], notes: str):
    return x_archive_zip(
        tmp_path / "twitter-2024-06-01.zip",
        {
            "data/manifest.js": MANIFEST_JS,
            "data/account.js": ACCOUNT_JS,
            "data/tweets.js": tweets_js([{"tweet": tweet} for tweet in tweets]),
            "data/note-tweet.js": notes,
        },
    )


def test_an_archives_long_post_is_stored_whole_from_note_tweet_js(campaign_a, tmp_path):
    at = "Tue May 28 10:15:00 +0000 2024"
    path = long_archive(
        tmp_path,
        [cut_post("1795000000000000501", WHOLE, at), v1_tweet("1795000000000000502", "Short")],
        note_tweet_js(note(WHOLE, "2024-05-28T10:15:00.000Z")),
    )
    run_import(campaign=campaign_a, format="x-archive", path=path)
    item = Item.objects.get(remote_id="1795000000000000501")
    assert item.text == WHOLE
    assert item.hashtags == ["FreeTheTen"]
    assert item.mentions == ["harbourpress"]
    assert item.links == ["https://example.org/sign"]
    assert Item.objects.get(remote_id="1795000000000000502").text == "Short"
    raw = item.raw_payload()  # the evidence keeps both versions
    assert raw["full_text"].endswith("https://t.co/rest1")
    assert raw["noteTweet"]["core"]["text"] == WHOLE


def test_a_replys_long_post_keeps_the_name_it_answers(campaign_a, tmp_path):
    at = "Tue May 28 10:15:00 +0000 2024"
    reply = cut_post("1795000000000000511", "@justice_pv " + WHOLE, at)
    path = long_archive(tmp_path, [reply], note_tweet_js(note(WHOLE, "2024-05-28T10:15:01.000Z")))
    run_import(campaign=campaign_a, format="x-archive", path=path)
    assert Item.objects.get().text == "@justice_pv " + WHOLE


def test_a_note_made_at_the_same_time_as_another_post_is_not_put_on_it(campaign_a, tmp_path):
    at = "Tue May 28 10:15:00 +0000 2024"
    other = "Something else entirely, " * 11
    path = long_archive(
        tmp_path,
        [cut_post("1795000000000000521", other, at), v1_tweet("1795000000000000522", "Day 100.")],
        note_tweet_js(note(WHOLE, "2024-05-28T10:15:00.000Z")),
    )
    run_import(campaign=campaign_a, format="x-archive", path=path)
    assert Item.objects.get(remote_id="1795000000000000521").text.startswith("Something else")
    assert Item.objects.get(remote_id="1795000000000000522").text == "Day 100."


def test_a_note_that_names_its_post_is_matched_by_the_id(campaign_a, tmp_path):
    post = cut_post("1795000000000000531", WHOLE, "Tue May 28 10:15:00 +0000 2024")
    later = note(WHOLE, "2024-06-30T00:00:00.000Z", tweetId="1795000000000000531")
    path = long_archive(tmp_path, [post], note_tweet_js(later))
    run_import(campaign=campaign_a, format="x-archive", path=path)
    assert Item.objects.get().text == WHOLE


def test_an_unreadable_note_tweet_file_keeps_the_cut_posts_with_keep_going(campaign_a, tmp_path):
    post = cut_post("1795000000000000541", WHOLE, "Tue May 28 10:15:00 +0000 2024")
    path = long_archive(tmp_path, [post], "not javascript at all")
    with pytest.raises(ImportFileError, match=r"note-tweet\.js"):
        run_import(campaign=campaign_a, format="x-archive", path=path)
    assert not Item.objects.exists()
    capture = run_import(campaign=campaign_a, format="x-archive", path=path, keep_going=True)
    assert Item.objects.get().text.startswith("Day 100.")
    assert "long posts' whole text cannot be read" in str(capture.report)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner),
    max_leaves=12,
)
note_like = st.fixed_dictionaries(
    {},
    optional={
        "createdAt": st.sampled_from(["2024-05-28T10:15:00.000Z", "", "yesterday"]) | st.text(),
        "core": st.fixed_dictionaries({}, optional={"text": st.text(), "urls": json_values}),
        "tweetId": st.text(max_size=20),
    },
)


@given(notes=st.lists(note_like | json_values, max_size=6), text=st.text(max_size=300))
def test_any_note_tweet_content_is_read_without_crashing(notes, text):
    from houseboat.listening.importers.x_long_posts import LongPosts, whole_text

    long_posts = LongPosts(notes)
    at = datetime(2024, 5, 28, 10, 15, tzinfo=UTC)
    found = long_posts.whole("1795000000000000501", text, at)
    if found is not None:
        assert isinstance(whole_text(text, found), str)
