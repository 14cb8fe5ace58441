from django.db import models
from django.utils.translation import gettext_lazy as _


class PostStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    # Taken down everywhere: gone from the page and the feed, a tombstone at its address.
    REMOVED = "removed", _("Removed")
