from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportState(models.TextChoices):
    """A report job: queued → running → done | failed."""

    QUEUED = "queued", _("Waiting for the worker")
    RUNNING = "running", _("Being written")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")
