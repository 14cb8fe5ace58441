"""The press side of the counter-narrative radar: feeds the team follows and their stories.

A :class:`PressSource` is one RSS/Atom feed, optionally in a :class:`PressCollection`
("State media"). The reading lane fetches due sources (see :mod:`houseboat.radar.fetching`)
with a conditional GET, and each story lands once per team, keyed by its normalised
address (:mod:`houseboat.radar.normalise`). Every distinct title and summary a story was
seen with is a :class:`StoryVersion`; a story whose words changed after publication is
flagged ``edited`` (a stealth edit). :class:`IssueQuery` is what the radar compares.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from houseboat.campaigns.models import Campaign
from houseboat.core.models import Team
from houseboat.radar.constants import SourceKind, SourceState


class PressCollection(models.Model):
    """A group of press sources the team reads together ("State media")."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="press_collections")
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["team", "name"]
        constraints = [
            models.UniqueConstraint(fields=["team", "name"], name="press_collection_name_per_team")
        ]

    def __str__(self) -> str:
        return self.name


class PressSource(models.Model):
    """One RSS/Atom feed of a newspaper, broadcaster, agency or blog.

    ``etag``, ``last_modified`` and ``content_hash`` make the next fetch cheap (a
    conditional GET, and an unchanged body skipped). ``failures`` counts failed fetches
    in a row; each waits longer, and too many, or an answer that says the feed is gone,
    pause the source with ``paused_reason`` in words. ``lease_*`` is the worker lease
    (:mod:`houseboat.core.leases`).
    """

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="press_sources")
    collection = models.ForeignKey(
        PressCollection,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sources",
    )
    name = models.CharField(_("name"), max_length=200)
    feed_url = models.URLField(_("feed address"), max_length=1000)
    site_url = models.URLField(_("site address"), max_length=1000, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)  # ISO 3166 alpha-2
    language = models.CharField(_("language"), max_length=8, blank=True)  # ISO 639-1
    kind = models.CharField(
        _("kind"), max_length=20, choices=SourceKind.choices, default=SourceKind.OTHER
    )
    state = models.CharField(
        _("state"), max_length=10, choices=SourceState.choices, default=SourceState.ACTIVE
    )
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    content_hash = models.CharField(max_length=64, blank=True)
    failures = models.PositiveIntegerField(default=0)
    next_fetch_at = models.DateTimeField(default=timezone.now)
    paused_reason = models.CharField(max_length=600, blank=True)
    last_error = models.CharField(max_length=600, blank=True)
    last_fetched_at = models.DateTimeField(null=True, blank=True)
    last_ok_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Off by default: a feed address given by anyone in the team could otherwise reach
    # the machines around the server (SSRF).
    allow_private_network = models.BooleanField(default=False)
    lease_owner = models.CharField(max_length=200, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["team", "name", "id"]
        indexes = [models.Index(fields=["state", "next_fetch_at"], name="press_source_due")]

    def __str__(self) -> str:
        return self.name

    @property
    def paused(self) -> bool:
        return self.state == SourceState.PAUSED


class Story(models.Model):
    """One article, once per team however many feeds or address variants carried it."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="stories")
    source = models.ForeignKey(PressSource, on_delete=models.CASCADE, related_name="stories")
    url = models.URLField(max_length=2000)  # as the feed gave it
    url_key = models.CharField(max_length=2000, db_index=True)  # normalise.url_key(url)
    title = models.TextField(blank=True)
    summary = models.TextField(blank=True)
    language = models.CharField(max_length=8, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    first_seen_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    guid = models.CharField(max_length=1000, blank=True)
    title_key = models.CharField(max_length=1000, blank=True, db_index=True)
    edited = models.BooleanField(default=False)  # a stealth edit was seen

    class Meta:
        ordering = ["-published_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["team", "url_key"], name="story_once_per_team")
        ]
        indexes = [models.Index(fields=["team", "published_at"], name="story_team_time")]

    def __str__(self) -> str:
        return self.title or self.url


class StoryVersion(models.Model):
    """One title and summary a story was seen with; the first is as published."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="versions")
    seen_at = models.DateTimeField(default=timezone.now)
    title = models.TextField(blank=True)
    summary = models.TextField(blank=True)
    content_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["story", "seen_at", "id"]

    def __str__(self) -> str:
        return f"{self.story_id} @ {self.seen_at:%Y-%m-%d %H:%M}"


class IssueQuery(models.Model):
    """The words that name a campaign's issue on both sides: keywords and #hashtags."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="issue_queries")
    name = models.CharField(_("name"), max_length=200)
    terms = models.JSONField(_("terms"), default=list)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["campaign", "-created_at", "-id"]
        verbose_name_plural = "issue queries"

    def __str__(self) -> str:
        return self.name
