"""A Mastodon account archive: ``outbox.json``, alone or in the archive ZIP with its media.

The outbox is an ActivityPub OrderedCollection. Each of its ``orderedItems`` is a
``Create`` activity whose ``object`` is a ``Note`` (the post: HTML ``content``,
``contentMap`` by language, ``tag`` with Hashtag and Mention, ``attachment`` whose
``url`` is the file's path inside the archive), or an ``Announce`` (a boost) whose
``object`` is the boosted post's address. The account is in ``actor.json``.

Direct messages are left out on purpose, and the import says how many: they are
private conversations of the account (with sources, often), not campaign posts,
and a campaign's archive is read by the whole team.

Post ids are the server's own status ids (the last part of ``…/statuses/<id>``),
as the Mastodon connector reads them, so a post read live and imported later is
one item. The older ``.tar.gz`` archives must be unpacked first.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from django.utils.translation import gettext_noop

from houseboat.connectors.base import Metrics, RemoteAuthor, RemoteItem, RemoteMedia
from houseboat.core.text import html_to_text
from houseboat.listening.importers.base import (
    ImporterManifest,
    ImportFileError,
    Limits,
    Problems,
    check_not_empty,
    is_zip,
    open_maybe_gzip,
    usable,
)
from houseboat.listening.importers.safezip import ZipMembers, member, open_zip
from houseboat.listening.importers.streaming import JsonReader
from houseboat.listening.importers.x_ndjson import parse_iso
from houseboat.listening.records import Captured

MANIFEST: ImporterManifest = {
    "name": "mastodon-outbox",
    "label": gettext_noop("Mastodon account archive (outbox.json or the ZIP)"),
    "network": "mastodon",
    "expects": "a Mastodon account archive: its outbox.json, or the ZIP that holds it",
    "version": 1,
}

PUBLIC = {"https://www.w3.org/ns/activitystreams#Public", "as:Public", "Public"}
STATUS_ID = re.compile(r"/statuses/([^/]+)(?:/activity)?/?$")
PROFILE_PATH = re.compile(r"^/@([A-Za-z0-9_.-]+)/")
MEDIA_KINDS = {"image": "image", "video": "video", "audio": "audio"}


def read(path: Path, problems: Problems, limits: Limits) -> Iterator[Captured]:
    """Yield the account's posts and boosts, in the outbox's order."""
    check_not_empty(path, MANIFEST)
    if not is_zip(path):
        beside = path.parent / "actor.json"  # an unpacked archive keeps it next to the outbox
        actor = None
        if beside.is_file() and beside.stat().st_size <= limits.max_record_bytes:
            actor = read_actor(beside.read_bytes())
        with open_maybe_gzip(path, limits) as stream:
            yield from read_outbox(stream, path.name, actor, None, problems, limits)
        return
    with open_zip(path, limits, expects=MANIFEST["expects"]) as archive:
        names = archive.namelist()
        outbox = next((n for n in names if n.rsplit("/", 1)[-1] == "outbox.json"), None)
        if outbox is None:
            raise ImportFileError(
                f"{path.name} has no outbox.json: expected {MANIFEST['expects']}."
            )
        folder = outbox[: -len("outbox.json")]
        actor = None
        if folder + "actor.json" in names:
            with member(archive, folder + "actor.json") as stream:
                actor = read_actor(stream.read(limits.max_record_bytes))
        files = ZipMembers(path, names)
        with member(archive, outbox) as stream:
            yield from read_outbox(
                stream, f"{path.name}: {outbox}", actor, (files, folder), problems, limits
            )


def read_actor(data: bytes) -> RemoteAuthor | None:
    """Return the account of actor.json."""
    try:
        actor = json.loads(data)
    except ValueError:
        return None
    if not isinstance(actor, dict) or not actor.get("id"):
        return None
    return RemoteAuthor(
        remote_id=str(actor["id"]),
        handle=handle_of(str(actor["id"]), actor.get("preferredUsername")),
        display_name=str(actor.get("name") or ""),
        url=str(actor.get("url") or actor["id"]),
    )


def handle_of(actor_uri: str, username: Any = None) -> str:
    """Return "@user@server" for an actor address like https://server/users/user."""
    parts = urlsplit(actor_uri)
    name = str(username or parts.path.rstrip("/").rsplit("/", 1)[-1])
    return f"@{name}@{parts.hostname}" if parts.hostname else name


def read_outbox(
    stream: IO[bytes],
    name: str,
    actor: RemoteAuthor | None,
    media: tuple[ZipMembers, str] | None,
    problems: Problems,
    limits: Limits,
) -> Iterator[Captured]:
    reader = JsonReader(stream, name=name, max_value=limits.max_record_bytes)
    if reader.peek() != "{":
        raise ImportFileError(
            f"{name} is not an ActivityPub outbox (it does not start with a JSON object): "
            f"expected {MANIFEST['expects']}."
        )
    header: dict[str, Any] = {}
    direct = 0
    try:
        for number, activity in enumerate(reader.array_in_object("orderedItems", header), 1):
            if number == 1 and header.get("type") not in ("OrderedCollection", None):
                raise ImportFileError(
                    f"{name} is an ActivityPub {header.get('type')}, not an outbox: "
                    f"expected {MANIFEST['expects']}."
                )
            where = f"{name}, activity {number:,}"
            activity = usable(activity, where, problems)
            if activity is None:
                continue
            if not isinstance(activity, dict) or activity.get("type") not in ("Create", "Announce"):
                if not isinstance(activity, dict):
                    problems.bad(where, "the entry is not an activity")
                continue  # other activities (Update, Delete…) are not posts
            try:
                captured = to_captured(activity, actor, media)
            except (ValueError, TypeError, AttributeError, KeyError) as exc:
                problems.bad(where, f"the post cannot be read ({exc})")
                continue
            if captured is None:
                direct += 1
            else:
                yield captured
    except ImportFileError as exc:
        if "has no 'orderedItems' list" in str(exc):
            raise ImportFileError(
                f"{name} holds no list of posts where a Mastodon outbox keeps them: "
                f"expected {MANIFEST['expects']}."
            ) from exc
        raise
    if direct:
        problems.note(
            f"{direct:,} direct message{'s were' if direct != 1 else ' was'} left out: they "
            "are the account's private conversations (often with sources), and a campaign's "
            "archive is read by the whole team."
        )


def username_in(note: Any) -> str | None:
    """Return the account's name from a post's public address (https://server/@name/123).

    Since Mastodon 4.4 an account's ActivityPub address may end in its number
    (https://server/ap/users/1234), not its name; the post's ``url`` still names it.
    """
    if not isinstance(note, dict):
        return None
    match = PROFILE_PATH.match(urlsplit(str(note.get("url") or "")).path)
    return match.group(1) if match else None


def status_id(uri: str) -> str:
    """Return the server's status id in a status or activity address, else the address."""
    match = STATUS_ID.search(urlsplit(uri).path)
    return match.group(1) if match else uri


def ref_id(uri: str, home: str) -> str:
    """Return a referenced post's id: the status id on the account's own server, else its address."""
    if not uri:
        return ""
    return status_id(uri) if urlsplit(uri).hostname == home else uri


def is_direct(activity: Mapping[str, Any], note: Mapping[str, Any]) -> bool:
    """Say whether a post went only to the people it mentions (a direct message)."""
    audience: set[str] = set()
    for source in (activity, note):
        for key in ("to", "cc"):
            value = source.get(key)
            audience.update([value] if isinstance(value, str) else value or [])
    if audience & PUBLIC:
        return False
    return not any(str(a).endswith("/followers") for a in audience)


def to_captured(
    activity: dict[str, Any],
    actor: RemoteAuthor | None,
    media: tuple[ZipMembers, str] | None,
) -> Captured | None:
    """Map one Create or Announce activity to houseboat's record (None: a direct message)."""
    actor_uri = str(activity.get("actor") or "")
    note = activity.get("object")
    author = actor or (
        RemoteAuthor(
            remote_id=actor_uri,
            handle=handle_of(actor_uri, username_in(note)),
            url=actor_uri,
        )
        if actor_uri
        else None
    )
    home = urlsplit(actor_uri or str(activity.get("id") or "")).hostname or ""
    if activity["type"] == "Announce":
        boosted = str(note.get("id") if isinstance(note, dict) else note or "")
        return Captured(
            RemoteItem(
                network="mastodon",
                remote_id=status_id(str(activity["id"])),
                text="",
                created_at=parse_iso(activity.get("published")),
                author=author,
                url=boosted,
                repost_of_id=ref_id(boosted, home),
                raw=activity,
            )
        )
    if not isinstance(note, dict):
        raise ValueError("its object is not a post")
    if is_direct(activity, note):
        return None
    text, links = html_to_text(str(note.get("content") or ""))
    if note.get("summary"):  # the content warning is what readers see first
        text = f"{note['summary']}\n\n{text}" if text else str(note["summary"])
    content_map = note.get("contentMap") if isinstance(note.get("contentMap"), dict) else {}
    tags = [t for t in note.get("tag") or [] if isinstance(t, dict)]
    attachments = [a for a in note.get("attachment") or [] if isinstance(a, dict)]
    files = {}
    if media is not None:
        members, folder = media
        for attachment in attachments:
            url = str(attachment.get("url") or "")
            opener = members.opener(folder + url.lstrip("/"))
            if opener is not None:
                files[url] = opener
    quote = note.get("quoteUri") or note.get("_misskey_quote") or note.get("quote") or ""
    return Captured(
        RemoteItem(
            network="mastodon",
            remote_id=status_id(str(note["id"])),
            text=text,
            created_at=parse_iso(note.get("published") or activity.get("published")),
            author=author,
            url=str(note.get("url") or note["id"]),
            language=next(iter(content_map)) if len(content_map) == 1 else "",
            reply_to_id=ref_id(str(note.get("inReplyTo") or ""), home),
            quote_of_id=ref_id(quote if isinstance(quote, str) else "", home),
            hashtags=[
                str(t["name"]).lstrip("#")
                for t in tags
                if t.get("type") == "Hashtag" and t.get("name")
            ],
            mentions=[
                str(t["name"]).lstrip("@")
                for t in tags
                if t.get("type") == "Mention" and t.get("name")
            ],
            links=links,
            media=[
                RemoteMedia(
                    url=str(a.get("url") or ""),
                    kind=MEDIA_KINDS.get(str(a.get("mediaType") or "").split("/")[0], "file"),
                    alt=str(a.get("name") or ""),
                )
                for a in attachments
            ],
            metrics=Metrics(),
            raw=activity,
        ),
        media_files=files,
    )
