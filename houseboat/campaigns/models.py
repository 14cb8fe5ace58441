from pathlib import Path

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from houseboat.campaigns.constants import PostStatus
from houseboat.core.models import Team


class Campaign(models.Model):
    """A campaign of one team: its aims, its words, and its own public site."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="campaigns")
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(
        _("web address"),
        max_length=60,
        help_text=_("Used in the public address /c/<name>/. Letters, numbers and dashes."),
    )
    summary = models.TextField(
        _("public summary"),
        blank=True,
        help_text=_("Shown at the top of the campaign's public page."),
    )
    goals = models.JSONField(_("goals"), default=list, blank=True)
    hashtags = models.JSONField(_("hashtags"), default=list, blank=True)
    key_messages = models.JSONField(_("key messages"), default=list, blank=True)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    site_public = models.BooleanField(
        _("public page is on"),
        default=False,
        help_text=_(
            "When on, anyone can read the campaign's own page and feed: its name, "
            "public summary and published posts. Nothing else of the team is shown."
        ),
    )
    site_language = models.CharField(
        _("language of the public page"),
        max_length=10,
        choices=settings.LANGUAGES,
        default="en",
        help_text=_("The public page, its feed and the sign-up forms speak this language."),
    )
    site_second_language = models.CharField(
        _("second language of the public page"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Visitors can switch to it. Leave empty for one language."),
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(starts_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="campaign_ends_after_start",
            ),
            # Unique in its team; among public pages unique everywhere, since /c/<slug>/
            # is one address space. Never across teams' private campaigns: an editor
            # told "taken" would learn another team's private campaign exists.
            models.UniqueConstraint(fields=["team", "slug"], name="campaign_slug_in_team"),
            models.UniqueConstraint(
                fields=["slug"],
                condition=models.Q(site_public=True),
                name="campaign_public_slug",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("campaigns:detail", kwargs={"team_slug": self.team.slug, "slug": self.slug})

    @property
    def is_upcoming(self) -> bool:
        """True when the campaign has a start date that is still ahead."""
        return bool(self.starts_on) and self.starts_on > timezone.localdate()

    def public_url(self) -> str:
        return reverse("public:site", kwargs={"slug": self.slug})

    def feed_url(self) -> str:
        return reverse("public:feed", kwargs={"slug": self.slug})

    def published_posts(self) -> models.QuerySet["SitePost"]:
        return self.site_posts.filter(status=PostStatus.PUBLISHED).order_by("-published_at", "-id")


class SitePost(models.Model):
    """A post on the campaign's own site: land the team owns, whatever a platform does."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="site_posts")
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    status = models.CharField(max_length=20, choices=PostStatus.choices, default=PostStatus.DRAFT)
    # Never shown on the public site: the page must not say who runs the campaign.
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # Set when the dispatcher published it: the same delivery can never make two posts.
    delivery_key = models.CharField(max_length=100, unique=True, null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["campaign", "status", "-published_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == PostStatus.PUBLISHED

    @property
    def heading(self) -> str:
        """The title to show above the text, or "" where it would only repeat the text.

        A post sent from the composer takes its first line as its title. A short post
        is all first line, and a long one-paragraph post begins with it: showing the
        title there would say the same words twice.
        """
        title = self.title.strip()
        first, _, rest = self.body.strip().partition("\n")
        first = first.strip()
        if not title:
            return ""
        if title == first:
            return title if rest.strip() else ""
        if title.endswith("…") and first.startswith(title[:-1].rstrip()):
            return ""
        return title

    @property
    def text(self) -> str:
        """The text to show below the heading, without the line the heading already shows."""
        first, _, rest = self.body.strip().partition("\n")
        heading = self.heading
        if heading and first.strip() == heading:
            return rest.strip()
        return self.body

    @property
    def label(self) -> str:
        """A short name for the post where one is needed (the browser tab, the feed)."""
        return self.heading or self.title or self.body[:80]


class SitePicture(models.Model):
    """A picture shown with a post on the own site and in its feed, with its description."""

    post = models.ForeignKey(SitePost, on_delete=models.CASCADE, related_name="pictures")
    # A copy of the published (cleaned, blurred) file: the page keeps its pictures even
    # when the composer's post is deleted.
    file = models.FileField(upload_to="site/%Y/%m/")
    mime_type = models.CharField(max_length=100)
    alt = models.TextField(_("description (alt text)"), blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The picture's file name on the site: its number and its kind (12.jpg)."""
        suffix = Path(self.file.name).suffix.lower() or ".bin"
        return f"{self.pk}{suffix}"
