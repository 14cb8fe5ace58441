"""The dashboards' own roll-ups and the actions the team enters (imported by models.py).

``HourlyKeyCount`` and ``AuthorFirstPost`` are kept by the same path as the other
roll-ups (:class:`houseboat.listening.analytics.Rollups`), batch by batch on ingest,
so the dashboard and the response page read index ranges, never the items table.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from houseboat.campaigns.models import Campaign
from houseboat.listening.constants import ActionKind, RollupDimension

LINK_KEY_LENGTH = 500


class HourlyKeyCount(models.Model):
    """How many items of a campaign in an hour (UTC) had one network, language, link or mention.

    ``dimension`` says which (:class:`RollupDimension`); ``key`` is the network, the
    language code ("" when unknown), the link (at most 500 characters) or the team's
    handle mentioned.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    dimension = models.CharField(max_length=20, choices=RollupDimension.choices)
    hour = models.DateTimeField()
    key = models.CharField(max_length=LINK_KEY_LENGTH, blank=True)
    count = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "dimension", "hour", "key"], name="one_count_per_hour_and_key"
            )
        ]
        # Holds the count too, so summing a window never reads the table's rows.
        indexes = [
            models.Index(
                fields=["campaign", "dimension", "hour", "key", "count"],
                name="hourlykeycount_covering",
            )
        ]

    def __str__(self) -> str:
        return f"{self.hour:%Y-%m-%d %H:00} {self.dimension} {self.key!r}: {self.count}"


class DailyKeyCount(models.Model):
    """How many items of a campaign on a day (UTC) had a hashtag, a link or a language.

    The dashboard's rankings for a period of whole days add up at most a row per key
    and day, instead of one per key and hour.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    dimension = models.CharField(max_length=20, choices=RollupDimension.choices)
    day = models.DateField()
    key = models.CharField(max_length=LINK_KEY_LENGTH, blank=True)
    count = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "dimension", "day", "key"], name="one_count_per_day_and_key"
            )
        ]
        indexes = [
            models.Index(
                fields=["campaign", "dimension", "day", "key", "count"],
                name="dailykeycount_covering",
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.dimension} {self.key!r}: {self.count}"


class KeyTotal(models.Model):
    """How many items of a campaign, in the whole archive, had a hashtag, a link or a language."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    dimension = models.CharField(max_length=20, choices=RollupDimension.choices)
    key = models.CharField(max_length=LINK_KEY_LENGTH, blank=True)
    count = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "dimension", "key"], name="one_total_per_key"
            )
        ]
        indexes = [
            models.Index(fields=["campaign", "dimension", "-count"], name="keytotal_by_count")
        ]

    def __str__(self) -> str:
        return f"{self.dimension} {self.key!r}: {self.count}"


class AuthorFirstPost(models.Model):
    """When an account's first item in a campaign's archive was posted: "joined" the conversation.

    Not when houseboat first met the account (``Author.first_seen_at`` is the capture's
    time, the same for a whole import), but when it first posted, so an import of last
    month's conversation shows who joined when.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey("listening.Author", on_delete=models.CASCADE, related_name="+")
    first_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "author"], name="one_first_post_per_author")
        ]
        indexes = [models.Index(fields=["campaign", "first_at"], name="authorfirst_by_time")]

    def __str__(self) -> str:
        return f"author {self.author_id} first posted at {self.first_at:%Y-%m-%d %H:%M}"


class DatedEvent(models.Model):
    """A dated event the team enters (a march, a hearing, a press conference), to see the response.

    Every published post is an action too, without a row here (see listening/actions.py).
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="dated_events")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(
        _("kind"), max_length=20, choices=ActionKind.choices, default=ActionKind.OTHER
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gte=models.F("starts_at")),
                name="action_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def duration(self) -> timedelta:
        return self.ends_at - self.starts_at
