"""Posts, their per-channel variants, and one delivery row per part per channel.

A post is what a person writes once. A variant is that post fitted to one channel
(its own text, a thread, options). A delivery is one part of one variant on its way
to the network: the row the dispatcher claims with a lease, whose state machine is
scheduled → sending → sent | failed | unknown (or cancelled).
"""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from houseboat.campaigns.models import Campaign
from houseboat.connectors.base import MediaFile, Published
from houseboat.connectors.models import Channel
from houseboat.core.models import Team
from houseboat.publishing.constants import (
    DeadManStatus,
    DeliveryState,
    ErrorKind,
    PostStatus,
    TakedownState,
)


class Post(models.Model):
    """One message, written once, that goes to one or more channels."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="posts")
    # A removed campaign leaves its posts as the record of what the team said.
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="posts"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("text"))
    link = models.URLField(
        _("link"),
        max_length=500,
        blank=True,
        help_text=_("Added to each channel's text with that channel's UTM parameters."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=PostStatus.choices, default=PostStatus.DRAFT
    )
    # Stored in UTC; shown and entered in the person's own time zone. Empty: at once.
    scheduled_at = models.DateTimeField(_("publish at"), null=True, blank=True)
    # Into each channel's queue: every channel's variant takes that channel's next free
    # posting time (a QueueSlot) when the post is scheduled, or approved.
    queued = models.BooleanField(_("add to the queue"), default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.TextField(_("review comment"), blank=True)
    # Counts every change of what would go out (words, channels, link, time, pictures).
    # An approval names the version the editor read, and a stale one is refused.
    version = models.PositiveIntegerField(default=1, editable=False)
    # The version that was sent for approval; a later one was changed in review.
    submitted_version = models.PositiveIntegerField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["team", "status"]),
            models.Index(fields=["team", "scheduled_at"]),
        ]

    def __str__(self) -> str:
        first = next((line.strip() for line in self.text.splitlines() if line.strip()), "")
        return first[:60] + ("…" if len(first) > 60 else "") or f"post {self.pk}"

    @property
    def changed_in_review(self) -> bool:
        """Tell whether the post changed after it was sent for approval."""
        return self.submitted_version is not None and self.version != self.submitted_version


class Attachment(models.Model):
    """A picture or video stored once for a post; variants choose which to carry."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="publishing/%Y/%m/")
    mime_type = models.CharField(max_length=100)
    alt = models.TextField(_("description (alt text)"), blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return Path(self.file.name).name

    def media_file(self) -> MediaFile:
        return MediaFile(path=Path(self.file.path), mime_type=self.mime_type, alt=self.alt)


class Variant(models.Model):
    """The post as it goes to one channel: its own text, or a thread of parts."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="variants")
    # A removed channel leaves the variant (and what was sent) in the history.
    channel = models.ForeignKey(
        Channel, null=True, on_delete=models.SET_NULL, related_name="post_variants"
    )
    text = models.TextField(_("text for this channel"), blank=True)
    # A thread: each part is one post, replying to the one before. Empty: one part.
    parts = models.JSONField(default=list, blank=True)
    options = models.JSONField(default=dict, blank=True)
    media = models.ManyToManyField(Attachment, blank=True, related_name="variants")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["post", "channel"], name="one_variant_per_channel")
        ]

    def __str__(self) -> str:
        return f"{self.post} on {self.channel or 'a removed channel'}"

    def part_texts(self) -> list[str]:
        """Return the words of each part: the thread, this channel's text, or the post's."""
        if self.parts:
            return [str(part) for part in self.parts]
        return [self.text or self.post.text]


class Delivery(models.Model):
    """One part of one variant on its way to the network, claimed by a worker with a lease.

    ``idempotency_key`` is fixed when the row is made and sent with every attempt, so a
    network (or the own site) that honours it never makes two posts of one delivery.
    """

    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="deliveries")
    part = models.PositiveSmallIntegerField(default=0)
    # A part is due only once the one before it was sent; it replies to it.
    previous = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="next_part"
    )
    # The words of this part, fixed when it was scheduled.
    text = models.TextField()
    state = models.CharField(
        max_length=20, choices=DeliveryState.choices, default=DeliveryState.SCHEDULED
    )
    due_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    lease_owner = models.CharField(max_length=200, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    first_claimed_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # Committed just before a request leaves: a row claimed by a worker that died
    # before this was set was never tried, and goes out as if nothing had happened.
    attempt_started_at = models.DateTimeField(null=True, blank=True)
    # Set when an attempt may have reached the network (a lease that ran out, a reply
    # that never came): the next attempt looks before it resends, where it must.
    in_doubt = models.BooleanField(default=False)
    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    remote_id = models.CharField(max_length=300, blank=True)
    remote_url = models.CharField(max_length=500, blank=True)
    # What the network needs to reply under this post (Bluesky's uri and cid, say).
    extra = models.JSONField(default=dict, blank=True)
    last_error = models.TextField(blank=True)
    error_kind = models.CharField(max_length=30, choices=ErrorKind.choices, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["variant", "part"], name="one_delivery_per_part")
        ]
        indexes = [
            models.Index(fields=["state", "due_at"], name="delivery_due"),
            models.Index(fields=["state", "lease_until"], name="delivery_lease"),
        ]
        verbose_name_plural = "deliveries"

    def __str__(self) -> str:
        return f"part {self.part + 1} of {self.variant} ({self.state})"

    def published(self) -> Published | None:
        """Return where this part landed, once it was sent."""
        if self.state != DeliveryState.SENT:
            return None
        return Published(remote_id=self.remote_id, url=self.remote_url, extra=self.extra or {})


# --- the dead-man switch and post metrics ----------------------------------------------
# Added for houseboat.publishing.deadman and houseboat.publishing.metrics; the models
# above are untouched.


class DeadManSwitch(models.Model):
    """Statements a member prepared, published if they miss a check-in by the deadline.

    The statements are one post (a variant per channel) held out of the approval and
    scheduling flow (``PostStatus.HELD``) until the switch releases it to the dispatcher.
    """

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="dead_man_switches")
    # The person whose silence releases the statements; only they check in.
    holder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(
        _("what it is for"),
        max_length=120,
        help_text=_("Only the team sees this, e.g. “If I am detained at the border”."),
    )
    post = models.OneToOneField(
        Post,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="dead_man_switch",
    )
    status = models.CharField(
        max_length=20, choices=DeadManStatus.choices, default=DeadManStatus.DRAFT
    )
    check_in_every = models.DurationField(_("check in every"))
    warn_before = models.DurationField(_("warn the owners this long before"))
    # Stored in UTC. ``warn_at`` is ``deadline - warn_before``, kept so pages can ask
    # "which switches are in their warning window" with one indexed comparison.
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    warn_at = models.DateTimeField(null=True, blank=True)
    warned_at = models.DateTimeField(null=True, blank=True)
    last_check_in_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    armed_at = models.DateTimeField(null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)
    disarmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "deadline"], name="deadman_due"),
            models.Index(fields=["team", "status", "warn_at"], name="deadman_warn"),
        ]
        verbose_name_plural = "dead-man switches"

    def __str__(self) -> str:
        return self.name

    @property
    def is_approved(self) -> bool:
        return self.approved_at is not None


class CheckInLink(models.Model):
    """A one-time link that checks in on a switch without signing in.

    Only a SHA-256 hash of the token is stored (as for invitations), so a copy of the
    database cannot be used to hold a switch back.
    """

    switch = models.ForeignKey(DeadManSwitch, on_delete=models.CASCADE, related_name="links")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    # Set when a newer link replaced this one, or the switch was disarmed or released.
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"check-in link for {self.switch}"


class MetricSample(models.Model):
    """One reading of a sent post's counts on its network; every reading is kept."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="metric_samples")
    captured_at = models.DateTimeField(default=timezone.now)
    # Empty: the network does not report this count (Mastodon has no views).
    replies = models.PositiveBigIntegerField(null=True, blank=True)
    reposts = models.PositiveBigIntegerField(null=True, blank=True)
    likes = models.PositiveBigIntegerField(null=True, blank=True)
    quotes = models.PositiveBigIntegerField(null=True, blank=True)
    views = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["delivery", "captured_at", "id"]
        indexes = [models.Index(fields=["delivery", "captured_at"], name="metric_sample_when")]

    def __str__(self) -> str:
        return f"metrics of delivery {self.delivery_id} at {self.captured_at:%Y-%m-%d %H:%M}"


class MetricSchedule(models.Model):
    """When the next reading of one sent delivery is due, claimed by a worker with a lease.

    ``step`` is the index of the reading in ``houseboat.publishing.metrics.SCHEDULE``;
    ``next_at`` empty means collecting has ended for this delivery.
    """

    delivery = models.OneToOneField(
        Delivery, on_delete=models.CASCADE, related_name="metric_schedule"
    )
    step = models.PositiveSmallIntegerField(default=0)
    next_at = models.DateTimeField(null=True, blank=True)
    lease_owner = models.CharField(max_length=200, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=600, blank=True)

    class Meta:
        indexes = [models.Index(fields=["next_at"], name="metric_schedule_due")]

    def __str__(self) -> str:
        return f"metrics schedule of delivery {self.delivery_id}"


# --- the queue: each channel's recurring posting times -----------------------------------


class QueueSlot(models.Model):
    """One weekly posting time of a channel: a weekday and a wall-clock time in a zone.

    The time is kept as a wall-clock time, not a UTC one, so a 09:00 slot stays 09:00
    local across a DST change (``houseboat.publishing.queue``).
    """

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="queue_slots")
    weekday = models.PositiveSmallIntegerField(_("day of the week"))  # 0 Monday … 6 Sunday
    time = models.TimeField(_("time of day"))
    time_zone = models.CharField(_("time zone"), max_length=64)

    class Meta:
        ordering = ["channel", "weekday", "time"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "weekday", "time"], name="one_slot_per_time"
            ),
            models.CheckConstraint(
                condition=models.Q(weekday__lte=6), name="queue_slot_weekday_0_to_6"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel}: day {self.weekday} at {self.time:%H:%M} ({self.time_zone})"


# --- taking a sent post down everywhere ----------------------------------------------------


class Takedown(models.Model):
    """A request to take one sent post down on every channel it went to.

    One per post; asking again retries what failed. Its tasks are the work.
    """

    post = models.OneToOneField(Post, on_delete=models.CASCADE, related_name="takedown")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    # Set when every task has settled (done, failed or by hand); cleared by a retry.
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"takedown of {self.post}"


class TakedownTask(models.Model):
    """One sent part on one channel to delete, claimed by the dispatch lane with a lease.

    The same protocol as a delivery: claimed with a lease, the attempt marked as
    started just before the request leaves, and an attempt that may have reached the
    network (a timeout, a worker that died) looked up before the delete is sent again.
    """

    takedown = models.ForeignKey(Takedown, on_delete=models.CASCADE, related_name="tasks")
    delivery = models.OneToOneField(
        Delivery, on_delete=models.CASCADE, related_name="takedown_task"
    )
    state = models.CharField(
        max_length=20, choices=TakedownState.choices, default=TakedownState.PENDING
    )
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    lease_owner = models.CharField(max_length=200, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempt_started_at = models.DateTimeField(null=True, blank=True)
    # An attempt may have reached the network: look before deleting again.
    in_doubt = models.BooleanField(default=False)
    # What happened, in words for the result list ("already gone", the network's refusal,
    # the steps to follow by hand).
    note = models.TextField(blank=True)
    error_kind = models.CharField(max_length=30, choices=ErrorKind.choices, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="takedown_due")]

    def __str__(self) -> str:
        return f"takedown of {self.delivery} ({self.state})"
