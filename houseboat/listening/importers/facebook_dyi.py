"""Facebook's "Download your information" export (JSON), of a profile or Page and its groups.

Given as the ZIP Facebook offers, or as the folder it unpacks to. The posts, group
posts and comments are read from whichever of the layouts Facebook has used is
there:

- posts: ``posts/your_posts_1.json`` (``_2`` … when large; older exports), or
  ``your_activity_across_facebook/posts/your_posts__check_ins__photos_and_videos_1.json``
  (newer), or ``profile_posts_1.json`` (a Page's). A JSON list of entries
  ``{"timestamp": 1716891300, "data": [{"post": "text"}], "title": "…",
  "attachments": [{"data": [{"media": {"uri": "posts/media/…jpg", …}},
  {"external_context": {"url": "…"}}]}]}``;
- group posts: ``groups/your_posts_in_groups.json`` (older) or
  ``groups/group_posts_and_comments.json`` (newer): ``{"group_posts_v2": [entry, …]}``;
- comments: ``comments/comments.json`` or ``comments_and_reactions/comments.json``
  (``{"comments_v2": […]}``), and ``groups/your_comments_in_groups.json``
  (``{"group_comments_v2": […]}``), each entry's ``data`` holding
  ``{"comment": {"timestamp", "comment", "author", "group"}}``.

Facebook writes its JSON with broken UTF-8: each byte of a UTF-8 character is
written as its own ``\\u00XX`` escape ("latin-1 mojibake"), so "é" arrives as "Ã©".
Every text is repaired with ``text.encode("latin-1").decode("utf-8")`` where that
round-trips; the raw payload keeps the entry exactly as the file has it.

The export carries no ids: each entry gets one made from what it holds (its kind,
time, title, text, attachments), so importing the same or a later export again adds
nothing twice. Posts are by the export's owner, named in ``profile_information.json``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from django.utils.translation import gettext_noop

from houseboat.connectors.base import RemoteAuthor, RemoteItem, RemoteMedia
from houseboat.listening.importers.base import (
    ImporterManifest,
    ImportFileError,
    Limits,
    Problems,
    check_not_empty,
    is_zip,
    usable,
)
from houseboat.listening.importers.streaming import JsonReader
from houseboat.listening.importers.tree import FolderTree, Tree, open_tree
from houseboat.listening.records import Captured

MANIFEST: ImporterManifest = {
    "name": "facebook-dyi",
    "label": (
        gettext_noop(
            "Facebook “Download your information” export of a profile or Page (ZIP, folder, or "
            "one of its JSON files)"
        )
    ),
    "network": "facebook",
    "expects": (
        "the ZIP (or unpacked folder, or one JSON file such as your_posts_1.json) of a "
        "Facebook “Download your information” export in JSON format"
    ),
    "version": 2,
    "folders": True,
}


@dataclass(frozen=True)
class Kind:
    """One kind of file in the export: how to find it, read it and name its entries."""

    name: str  # post, group-post, comment, group-comment
    pattern: re.Pattern[str]
    keys: tuple[str, ...]  # the list inside a top-level object ("" for a bare list)


KINDS = (
    Kind(
        "post",
        re.compile(
            r"(?:^|/)posts/(?:your_posts|profile_posts|your_posts__check_ins__photos_and_videos)"
            r"(?:_(\d+))?\.json$"
        ),
        ("", "posts_v2", "profile_posts_v2"),
    ),
    Kind(
        "group-post",
        re.compile(r"(?:^|/)groups/(?:your_posts_in_groups|group_posts_and_comments)\.json$"),
        ("group_posts_v2", "group_posts", ""),
    ),
    Kind(
        "comment",
        re.compile(r"(?:^|/)comments(?:_and_reactions)?/comments\.json$"),
        ("comments_v2", "comments", ""),
    ),
    Kind(
        "group-comment",
        re.compile(r"(?:^|/)groups/your_comments_in_groups\.json$"),
        ("group_comments_v2", "group_comments", ""),
    ),
)
PROFILE = re.compile(r"(?:^|/)profile_information\.json$")
FOLDERS = ("posts/", "groups/", "comments/", "comments_and_reactions/")
HTML_EXPORT = re.compile(r"(?:^|/)(?:posts/your_posts(?:_\d+)?|groups/[a-z_]+)\.html$")
VIDEO = re.compile(r"\.(?:mp4|mov|m4v|webm)$", re.IGNORECASE)
AUDIO = re.compile(r"\.(?:mp3|m4a|aac|ogg|opus|wav)$", re.IGNORECASE)


# --- the mis-encoded UTF-8 ------------------------------------------------------------------


def repair(text: str) -> str:
    """Undo Facebook's mojibake: text whose every UTF-8 byte became one Latin-1 character."""
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text  # already proper text (or not mojibake): leave it as it is


def repaired(value: Any) -> Any:
    """Repair every string inside a JSON value."""
    if isinstance(value, str):
        return repair(value)
    if isinstance(value, list):
        return [repaired(v) for v in value]
    if isinstance(value, dict):
        return {repair(k): repaired(v) for k, v in value.items()}
    return value


# --- reading the export ---------------------------------------------------------------------


def read(path: Path, problems: Problems, limits: Limits) -> Iterator[Captured]:
    """Yield the export's posts, group posts and comments, file by file."""
    if not path.is_dir():
        check_not_empty(path, MANIFEST)
    if path.is_file() and not is_zip(path):
        # One JSON file of the download (your_posts_1.json, comments.json…), on its own.
        tree: Tree = FolderTree(path.parent, [path.name], limits)
        yield from read_file(path, tree, single_kind(path.name), path.name, None, problems, limits)
        return
    with open_tree(path, limits, expects=MANIFEST["expects"]) as tree:
        files = [(kind, name) for name in tree.names for kind in KINDS if kind.pattern.search(name)]
        if not files:
            refuse_other_exports(path, tree)
        owner = profile_owner(tree, limits)
        for kind, name in sorted(files, key=file_order):
            yield from read_file(path, tree, kind, name, owner, problems, limits)


def single_kind(file_name: str) -> Kind:
    """Say what a lone file of the export holds, from its name (posts when it cannot say)."""
    for kind in KINDS:
        if any(kind.pattern.search(folder + file_name) for folder in FOLDERS):
            return kind
    return KINDS[0]


def read_file(
    path: Path,
    tree: Tree,
    kind: Kind,
    name: str,
    owner: RemoteAuthor | None,
    problems: Problems,
    limits: Limits,
) -> Iterator[Captured]:
    """Yield the entries of one file of the export."""
    for number, entry in enumerate(entries(tree, name, kind, limits), 1):
        where = (
            f"{path.name}, {name}, entry {number:,}"
            if name != path.name
            else (f"{name}, entry {number:,}")
        )
        entry = usable(entry, where, problems)
        if entry is None:
            continue
        if not isinstance(entry, dict):
            problems.bad(where, "the entry is not a post or comment")
            continue
        try:
            yield to_captured(entry, kind, name, owner, tree)
        except (ValueError, TypeError, AttributeError, KeyError, OverflowError) as exc:
            problems.bad(where, f"the entry cannot be read ({exc})")


def file_order(pair: tuple[Kind, str]) -> tuple[int, str, int]:
    """Read posts before comments, and your_posts_2.json after your_posts_1.json."""
    kind, name = pair
    match = kind.pattern.search(name)
    part = int(match.group(1)) if match and match.groups() and match.group(1) else 0
    return (KINDS.index(kind), re.sub(r"_\d+\.json$", "", name), part)


def refuse_other_exports(path: Path, tree: Tree) -> None:
    if any(HTML_EXPORT.search(name) for name in tree.names):
        raise ImportFileError(
            f"{path.name} is the HTML version of a Facebook export. Download your "
            "information again and choose the format JSON, then import that."
        )
    raise ImportFileError(
        f"{path.name} holds no Facebook posts or comments: expected {MANIFEST['expects']}."
    )


def entries(tree: Tree, name: str, kind: Kind, limits: Limits) -> Iterator[Any]:
    """Yield the entries of one file: a bare list, or the list under one of the kind's keys."""
    for attempt, key in enumerate(kind.keys):
        with tree.open(name) as stream:
            reader = JsonReader(stream, name=name, max_value=limits.max_record_bytes)
            first = reader.peek()
            if first == "[" and key == "":
                yield from reader.array()
                reader.end()
                return
            if first == "{" and key:
                try:
                    yield from reader.array_in_object(key, {})
                    return
                except ImportFileError as exc:
                    if f"has no {key!r} list" not in str(exc) or attempt == len(kind.keys) - 1:
                        raise
                    continue
            if first not in "[{":
                raise ImportFileError(
                    f"{name} is not JSON (it starts with {first!r}): expected {MANIFEST['expects']}."
                )
    raise ImportFileError(f"{name} does not hold a list of Facebook entries.")


def profile_owner(tree: Tree, limits: Limits) -> RemoteAuthor | None:
    """Return the export's owner, from profile_information.json, when it is there."""
    for name in tree.names:
        if not PROFILE.search(name):
            continue
        with tree.open(name) as stream:
            data = stream.read(limits.max_record_bytes)
        try:
            value = json.loads(data)
        except ValueError:
            return None
        profile = (
            value.get("profile_v2") or value.get("profile") if isinstance(value, dict) else None
        )
        name_info = profile.get("name") if isinstance(profile, dict) else None
        full_name = name_info.get("full_name") if isinstance(name_info, dict) else name_info
        if isinstance(full_name, str) and full_name.strip():
            owner = repair(full_name.strip())
            url = profile.get("profile_uri") if isinstance(profile.get("profile_uri"), str) else ""
            return RemoteAuthor(remote_id="", handle=owner, display_name=owner, url=url)
    return None


# --- one entry ------------------------------------------------------------------------------


def post_text(entry: Mapping[str, Any]) -> tuple[str, Mapping[str, Any] | None]:
    """Return the text of an entry and, for a comment, its comment object."""
    comment = None
    parts = []
    for block in entry.get("data") or []:
        if not isinstance(block, dict):
            continue
        if isinstance(block.get("post"), str):
            parts.append(block["post"])
        if isinstance(block.get("comment"), dict):
            comment = block["comment"]
            parts.append(str(comment.get("comment") or ""))
    return "\n".join(p for p in parts if p), comment


def readable_text(entry: Mapping[str, Any], text: str) -> str:
    """Return what a reader sees of an entry: its text, else its title, and any poll.

    A post without words of its own ("Comité shared a memory.", a life event) is
    known by its title; a poll's question and options are text a search must find.
    (The entry's id stays made from the post's own words, so older imports match.)
    """
    parts = [text or repair(str(entry.get("title") or ""))]
    for block in attachments(entry):
        poll = block.get("poll")
        if isinstance(poll, dict):
            parts.append(repair(str(poll.get("question") or "")))
            for option in poll.get("options") or []:
                if isinstance(option, dict) and option.get("option"):
                    parts.append("• " + repair(str(option["option"])))
    return "\n".join(p for p in parts if p)


def attachments(entry: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    for attachment in entry.get("attachments") or []:
        if isinstance(attachment, dict):
            for block in attachment.get("data") or []:
                if isinstance(block, dict):
                    yield block


def media_kind(uri: str) -> str:
    return "video" if VIDEO.search(uri) else "audio" if AUDIO.search(uri) else "image"


def entry_media(entry: Mapping[str, Any]) -> tuple[list[RemoteMedia], list[str]]:
    """Return the pictures and videos of an entry, and the links it shares."""
    media, links = [], []
    for block in attachments(entry):
        found = [block.get("media")]
        note = block.get("note")
        if isinstance(note, dict):
            found += [m for m in note.get("media") or [] if isinstance(m, dict)]
        for item in found:
            if isinstance(item, dict) and isinstance(item.get("uri"), str) and item["uri"]:
                uri = item["uri"]
                description = repair(str(item.get("description") or ""))
                media.append(RemoteMedia(url=uri, kind=media_kind(uri), alt=description))
        context = block.get("external_context")
        if isinstance(context, dict) and isinstance(context.get("url"), str):
            links.append(repair(context["url"]))
    return media, links


def entry_id(kind: Kind, entry: Mapping[str, Any], text: str, media: list[RemoteMedia]) -> str:
    """Make the id the export does not give: the same entry always gets the same one."""
    stable = {
        "kind": kind.name,
        "timestamp": entry.get("timestamp"),
        "title": repair(str(entry.get("title") or "")),
        "text": text,
        "media": sorted(PurePosixPath(m.url).name for m in media),
    }
    digest = hashlib.sha256(json.dumps(stable, sort_keys=True).encode()).hexdigest()[:20]
    return f"dyi-{kind.name}-{entry.get('timestamp')}-{digest}"


def layout_name(kind: Kind, name: str) -> str:
    match = kind.pattern.search(name)
    return match.group(0).lstrip("/") if match else name


def to_captured(
    entry: dict[str, Any], kind: Kind, name: str, owner: RemoteAuthor | None, tree: Tree
) -> Captured:
    """Map one entry of the export to houseboat's record."""
    raw_text, comment = post_text(entry)
    text = repair(raw_text)
    shown = readable_text(entry, text)
    timestamp = entry.get("timestamp") or (comment or {}).get("timestamp")
    if timestamp is None:
        raise ValueError("it has no timestamp")
    created_at = datetime.fromtimestamp(int(timestamp), UTC)
    media, links = entry_media(entry)
    author = owner
    if comment is not None and comment.get("author"):
        who = repair(str(comment["author"]))
        author = RemoteAuthor(remote_id="", handle=who, display_name=who)
    files = {}
    for item in media:
        found = tree.resolve(item.url, near=name)
        opener = tree.opener(found) if found else None
        if opener is not None:
            files[item.url] = opener
    return Captured(
        RemoteItem(
            network="facebook",
            remote_id=entry_id(kind, entry, text, media),
            text=shown,
            created_at=created_at,
            author=author,
            links=links,
            media=media,
            # The file as the layout names it, whatever folder the ZIP or unpacking added.
            raw={"file": layout_name(kind, name), "kind": kind.name, "entry": entry},
        ),
        media_files=files,
    )
