"""Store what a press feed carried: each story once per team, every wording kept.

A feed entry is the same story as one already stored when, in this order,

1. its normalised address (:func:`houseboat.radar.normalise.url_key`) is known in the
   team — whichever feed brought it, so the ``?utm_source=rss`` and ``http://www.``
   variants of one article are one story;
2. the same source already gave an entry with its ``guid`` (an outlet that moved the
   article to a new address);
3. the same source published a story with the same folded headline
   (:func:`~houseboat.radar.normalise.title_key`, at least ``MIN_TITLE_WORDS`` words)
   within ``TITLE_WINDOW`` (a "source-day"): the mobile or AMP copy of one article.

Titles are not matched across sources: two outlets running one agency story are two
reports of it, which is what the press side of the radar counts.

A story's wording (title and summary) is kept in :class:`StoryVersion` rows, the first
as it was first seen. When the source that published it later gives it with other
words, a new version is added and the story is flagged ``edited`` — a stealth edit.
Another feed quoting the same address with its own summary, or a copy found only by
its headline, is not an edit by the publisher and changes nothing but ``last_seen_at``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction

from houseboat.connectors.base import RemoteItem
from houseboat.listening.language import detect
from houseboat.radar.models import PressSource, Story, StoryVersion
from houseboat.radar.normalise import title_key, url_key

TITLE_WINDOW = timedelta(hours=24)
MIN_TITLE_WORDS = 3


@dataclass
class Stored:
    """What one feed document added: new stories, stealth edits, stories seen again."""

    new: int = 0
    edited: int = 0
    seen: int = 0
    edited_ids: list[int] = field(default_factory=list)


@dataclass
class Entry:
    """One feed entry as the radar keeps it."""

    url: str
    url_key: str
    guid: str
    title: str
    summary: str
    title_key: str
    language: str
    published_at: datetime | None

    @property
    def content_hash(self) -> str:
        return content_hash(self.title, self.summary)


def content_hash(title: str, summary: str) -> str:
    """Hash a wording; spacing alone is not a change."""
    text = " ".join(title.split()) + "\n" + " ".join(summary.split())
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def entry_of(item: RemoteItem, source: PressSource) -> Entry | None:
    """Read a parsed feed entry; None for one without an address or a title to go by."""
    title, summary = split_text(item)
    url = (item.url or "").strip() or (
        item.remote_id if item.remote_id.startswith(("http://", "https://")) else ""
    )
    if not url:
        return None
    language = (item.language or "").split("-")[0][:2].lower() or source.language
    if not language:
        language = detect(f"{title}. {summary}")
    return Entry(
        url=url[:2000],
        url_key=url_key(url)[:2000],
        guid=item.remote_id[:1000] if not item.remote_id.startswith("sha256:") else "",
        title=title,
        summary=summary,
        title_key=title_key(title)[:1000],
        language=language[:8],
        published_at=item.created_at,
    )


def split_text(item: RemoteItem) -> tuple[str, str]:
    """Take the title and the summary back apart (the connector joins them with a blank line)."""
    if not (item.raw or {}).get("title"):
        return "", item.text.strip()
    title, _, summary = item.text.partition("\n\n")
    return title.strip(), summary.strip()


def store(source: PressSource, items: Sequence[RemoteItem], now: datetime) -> Stored:
    """Store a feed document's entries for its source, in one transaction."""
    entries: dict[str, Entry] = {}
    for item in items:
        entry = entry_of(item, source)
        if entry is not None:
            entries.setdefault(entry.url_key, entry)
    stored = Stored()
    if not entries:
        return stored
    with transaction.atomic():
        matcher = Matcher(source, list(entries.values()))
        for entry in entries.values():
            story, by_title = matcher.find(entry)
            if story is None:
                matcher.add(entry, now)
                stored.new += 1
            elif is_edit(story, entry, source, by_title):
                matcher.edit(story, entry, now)
                stored.edited += 1
                stored.edited_ids.append(story.pk)
            else:
                matcher.touch(story, now)
                stored.seen += 1
        matcher.save()
    return stored


class Matcher:
    """The team's stories an entry may already be, found in three queries, not one per entry."""

    def __init__(self, source: PressSource, entries: list[Entry]):
        self.source = source
        self.by_url = {
            story.url_key: story
            for story in Story.objects.filter(
                team_id=source.team_id, url_key__in=[entry.url_key for entry in entries]
            )
        }
        guids = [entry.guid for entry in entries if entry.guid]
        self.by_guid = {
            story.guid: story
            for story in Story.objects.filter(source=source, guid__in=guids).order_by("id")
        }
        keys = [entry.title_key for entry in entries if titled(entry.title_key)]
        self.by_title: dict[str, list[Story]] = {}
        for story in Story.objects.filter(source=source, title_key__in=keys).order_by("id"):
            self.by_title.setdefault(story.title_key, []).append(story)
        self.created: list[tuple[Story, Entry]] = []
        self.changed: dict[int, Story] = {}
        self.versions: list[StoryVersion] = []

    def find(self, entry: Entry) -> tuple[Story | None, bool]:
        """Return the story this entry is, and whether only its headline said so."""
        story = self.by_url.get(entry.url_key) or self.by_guid.get(entry.guid or "\0")
        if story is not None or not titled(entry.title_key):
            return story, False
        for candidate in self.by_title.get(entry.title_key, []):
            if same_day(candidate.published_at or candidate.first_seen_at, entry.published_at):
                return candidate, True
        return None, False

    def add(self, entry: Entry, now: datetime) -> None:
        story = Story(
            team_id=self.source.team_id,
            source=self.source,
            url=entry.url,
            url_key=entry.url_key,
            title=entry.title,
            summary=entry.summary,
            language=entry.language,
            published_at=entry.published_at,
            first_seen_at=now,
            last_seen_at=now,
            guid=entry.guid,
            title_key=entry.title_key,
        )
        self.created.append((story, entry))
        # Later entries of this same document find it too.
        self.by_url[entry.url_key] = story
        if entry.guid:
            self.by_guid[entry.guid] = story
        if titled(entry.title_key):
            self.by_title.setdefault(entry.title_key, []).append(story)

    def edit(self, story: Story, entry: Entry, now: datetime) -> None:
        story.title, story.summary = entry.title, entry.summary
        story.title_key = entry.title_key
        story.edited = True
        story.last_seen_at = now
        if story.pk is None:  # the same document gave it twice: keep the last wording
            return
        self.changed[story.pk] = story
        self.versions.append(
            StoryVersion(
                story=story,
                seen_at=now,
                title=entry.title,
                summary=entry.summary,
                content_hash=entry.content_hash,
            )
        )

    def touch(self, story: Story, now: datetime) -> None:
        story.last_seen_at = now
        if story.pk is not None:
            self.changed[story.pk] = story

    def save(self) -> None:
        """Write the new stories with their first versions, the edits and the sightings."""
        new = Story.objects.bulk_create([story for story, _ in self.created])
        first = [
            StoryVersion(
                story=story,
                seen_at=story.first_seen_at,
                title=story.title,
                summary=story.summary,
                content_hash=content_hash(story.title, story.summary),
            )
            for story in new
        ]
        StoryVersion.objects.bulk_create(first + self.versions)
        if self.changed:
            Story.objects.bulk_update(
                list(self.changed.values()),
                ["title", "summary", "title_key", "edited", "last_seen_at"],
            )


def is_edit(story: Story, entry: Entry, source: PressSource, by_title: bool) -> bool:
    """Tell whether the publisher changed the story's words since they were stored.

    Only the story's own source, at its own address (or guid), can edit it: a copy found
    by its headline (an AMP page) or another feed's summary is not an edit.
    """
    if by_title or story.source_id != source.id:
        return False
    return entry.content_hash != content_hash(story.title, story.summary)


def titled(key: str) -> bool:
    """Tell whether a folded headline says enough to identify a story ("Live" does not)."""
    return len(key.split()) >= MIN_TITLE_WORDS


def same_day(first: datetime | None, second: datetime | None) -> bool:
    """Tell whether two publication times are within TITLE_WINDOW (unknown: yes)."""
    if first is None or second is None:
        return True
    return abs(first - second) <= TITLE_WINDOW
