"""The archive: every item the team sent or saw, with its raw payload and its evidence.

Items belong to a campaign. Authors are one row per network identity, shared by all
campaigns (they are public accounts). Media files are stored once, named by their
SHA-256. Every capture (a file import or a live read) ends with a custody record,
and the custody records form a hash chain.
"""

import zlib
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from houseboat.campaigns.models import Campaign
from houseboat.listening.constants import (
    CaptureKind,
    CaptureState,
    ColumnKind,
    GoneReason,
    ImportJobState,
    MediaKind,
)

SHA256_LENGTH = 64


def archive_dir() -> Path:
    """Return the folder that holds archive files (media), inside the data directory."""
    configured = getattr(settings, "HOUSEBOAT_ARCHIVE_DIR", None)
    return Path(configured) if configured else Path(settings.DATA_DIR) / "archive"


class Author(models.Model):
    """One account on one network, as last seen by the first capture that met it."""

    network = models.CharField(max_length=20)
    remote_id = models.CharField(max_length=200)
    handle = models.CharField(max_length=255, blank=True)
    display_name = models.TextField(blank=True)
    url = models.TextField(blank=True)
    first_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["network", "remote_id"], name="author_once_per_network")
        ]

    def __str__(self) -> str:
        return f"{self.handle or self.remote_id} on {self.network}"


class Capture(models.Model):
    """One run that brought items in: a file import or a live read.

    ``position`` counts the records already committed, so an import that stopped
    (a crash, a full disk) continues from there when the same file is imported again.
    ``payloads_sha256`` chains the SHA-256 of every raw payload read, in file order.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="captures")
    kind = models.CharField(max_length=10, choices=CaptureKind.choices)
    format = models.CharField(max_length=40)
    source_name = models.CharField(max_length=255, blank=True)
    source_sha256 = models.CharField(max_length=SHA256_LENGTH, blank=True)
    source_size = models.BigIntegerField(null=True, blank=True)
    tool_version = models.CharField(max_length=100)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=150, blank=True)
    state = models.CharField(
        max_length=10, choices=CaptureState.choices, default=CaptureState.QUEUED
    )
    keep_going = models.BooleanField(default=False)
    position = models.BigIntegerField(default=0)
    payloads_sha256 = models.CharField(max_length=SHA256_LENGTH, default="0" * SHA256_LENGTH)
    records_read = models.BigIntegerField(default=0)
    records_skipped = models.BigIntegerField(default=0)
    items_new = models.BigIntegerField(default=0)
    items_known = models.BigIntegerField(default=0)
    snapshots_new = models.BigIntegerField(default=0)
    media_stored = models.BigIntegerField(default=0)
    # What the import skipped (per reason, first positions), assumed and corrected, for the
    # person who ran it and the custody record.
    report = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["campaign", "format", "source_sha256", "state"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.source_name or self.format} ({self.state})"


class Item(models.Model):
    """One post as captured, normalised, with its raw payload kept compressed.

    ``metrics`` and ``raw`` are those of the first capture; later captures of the same
    post add a MetricSnapshot, so the history is kept and the original is never changed.
    ``raw`` is zlib-compressed canonical JSON (keys sorted, no spaces, UTF-8), and
    ``raw_sha256`` is the SHA-256 of that JSON before compression.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="items")
    network = models.CharField(max_length=20)
    remote_id = models.CharField(max_length=200)
    url = models.TextField(blank=True)
    author = models.ForeignKey(
        Author, null=True, blank=True, on_delete=models.SET_NULL, related_name="items"
    )
    text = models.TextField(blank=True)
    language = models.CharField(max_length=16, blank=True)
    created_at = models.DateTimeField(null=True, blank=True)
    reply_to_id = models.CharField(max_length=255, blank=True)
    repost_of_id = models.CharField(max_length=255, blank=True)
    quote_of_id = models.CharField(max_length=255, blank=True)
    hashtags = models.JSONField(default=list, blank=True)
    mentions = models.JSONField(default=list, blank=True)
    links = models.JSONField(default=list, blank=True)
    has_media = models.BooleanField(default=False)
    metrics = models.JSONField(default=dict, blank=True)
    raw = models.BinaryField()
    raw_sha256 = models.CharField(max_length=SHA256_LENGTH)
    captured_at = models.DateTimeField()
    capture = models.ForeignKey(
        Capture, null=True, blank=True, on_delete=models.SET_NULL, related_name="items"
    )
    # Set only on items restored from a houseboat export: the hash of the custody record
    # of the capture that first stored the item, in the install it came from ("" when
    # that install had none). NULL means this install captured it: see ``capture``.
    # Nullable so that SQLite adds the column in place instead of copying the archive.
    origin = models.CharField(max_length=SHA256_LENGTH, null=True, blank=True)  # noqa: DJ001
    # Set when a later read said the post is no longer on its network (the deletion
    # watch); the archived copy stays, it is the evidence. Nullable, so SQLite adds
    # the columns in place.
    gone_at = models.DateTimeField(null=True, blank=True)
    gone_reason = models.CharField(  # noqa: DJ001
        max_length=20, choices=GoneReason.choices, null=True, blank=True
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "network", "remote_id"], name="item_once_per_campaign"
            )
        ]
        indexes = [
            models.Index(fields=["campaign", "created_at"]),
            models.Index(fields=["campaign", "author"]),
        ]

    def __str__(self) -> str:
        return f"{self.network}:{self.remote_id}"

    @property
    def web_url(self) -> str:
        """Return the original post's address when it is a web address (http or https), else "".

        Imported files can carry any text as a post's address (``javascript:``, ``data:``);
        only a web address is ever offered as a link.
        """
        scheme = self.url.split(":", 1)[0].strip().lower() if ":" in self.url else ""
        return self.url if scheme in ("http", "https") and self.url.isprintable() else ""

    def raw_payload(self) -> Any:
        """Return the raw payload as the network gave it."""
        import json

        return json.loads(zlib.decompress(bytes(self.raw)))


class ItemHashtag(models.Model):
    """One hashtag of one item, lower-cased, for fast per-hashtag queries."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="hashtag_rows")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    tag = models.CharField(max_length=200)
    created_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "tag"], name="hashtag_once_per_item")
        ]
        indexes = [models.Index(fields=["campaign", "tag", "created_at"])]

    def __str__(self) -> str:
        return f"#{self.tag}"


class MediaBlob(models.Model):
    """A media file stored once, at archive/media/ab/cd/<sha256>, never modified."""

    sha256 = models.CharField(max_length=SHA256_LENGTH, primary_key=True)
    size = models.BigIntegerField()
    mime_type = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.sha256

    @property
    def path(self) -> Path:
        return blob_path(self.sha256)


def blob_path(sha256: str) -> Path:
    """Return where the media file with this SHA-256 lives."""
    return archive_dir() / "media" / sha256[:2] / sha256[2:4] / sha256


class ItemMedia(models.Model):
    """A picture, video or file attached to an item; ``blob`` is set when we hold the file."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="media")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=10, choices=MediaKind.choices, default=MediaKind.IMAGE)
    url = models.TextField(blank=True)
    alt = models.TextField(blank=True)
    blob = models.ForeignKey(
        MediaBlob, null=True, blank=True, on_delete=models.PROTECT, related_name="uses"
    )

    class Meta:
        ordering = ["item", "position"]
        constraints = [
            models.UniqueConstraint(fields=["item", "position"], name="media_position_per_item")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.position} of {self.item_id}"


class MetricSnapshot(models.Model):
    """A later capture of an item whose payload changed (its counts, usually).

    The newer raw payload is kept too, so a re-capture loses nothing.
    """

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="snapshots")
    capture = models.ForeignKey(
        Capture, null=True, blank=True, on_delete=models.SET_NULL, related_name="snapshots"
    )
    captured_at = models.DateTimeField()
    metrics = models.JSONField(default=dict, blank=True)
    raw = models.BinaryField()
    raw_sha256 = models.CharField(max_length=SHA256_LENGTH)
    # As Item.origin: set on snapshots restored from a houseboat export.
    origin = models.CharField(max_length=SHA256_LENGTH, null=True, blank=True)  # noqa: DJ001

    class Meta:
        ordering = ["item", "captured_at"]
        constraints = [
            models.UniqueConstraint(fields=["item", "raw_sha256"], name="snapshot_once_per_payload")
        ]

    def __str__(self) -> str:
        return f"{self.item_id} at {self.captured_at:%Y-%m-%d %H:%M}"


class HourlyCount(models.Model):
    """How many items of a campaign were posted in an hour (UTC), overall or per hashtag.

    ``hashtag`` is "" for all items. Kept up to date by the ingest pipeline, one
    upsert per batch, so volume charts never count the items table.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    hour = models.DateTimeField()
    hashtag = models.CharField(max_length=200, blank=True)
    count = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "hour", "hashtag"], name="one_count_per_hour_and_tag"
            )
        ]
        indexes = [
            models.Index(fields=["campaign", "hashtag", "hour"]),
            # Holds the count too, so the response page sums a window from the index alone.
            models.Index(
                fields=["campaign", "hour", "hashtag", "count"], name="hourlycount_covering"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hour:%Y-%m-%d %H:00} #{self.hashtag or '*'}: {self.count}"


class AuthorCount(models.Model):
    """How many items of a campaign each author posted, and how many were reposts.

    Kept up to date by the ingest pipeline, one upsert per batch, so "who amplifies
    the campaign most" never groups the items table.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="+")
    posts = models.BigIntegerField(default=0)
    reposts = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "author"], name="one_count_per_author")
        ]
        indexes = [
            models.Index(fields=["campaign", "-reposts"], name="authorcount_by_reposts"),
            models.Index(fields=["campaign", "-posts"], name="authorcount_by_posts"),
        ]

    def __str__(self) -> str:
        return f"author {self.author_id}: {self.posts} posts, {self.reposts} reposts"


class HashtagPair(models.Model):
    """How many items of a campaign carry both hashtags (lower-cased, kept both ways round).

    Kept up to date by the ingest pipeline, so "which hashtags go with this one" is one
    index range. An item's first ``MAX_PAIRED_TAGS`` hashtags are paired; a post stuffed
    with more adds no more pairs.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    tag = models.CharField(max_length=200)
    other = models.CharField(max_length=200)
    count = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "tag", "other"], name="one_count_per_pair")
        ]
        indexes = [models.Index(fields=["campaign", "tag", "-count"], name="hashtagpair_by_count")]

    def __str__(self) -> str:
        return f"#{self.tag} with #{self.other}: {self.count}"


MAX_PAIRED_TAGS = 10


class AlertCheckpoint(models.Model):
    """The last item of a campaign the alert check has read (see listening/alerting.py).

    Items with a higher id are stored but not yet checked for threats, slurs and
    doxxing; the worker's alert step moves this forward as it checks them.
    """

    campaign = models.OneToOneField(
        Campaign, on_delete=models.CASCADE, related_name="+", primary_key=True
    )
    item_id = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"alerts checked through item {self.item_id}"


class CustodyRecordQuerySet(models.QuerySet):
    """Custody records can be added and read, never changed or removed through the ORM."""

    def update(self, **kwargs):
        raise PermissionDenied("Custody records are append-only.")

    def delete(self):
        raise PermissionDenied("Custody records are append-only.")


class CustodyRecord(models.Model):
    """One link of the chain of custody: who captured what, when, with which tool.

    ``statement`` is canonical JSON; ``record_hash`` is the SHA-256 of ``prev_hash``,
    a newline and the statement. Changing any record, or removing one, breaks
    :func:`houseboat.listening.custody.verify_chain` from that record on.
    """

    seq = models.PositiveBigIntegerField(unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    capture = models.ForeignKey(
        Capture, null=True, blank=True, on_delete=models.SET_NULL, related_name="custody_records"
    )
    statement = models.TextField()
    prev_hash = models.CharField(max_length=SHA256_LENGTH)
    record_hash = models.CharField(max_length=SHA256_LENGTH, unique=True)

    objects = CustodyRecordQuerySet.as_manager()

    class Meta:
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"custody record {self.seq}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionDenied("Custody records are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("Custody records are append-only.")


class CarriedCustodyRecord(models.Model):
    """A custody record another houseboat install wrote, carried in by a restored export.

    Kept exactly as it came (its own hash still checks), so the campaign's next export
    carries it on; like the chain itself, it is never changed. ``capture`` is the
    restore that brought it, ``position`` its place among the campaign's carried records.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    capture = models.ForeignKey(
        Capture, null=True, blank=True, on_delete=models.SET_NULL, related_name="carried_records"
    )
    position = models.PositiveIntegerField()
    seq = models.PositiveBigIntegerField()
    created_at = models.CharField(max_length=40)  # as the other install wrote it (ISO 8601)
    statement = models.TextField()
    prev_hash = models.CharField(max_length=SHA256_LENGTH)
    record_hash = models.CharField(max_length=SHA256_LENGTH)

    objects = CustodyRecordQuerySet.as_manager()

    class Meta:
        ordering = ["campaign", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "record_hash"], name="carried_record_once_per_campaign"
            )
        ]

    def __str__(self) -> str:
        return f"carried custody record {self.seq} ({self.record_hash[:12]})"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionDenied("Custody records are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("Custody records are append-only.")


def imports_dir() -> Path:
    """Return the private folder where uploaded files wait for the worker (never served)."""
    return Path(settings.DATA_DIR) / "imports"


class ImportJob(models.Model):
    """A file uploaded on the Import page, imported by the worker with visible progress.

    The worker claims a queued job (or one whose worker stopped renewing its lease),
    runs the import and deletes the uploaded file when the job ends, done or failed.
    ``records_total`` is known once the file was checked, ``records_done`` grows as
    batches are written; a claimed-again job resumes where the import stopped.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="import_jobs")
    format = models.CharField(max_length=40)
    source_name = models.CharField(max_length=255)
    upload = models.CharField(max_length=500, blank=True)  # relative to imports_dir()
    bytes_total = models.BigIntegerField(default=0)
    options = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(
        max_length=10, choices=ImportJobState.choices, default=ImportJobState.QUEUED
    )
    records_total = models.BigIntegerField(null=True, blank=True)
    records_done = models.BigIntegerField(default=0)
    items_new = models.BigIntegerField(default=0)
    items_known = models.BigIntegerField(default=0)
    records_skipped = models.BigIntegerField(default=0)
    capture = models.ForeignKey(
        Capture, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    lease_owner = models.CharField(max_length=200, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "lease_until"])]

    def __str__(self) -> str:
        return f"import {self.pk} ({self.state})"

    @property
    def finished(self) -> bool:
        return self.state in {ImportJobState.DONE, ImportJobState.FAILED}

    @property
    def percent(self) -> int | None:
        if not self.records_total:
            return None
        return min(100, round(100 * self.records_done / self.records_total))


# --- the board: live columns ------------------------------------------------------------

DEFAULT_POLL_SECONDS = 120


class Column(models.Model):
    """A live query on one channel (or a feed), polled by the worker's reading lane.

    ``cursor`` is the connector's, stored in the same transaction as the items it
    brought in, so a crash between the read and the store repeats the read and the
    archive's de-duplication keeps each item once. ``failures`` counts failed polls
    in a row: each waits longer (see :mod:`houseboat.listening.polling`), and too
    many pause the column with ``pause_reason`` in words. ``lease_*`` is the worker
    lease (:mod:`houseboat.core.leases`) that keeps two workers from polling it at once.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="columns")
    # None for a feed column: its query is the feed's address.
    channel = models.ForeignKey(
        "connectors.Channel",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="columns",
    )
    kind = models.CharField(max_length=20, choices=ColumnKind.choices)
    query = models.CharField(max_length=500, blank=True)
    # Only a feed column: may its address point into the private network? Off by
    # default, since a feed address given by anyone in the team could reach the
    # machines around the server (SSRF).
    allow_private_network = models.BooleanField(default=False)
    position = models.PositiveIntegerField(default=0)
    paused = models.BooleanField(default=False)
    pause_reason = models.CharField(max_length=600, blank=True)
    cursor = models.TextField(null=True, blank=True)  # noqa: DJ001 (None: read from the start)
    interval_seconds = models.PositiveIntegerField(default=DEFAULT_POLL_SECONDS)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    next_poll_at = models.DateTimeField(default=timezone.now)
    failures = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=600, blank=True)
    items_seen = models.BigIntegerField(default=0)
    items_new = models.BigIntegerField(default=0)
    gone_seen = models.BigIntegerField(default=0)
    # When the deletion watch last looked at this column's items (None: never).
    watched_at = models.DateTimeField(null=True, blank=True)
    lease_owner = models.CharField(max_length=200, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["campaign", "position", "id"]
        indexes = [models.Index(fields=["paused", "next_poll_at"], name="column_due")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.query}".strip()

    @property
    def network(self) -> str:
        return self.channel.network if self.channel_id else "rss"

    @property
    def title(self) -> str:
        """How the board names the column: what it reads, and where."""
        where = self.channel.name if self.channel_id else _("feed")
        what = self.query or self.get_kind_display()
        if self.kind == ColumnKind.FEED:
            what = self.query.split("://", 1)[-1]  # the address without its scheme
        if self.kind == ColumnKind.HASHTAG:
            what = "#" + self.query.lstrip("#")
        return f"{what} · {where}"


class ColumnItem(models.Model):
    """An item a column brought in; an item read by two columns is stored once."""

    column = models.ForeignKey(Column, on_delete=models.CASCADE, related_name="column_items")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="column_links")
    seen_at = models.DateTimeField(default=timezone.now)
    # When the deletion watch last asked the network about it (None: not yet).
    checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["column", "item"], name="column_item_once")]
        indexes = [models.Index(fields=["column", "checked_at"], name="column_item_watch")]

    def __str__(self) -> str:
        return f"{self.item_id} in column {self.column_id}"


class ColumnReadMark(models.Model):
    """How far one person has read one column: the last ColumnItem id they marked read."""

    column = models.ForeignKey(Column, on_delete=models.CASCADE, related_name="read_marks")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_through = models.BigIntegerField(default=0)
    marked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["column", "user"], name="one_read_mark_per_person")
        ]

    def __str__(self) -> str:
        return f"column {self.column_id} read through {self.read_through}"


# The dashboards' roll-ups and actions live in their own module; imported here so Django
# finds them with the app's other models.
from houseboat.listening.dashboards_models import (  # noqa: E402, F401
    AuthorFirstPost,
    DailyKeyCount,
    DatedEvent,
    HourlyKeyCount,
    KeyTotal,
)
