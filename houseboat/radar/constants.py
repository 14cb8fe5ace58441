from django.db import models
from django.utils.translation import gettext_lazy as _


class SourceKind(models.TextChoices):
    """What kind of outlet a press source is."""

    STATE = "state", _("state media")
    INDEPENDENT = "independent", _("independent press")
    INTERNATIONAL = "international", _("international press")
    WIRE = "wire", _("news agency")
    BLOG = "blog", _("blog")
    OTHER = "other", _("other")


class SourceState(models.TextChoices):
    """Whether the worker reads a press source."""

    ACTIVE = "active", _("active")
    PAUSED = "paused", _("paused")
