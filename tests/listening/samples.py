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


# --- Mastodon account archive ---------------------------------------------------------

SERVER = "https://example.social"
ACTOR = f"{SERVER}/users/ana"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


def note_activity(
    status: str,
    content: str,
    *,
    tags: list[dict[str, str]] | None = None,
    attachment: list[dict[str, Any]] | None = None,
    to: list[str] | None = None,
    cc: list[str] | None = None,
    in_reply_to: str | None = None,
    published: str = "2024-05-28T10:15:00Z",
) -> dict[str, Any]:
    to = to if to is not None else [PUBLIC]
    cc = cc if cc is not None else [f"{ACTOR}/followers"]
    uri = f"{ACTOR}/statuses/{status}"
    return {
        "id": f"{uri}/activity",
        "type": "Create",
        "actor": ACTOR,
        "published": published,
        "to": to,
        "cc": cc,
        "object": {
            "id": uri,
            "type": "Note",
            "summary": None,
            "inReplyTo": in_reply_to,
            "published": published,
            "url": f"{SERVER}/@ana/{status}",
            "attributedTo": ACTOR,
            "to": to,
            "cc": cc,
            "sensitive": False,
            "atomUri": uri,
            "inReplyToAtomUri": in_reply_to,
            "conversation": f"tag:example.social,2024-05-28:objectId={status}:objectType=Conversation",
            "content": content,
            "contentMap": {"en": content},
            "attachment": attachment or [],
            "tag": tags or [],
            "replies": {"id": f"{uri}/replies", "type": "Collection"},
        },
    }


def outbox(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": "outbox.json",
        "type": "OrderedCollection",
        "totalItems": len(items),
        "orderedItems": items,
    }


ACTOR_JSON = {
    "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
    "id": ACTOR,
    "type": "Person",
    "preferredUsername": "ana",
    "name": "Ana of Free the Ten",
    "url": f"{SERVER}/@ana",
    "outbox": "outbox.json",
    "likes": "likes.json",
    "bookmarks": "bookmarks.json",
}

MASTODON_MEDIA = "media_attachments/files/112/345/678/original/0a1b2c3d4e5f.jpg"


def standard_outbox() -> dict[str, Any]:
    """A public post with a hashtag, a link and a picture; a boost; a reply; a direct message."""
    return outbox(
        [
            note_activity(
                "112000000000000001",
                '<p>Day 100 <a href="https://example.social/tags/FreeTheTen" class="mention '
                'hashtag" rel="tag">#<span>FreeTheTen</span></a> — read '
                '<a href="https://example.org/report" rel="nofollow noopener" target="_blank">'
                '<span class="invisible">https://</span><span class="">example.org/report</span>'
                "</a></p>",
                tags=[
                    {"type": "Hashtag", "href": f"{SERVER}/tags/freetheten", "name": "#FreeTheTen"}
                ],
                attachment=[
                    {
                        "type": "Document",
                        "mediaType": "image/jpeg",
                        "url": MASTODON_MEDIA,
                        "name": "Ten portraits on a wall",
                        "blurhash": "UBL_:rOpGG-oBUNG,qRj2so|=eE1w^n4S5NH",
                        "width": 1200,
                        "height": 800,
                    }
                ],
            ),
            {
                "id": f"{ACTOR}/statuses/112000000000000002/activity",
                "type": "Announce",
                "actor": ACTOR,
                "published": "2024-05-28T10:20:00Z",
                "to": [PUBLIC],
                "cc": ["https://other.example/users/bea", f"{ACTOR}/followers"],
                "object": "https://other.example/users/bea/statuses/999",
            },
            note_activity(
                "112000000000000003",
                '<p><span class="h-card"><a href="https://other.example/@bea" class="u-url '
                'mention">@<span>bea</span></a></span> thank you</p>',
                tags=[
                    {
                        "type": "Mention",
                        "href": "https://other.example/users/bea",
                        "name": "@bea@other.example",
                    }
                ],
                in_reply_to="https://other.example/users/bea/statuses/999",
                published="2024-05-28T11:00:00Z",
            ),
            note_activity(
                "112000000000000004",
                "<p>private: the lawyer's number is …</p>",
                to=["https://other.example/users/bea"],
                cc=[],
            ),
        ]
    )


# --- Telegram Desktop export ------------------------------------------------------------


def telegram_export(messages: list[dict[str, Any]], **header: Any) -> dict[str, Any]:
    return {
        "name": "Free the Ten",
        "type": "public_channel",
        "id": 1234567890,
        **header,
        "messages": messages,
    }


def telegram_message(number: int, text: Any, **extra: Any) -> dict[str, Any]:
    plain = (
        text
        if isinstance(text, str)
        else "".join(p if isinstance(p, str) else p["text"] for p in text)
    )
    entities = (
        [{"type": "plain", "text": text}]
        if isinstance(text, str)
        else [p if isinstance(p, dict) else {"type": "plain", "text": p} for p in text]
    )
    return {
        "id": number,
        "type": "message",
        "date": "2024-05-28T12:15:00",
        "date_unixtime": "1716891300",
        "from": "Free the Ten",
        "from_id": "channel1234567890",
        "text": text,
        "text_entities": entities if plain else [],
        **extra,
    }


def standard_telegram() -> dict[str, Any]:
    return telegram_export(
        [
            {
                "id": 1,
                "type": "service",
                "date": "2024-05-28T12:00:00",
                "date_unixtime": "1716890400",
                "actor": "Free the Ten",
                "actor_id": "channel1234567890",
                "action": "create_channel",
                "title": "Free the Ten",
                "text": "",
                "text_entities": [],
            },
            telegram_message(2, "Day 100 of detention."),
            telegram_message(
                3,
                [
                    "Read ",
                    {
                        "type": "text_link",
                        "text": "the report",
                        "href": "https://example.org/report",
                    },
                    " ",
                    {"type": "hashtag", "text": "#FreeTheTen"},
                    " cc ",
                    {"type": "mention", "text": "@harbourpress"},
                ],
                reply_to_message_id=2,
                reactions=[
                    {"type": "emoji", "count": 5, "emoji": "✊"},
                    {"type": "emoji", "count": 2, "emoji": "❤"},
                ],
                photo="photos/photo_1@28-05-2024_12-15-00.jpg",
                width=1280,
                height=960,
            ),
            telegram_message(
                4,
                "A video we could not export",
                file="(File not included. Change data exporting settings to download.)",
                media_type="video_file",
            ),
        ]
    )


# --- Facebook "Download your information" -------------------------------------------------


def mojibake(value: Any) -> Any:
    """Write text the way Facebook's export does: each UTF-8 byte as its own character."""
    if isinstance(value, str):
        return value.encode("utf-8").decode("latin-1")
    if isinstance(value, list):
        return [mojibake(v) for v in value]
    if isinstance(value, dict):
        return {k: mojibake(v) for k, v in value.items()}
    return value


def fb_json(value: Any) -> bytes:
    """JSON as Facebook writes it: ASCII only, so every mis-encoded byte is a \\u00XX escape."""
    return json.dumps(mojibake(value), indent=2).encode("ascii")


FB_OWNER = "Comité Libertad Prensa"
FB_ARABIC = "الحرية للصحفيين العشرة #FreeTheTen"
FB_SPANISH = "Vigilia el viernes: ¡libertad para los periodistas! #LibertadDePrensa"
FB_EMOJI = "Day 100 ✊🏽 of detention. Share this 🕊️"
FB_PHOTO = "posts/media/TimelinePhotos_Ab12Cd/4567_8910_n_4567.jpg"


def fb_post(timestamp: int, text: str = "", **extra: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {"timestamp": timestamp, "data": [{"post": text}] if text else []}
    entry.update(extra)
    return entry


def fb_photo(uri: str, description: str = "") -> dict[str, Any]:
    return {
        "data": [
            {
                "media": {
                    "uri": uri,
                    "creation_timestamp": 1716891300,
                    "media_metadata": {
                        "photo_metadata": {"exif_data": [{"upload_ip": "192.0.2.7"}]}
                    },
                    "title": "Timeline Photos",
                    "description": description,
                }
            }
        ]
    }


def fb_comment(timestamp: int, text: str, author: str, group: str = "") -> dict[str, Any]:
    comment = {"timestamp": timestamp, "comment": text, "author": author}
    if group:
        comment["group"] = group
    return {
        "timestamp": timestamp,
        "data": [{"comment": comment}],
        "title": f"{author} commented on a post.",
    }


def facebook_files(prefix: str = "", *, newer: bool = False) -> dict[str, bytes]:
    """A small export: owner, two post files, a picture, a group post and two comments."""
    base = f"{prefix}your_activity_across_facebook/" if newer else prefix
    posts = "posts/your_posts__check_ins__photos_and_videos" if newer else "posts/your_posts"
    photo = f"your_activity_across_facebook/{FB_PHOTO}" if newer else FB_PHOTO
    group_posts = (
        "groups/group_posts_and_comments.json" if newer else "groups/your_posts_in_groups.json"
    )
    return {
        f"{prefix}profile_information/profile_information.json": fb_json(
            {
                "profile_v2": {
                    "name": {"full_name": FB_OWNER},
                    "profile_uri": "https://www.facebook.com/ctl",
                }
            }
        ),
        f"{base}{posts}_1.json": fb_json(
            [
                fb_post(
                    1716891300,
                    FB_ARABIC,
                    title=f"{FB_OWNER} added a new photo.",
                    attachments=[fb_photo(photo, "Ten portraits")],
                ),
                fb_post(
                    1716894900,
                    FB_SPANISH,
                    attachments=[
                        {"data": [{"external_context": {"url": "https://example.org/vigilia"}}]}
                    ],
                ),
                fb_post(1716898500, FB_EMOJI, title=f"{FB_OWNER} updated the status."),
            ]
        ),
        f"{base}{posts}_2.json": fb_json([fb_post(1700000000, "An older post.")]),
        f"{base}{FB_PHOTO}" if not newer else f"{prefix}{photo}": PHOTO,
        f"{base}{group_posts}": fb_json(
            {
                "group_posts_v2": [
                    fb_post(
                        1716902100,
                        "Join the vigil, everyone #FreeTheTen",
                        title=f"{FB_OWNER} posted in Friends of the Riverside Courier.",
                    )
                ]
            }
        ),
        f"{base}groups/your_comments_in_groups.json": fb_json(
            {
                "group_comments_v2": [
                    fb_comment(
                        1716905700,
                        "Estaré allí 🙌",
                        "Ana Pérez",
                        "Friends of the Riverside Courier",
                    )
                ]
            }
        ),
        f"{base}comments/comments.json"
        if not newer
        else f"{base}comments_and_reactions/comments.json": fb_json(
            {"comments_v2": [fb_comment(1716909300, "Thank you for sharing", FB_OWNER)]}
        ),
    }


def zip_files(path: Path, files: dict[str, bytes | str]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return path


def unpack(files: dict[str, bytes], folder: Path) -> Path:
    for name, data in files.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return folder


# --- WhatsApp chat export -----------------------------------------------------------------

LRM = "\u200e"
NNBSP = "\u202f"

# An iPhone in the UK: [dd/mm/yyyy, HH:MM:SS], attachments after an invisible mark.
WHATSAPP_IOS = (
    f"[13/11/2026, 20:59:01] Free the Ten: {LRM}Messages and calls are end-to-end encrypted.\n"
    "[24/11/2026, 21:05:33] Ana Pérez: Hola a todos, la vigilia es el viernes\n"
    "a las 18h frente al Courier.\n"
    "Traed velas.\n"
    f"{LRM}[24/11/2026, 21:06:02] Omar K: {LRM}<attached: 00000012-PHOTO-2026-11-24-21-06-02.jpg>\n"
    "[24/11/2026, 21:07:15] Omar K: الحرية للصحفيين ✊ #FreeTheTen\n"
    f"[24/11/2026, 21:08:00] +44 7700 900123: {LRM}image omitted\n"
)

# An Android phone in the UK: dd/mm/yyyy, HH:MM - ; "<Media omitted>" without media.
WHATSAPP_ANDROID = (
    "24/11/2026, 21:00 - Messages and calls are end-to-end encrypted. No one outside of this "
    "chat, not even WhatsApp, can read or listen to them. Tap to learn more.\n"
    "24/11/2026, 21:05 - Ana Pérez: Hola a todos\n"
    "24/11/2026, 21:06 - Omar K: <Media omitted>\n"
    "24/11/2026, 21:06 - Omar K: IMG-20261124-WA0001.jpg (file attached)\n"
    "Their faces, outside the court\n"
    "24/11/2026, 21:07 - Ana Pérez: ok\n"
    "24/11/2026, 21:07 - Ana Pérez: ok\n"
)

# An Android phone set to US English: m/d/yy, h:mm AM/PM with a narrow no-break space.
WHATSAPP_US = (
    f"11/24/26, 9:05{NNBSP}PM - Ana Pérez: Vigil on Friday\n"
    f"11/24/26, 12:15{NNBSP}AM - Omar K: Just past midnight\n"
    f"11/25/26, 12:30{NNBSP}PM - Omar K: Just past noon\n"
)
