"""What every part of the Bluesky connector shares: names, limits, messages, small readers.

References: docs.bsky.app "Posts" and "Links, mentions, and rich text" guides, the
"Rate Limits" page, and the lexicons in github.com/bluesky-social/atproto/lexicons.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from houseboat.connectors.base import PayloadRejected

POST = "app.bsky.feed.post"
WEB = "https://bsky.app"
# The post lexicon limits text to 300 graphemes *and* 3,000 UTF-8 bytes: 150 family
# emoji are 150 graphemes but 3,750 bytes.
MAX_TEXT_BYTES = 3000
MAX_LANGS = 3  # app.bsky.feed.post: langs has maxLength 3
GET_POSTS_BATCH = 25  # app.bsky.feed.getPosts: uris has maxLength 25
PAGE_SIZE = 100  # the maximum of searchPosts, getAuthorFeed and listNotifications
# Per read: at most 1,000 entries, so one busy hashtag cannot stall a worker; a longer
# burst goes on at the next read (see reading.ReadState), never skipped.
MAX_PAGES = 10
MENTION_REASONS = ("mention", "reply", "quote")
INVALID_HANDLE = "handle.invalid"  # what the AppView shows when a handle fails verification

SIGN_IN_REFUSED = (
    "The Bluesky app password was revoked or changed: create a new app password "
    "(Settings → Privacy and security → App passwords) and reconnect the channel."
)
TAKEN_DOWN = (
    "The Bluesky account was taken down by its host (a moderation action), so houseboat "
    "cannot use it. The account owner can appeal in the Bluesky app; reconnect the "
    "channel once the account is restored."
)


def iso_z(when: datetime) -> str:
    """Write a time as atproto prefers it: UTC with a trailing Z."""
    return when.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def at_uri_parts(uri: str) -> tuple[str, str, str]:
    """Split at://repo/collection/rkey into its three parts."""
    parts = uri.removeprefix("at://").split("/") if uri.startswith("at://") else []
    if len(parts) != 3 or not all(parts):
        raise PayloadRejected(f"“{uri}” is not the address of a Bluesky post (at://…).")
    return parts[0], parts[1], parts[2]


def post_url(actor: str, rkey: str) -> str:
    return f"{WEB}/profile/{actor}/post/{rkey}"


def profile_url(actor: str) -> str:
    return f"{WEB}/profile/{actor}"


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(value for value in values if value))
