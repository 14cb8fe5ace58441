from django.db import models
from django.utils.translation import gettext_lazy as _


class EntryKind(models.TextChoices):
    """Why an archive item is in the team's inbox."""

    REPLY = "reply", _("Reply")
    MENTION = "mention", _("Mention")
    COMMENT = "comment", _("Comment on the Page")
    DIRECT = "direct", _("Direct message")


class EntryState(models.TextChoices):
    """Whether someone still has to deal with an inbox entry."""

    OPEN = "open", _("Open")
    DONE = "done", _("Done")


class EntryFilter(models.TextChoices):
    """The inbox page's views of its entries."""

    OPEN = "open", _("Open")
    MINE = "mine", _("Assigned to me")
    UNASSIGNED = "unassigned", _("Unassigned")
    DONE = "done", _("Done")
    ALL = "all", _("All")
