"""Sample files built to each format's documented shape, good and bad.

X API v2 pages follow developer.x.com's search response (data, includes.users,
includes.media, includes.tweets, meta) with twarc2's ``__twarc`` block; X archive
files follow the account archive's ``window.YTD.tweets.part0 = [{"tweet": {...}}]``
with v1.1 fields, counts as strings, as X writes them.
"""

import gzip
import io
import json
import zipfile
from pathlib import Path
from typing import Any

RETRIEVED = "2024-05-28T12:00:00.123456+00:00"
LATER = "2024-05-29T12:00:00.000000+00:00"


def v2_tweet(
    tweet_id: str,
    text: str,
    *,
    author_id: str = "2244994945",
    created_at: str = "2024-05-28T10:15:00.000Z",
    likes: int = 1,
    hashtags: tuple[str, ...] = (),
    media_keys: tuple[str, ...] = (),
    referenced: tuple[tuple[str, str], ...] = (),
    lang: str = "en",
) -> dict[str, Any]:
    tweet: dict[str, Any] = {
        "id": tweet_id,
        "text": text,
        "author_id": author_id,
        "created_at": created_at,
        "conversation_id": tweet_id,
        "lang": lang,
        "edit_history_tweet_ids": [tweet_id],
        "public_metrics": {
            "retweet_count": 2,
            "reply_count": 0,
            "like_count": likes,
            "quote_count": 0,
            "impression_count": 100,
        },
    }
    if hashtags:
        entities = tweet.setdefault("entities", {})
        entities["hashtags"] = []
        for tag in hashtags:
            start = text.find("#" + tag)
            entities["hashtags"].append({"start": start, "end": start + len(tag) + 1, "tag": tag})
    if media_keys:
        tweet["attachments"] = {"media_keys": list(media_keys)}
    if referenced:
        tweet["referenced_tweets"] = [{"type": kind, "id": ref} for kind, ref in referenced]
    return tweet


USERS = [
    {"id": "2244994945", "name": "Rights Watcher", "username": "rightswatch"},
    {"id": "783214", "name": "Harbour Press", "username": "harbourpress"},
]


def v2_page(
    tweets: list[dict[str, Any]],
    *,
    users: list[dict[str, Any]] | None = None,
    media: list[dict[str, Any]] | None = None,
    included_tweets: list[dict[str, Any]] | None = None,
    retrieved_at: str = RETRIEVED,
) -> dict[str, Any]:
    includes: dict[str, Any] = {"users": users if users is not None else USERS}
    if media:
        includes["media"] = media
    if included_tweets:
        includes["tweets"] = included_tweets
    return {
        "data": tweets,
        "includes": includes,
        "meta": {
            "newest_id": tweets[0]["id"] if tweets else None,
            "oldest_id": tweets[-1]["id"] if tweets else None,
            "result_count": len(tweets),
            "next_token": "b26v89c19zqg8o3fosbri9ixbltnu5bm5cnpcjlvwnol",
        },
        "__twarc": {
            "url": "https://api.twitter.com/2/tweets/search/recent?query=%23FreeTheTen",
            "version": "2.14.0",
            "retrieved_at": retrieved_at,
        },
    }


def three_tweet_page(**kwargs: Any) -> dict[str, Any]:
    """A page with a plain post, a reply with a photo, and a retweet of it."""
    return v2_page(
        [
            v2_tweet(
                "1795000000000000001",
                "Free them now #FreeTheTen https://t.co/abc",
                hashtags=("FreeTheTen",),
            ),
            v2_tweet(
                "1795000000000000002",
                "@harbourpress They are still held #FreeTheTen &amp; #PressFreedom",
                hashtags=("FreeTheTen", "PressFreedom"),
                media_keys=("3_1795000000000000099",),
                referenced=(("replied_to", "1794999999999999999"),),
                created_at="2024-05-28T11:40:00.000Z",
            ),
            v2_tweet(
                "1795000000000000003",
                "RT @rightswatch: Free them now #FreeTheTen",
                author_id="783214",
                hashtags=("FreeTheTen",),
                referenced=(("retweeted", "1795000000000000001"),),
                created_at="2024-05-28T11:50:00.000Z",
            ),
        ],
        media=[
            {
                "media_key": "3_1795000000000000099",
                "type": "photo",
                "url": "https://pbs.twimg.com/media/GOaBcDeXsAA1234.jpg",
                "alt_text": "Ten portraits on a wall",
            }
        ],
        included_tweets=[
            v2_tweet("1794999999999999999", "Ten people were detained today", author_id="783214")
        ],
        **kwargs,
    )


def ndjson(*values: Any) -> bytes:
    return b"".join(json.dumps(value).encode() + b"\n" for value in values)


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


# --- X account archive ----------------------------------------------------------------

ACCOUNT_JS = (
    'window.YTD.account.part0 = [\n  {\n    "account" : {\n      "email" : "x@example.org",\n'
    '      "createdVia" : "web",\n      "username" : "freetheten",\n'
    '      "accountId" : "1400000000000000000",\n'
    '      "createdAt" : "2021-06-02T10:00:00.000Z",\n'
    '      "accountDisplayName" : "Free the Ten"\n    }\n  }\n]'
)

MANIFEST_JS = (
    'window.__THAR_CONFIG = {\n  "userInfo" : {"accountId" : "1400000000000000000", '
    '"userName" : "freetheten", "displayName" : "Free the Ten"},\n'
    '  "archiveInfo" : {"sizeBytes" : "1234", "generationDate" : "2024-06-01T08:00:00.000Z", '
    '"isPartialArchive" : false}\n}'
)


def v1_tweet(
    tweet_id: str,
    text: str,
    *,
    created_at: str = "Tue May 28 10:15:00 +0000 2024",
    favorites: str = "7",
    retweets: str = "3",
    hashtags: tuple[str, ...] = (),
    photo: str = "",
    reply_to: str = "",
) -> dict[str, Any]:
    tweet: dict[str, Any] = {
        "edit_info": {
            "initial": {
                "editTweetIds": [tweet_id],
                "editableUntil": "2024-05-28T11:15:00.000Z",
                "editsRemaining": "5",
                "isEditEligible": False,
            }
        },
        "retweeted": False,
        "source": '<a href="https://mobile.twitter.com" rel="nofollow">Twitter Web App</a>',
        "entities": {
            "hashtags": [{"text": tag, "indices": ["0", str(len(tag) + 1)]} for tag in hashtags],
            "symbols": [],
            "user_mentions": [],
            "urls": [],
        },
        "display_text_range": ["0", str(len(text))],
        "favorite_count": favorites,
        "id_str": tweet_id,
        "truncated": False,
        "retweet_count": retweets,
        "id": tweet_id,
        "created_at": created_at,
        "favorited": False,
        "full_text": text,
        "lang": "en",
    }
    if reply_to:
        tweet["in_reply_to_status_id_str"] = reply_to
        tweet["in_reply_to_status_id"] = reply_to
    if photo:
        media = {
            "expanded_url": f"https://x.com/freetheten/status/{tweet_id}/photo/1",
            "indices": ["20", "43"],
            "url": "https://t.co/xyz",
            "media_url": f"http://pbs.twimg.com/media/{photo}",
            "id_str": "1795000000000000500",
            "id": "1795000000000000500",
            "media_url_https": f"https://pbs.twimg.com/media/{photo}",
            "type": "photo",
            "display_url": "pic.x.com/xyz",
        }
        tweet["entities"]["media"] = [media]
        tweet["extended_entities"] = {"media": [media]}
    return tweet


def tweets_js(elements: list[Any], part: str = "window.YTD.tweets.part0") -> bytes:
    return (part + " = " + json.dumps(elements, indent=2)).encode()


def x_archive_zip(path: Path, files: dict[str, bytes | str]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return path


PHOTO = b"\xff\xd8\xff\xe0" + b"JFIF sample picture bytes" * 40


def standard_archive(path: Path) -> Path:
    """An archive with three posts, two of them sharing the same picture file."""
    tweets = [
        {"tweet": v1_tweet("1795000000000000101", "Day 100 #FreeTheTen", hashtags=("FreeTheTen",))},
        {
            "tweet": v1_tweet(
                "1795000000000000102",
                "Their faces https://t.co/xyz",
                photo="GOaPic1.jpg",
                created_at="Tue May 28 11:15:00 +0000 2024",
            )
        },
        {
            "tweet": v1_tweet(
                "1795000000000000103",
                "Again, their faces https://t.co/xyz",
                photo="GOaPic2.jpg",
                reply_to="1795000000000000102",
                created_at="Tue May 28 11:30:00 +0000 2024",
            )
        },
    ]
    return x_archive_zip(
        path,
        {
            "Your archive.html": "<html></html>",
            "data/manifest.js": MANIFEST_JS,
            "data/account.js": ACCOUNT_JS,
            "data/tweets.js": tweets_js(tweets),
            "data/tweets_media/1795000000000000102-GOaPic1.jpg": PHOTO,
            "data/tweets_media/1795000000000000103-GOaPic2.jpg": PHOTO,
        },
    )


def gzipped(data: bytes) -> bytes:
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb") as out:
        out.write(data)
    return buffer.getvalue()
