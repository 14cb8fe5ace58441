from django.db import models
from django.utils.translation import gettext_lazy as _


class Severity(models.TextChoices):
    """How urgently a person should look at a risk or an alert."""

    HIGH = "high", _("high")
    MEDIUM = "medium", _("medium")
    LOW = "low", _("low")


SEVERITY_ORDER = {Severity.HIGH: 0, Severity.MEDIUM: 1, Severity.LOW: 2}


class RiskKind(models.TextChoices):
    """What the pre-publish review can find in a post."""

    PHONE = "phone", _("phone number")
    EMAIL = "email", _("e-mail address")
    ADDRESS = "address", _("street address")
    DO_NOT_NAME = "do_not_name", _("name on the do-not-name list")
    LOCATION = "location", _("location in a picture's metadata")
    METADATA = "metadata", _("metadata in a picture")
    FACES = "faces", _("faces not blurred")
    UNCHECKED = "unchecked", _("media that could not be checked")


class TermKind(models.TextChoices):
    """What a word of the alert lists (shipped or the team's own) flags."""

    SLUR = "slur", _("slur")
    THREAT = "threat", _("threat")
    DOXXING = "doxxing", _("doxxing")


class AlertKind(models.TextChoices):
    """What an alert can be for: an incoming item flagged by a term, or a pile-on."""

    SLUR = "slur", _("slur")
    THREAT = "threat", _("threat")
    DOXXING = "doxxing", _("doxxing")
    # Not an item but a volume: a hashtag or the team's mentions far above their usual
    # hour (raised by listening/spikes.py). Never a term's kind.
    PILE_ON = "pile_on", _("possible pile-on")


class ProtectedKind(models.TextChoices):
    """A team member's detail that must not turn up in someone else's post."""

    PHONE = "phone", _("phone number")
    ADDRESS = "address", _("street address")
    EMAIL = "email", _("e-mail address")
    OTHER = "other", _("other words (a car plate, a family name)")


class GraphicRuleKind(models.TextChoices):
    """What makes the media of an incoming item graphic without anyone marking it."""

    HASHTAG = "hashtag", _("hashtag")
    KEYWORD = "keyword", _("word or phrase in the text")
    COLUMN = "column", _("listening column")


# A break is suggested after this many graphic items seen in a day, unless the team sets otherwise.
DEFAULT_GRAPHIC_DAILY_LIMIT = 20
