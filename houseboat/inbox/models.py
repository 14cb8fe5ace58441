"""The team inbox: what the team's accounts received, each with who handles it.

An entry is one archive item (a reply to the team's post, a mention of one of its
accounts, a comment on its Page, a direct message) filed by the worker's filing step
(:mod:`houseboat.inbox.filing`). It points at what it answers, the team's own sent
post or an earlier item, and keeps who it is assigned to, its tags, whether it is
done and the reply the team sent. Who did what when is in the audit log.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from houseboat.campaigns.models import Campaign
from houseboat.connectors.models import Channel
from houseboat.core.models import Team
from houseboat.inbox.constants import EntryKind, EntryState
from houseboat.listening.models import Item
from houseboat.publishing.models import Delivery, Post


class InboxEntry(models.Model):
    """One received item the team may answer, assign, tag and close."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="inbox_entries")
    # One entry per item: the filing step may read an item twice, never file it twice.
    item = models.OneToOneField(Item, on_delete=models.CASCADE, related_name="inbox_entry")
    kind = models.CharField(max_length=10, choices=EntryKind.choices)
    network = models.CharField(max_length=20)
    # When it was written (the item's time, or when it was captured if the network gave none).
    received_at = models.DateTimeField()
    # The team's account that received it, which a reply goes out from.
    channel = models.ForeignKey(
        Channel, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What it answers: the team's own sent post, or an earlier archive item.
    answers_delivery = models.ForeignKey(
        Delivery, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answers_item = models.ForeignKey(
        Item, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(max_length=10, choices=EntryState.choices, default=EntryState.OPEN)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The latest reply written here; the post shows whether it is queued, waiting or sent.
    reply_post = models.ForeignKey(
        Post, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    filed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["campaign", "state", "-received_at"], name="inbox_by_state"),
            models.Index(fields=["team", "state", "assignee"], name="inbox_waiting"),
        ]
        verbose_name_plural = "inbox entries"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.network}:{self.item_id}"


class InboxTag(models.Model):
    """One tag on one entry ("press", "legal"), lower-cased, for filtering."""

    entry = models.ForeignKey(InboxEntry, on_delete=models.CASCADE, related_name="tags")
    tag = models.CharField(max_length=40)

    class Meta:
        ordering = ["tag"]
        constraints = [models.UniqueConstraint(fields=["entry", "tag"], name="inbox_tag_once")]

    def __str__(self) -> str:
        return self.tag


class InboxCheckpoint(models.Model):
    """The last item of a campaign the filing step has read (as the alerts' checkpoint)."""

    campaign = models.OneToOneField(
        Campaign, on_delete=models.CASCADE, related_name="+", primary_key=True
    )
    item_id = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"inbox filed through item {self.item_id}"
