"""The words of the demand tracker: kinds, responses, progress and verdicts."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DemandKind(models.TextChoices):
    """Who asked for it, and how binding it is."""

    OURS = "ours", _("our demand")
    PROMISE = "promise", _("the authority's own promise")
    RECOMMENDATION = "recommendation", _("UN or treaty-body recommendation")
    COURT_ORDER = "court_order", _("court order")


class TargetKind(models.TextChoices):
    PERSON = "person", _("a person")
    OFFICE = "office", _("an office")
    INSTITUTION = "institution", _("an institution")


class DeadlineKind(models.TextChoices):
    """Whether the deadline was said out loud, read from context, or there is none."""

    EXPLICIT = "explicit", _("explicit")
    IMPLIED = "implied", _("implied")
    ABSENT = "absent", _("no deadline")


class Visibility(models.TextChoices):
    """Who sees a demand. Private: whoever added it, and the editors and owners."""

    PRIVATE = "private", _("private")
    TEAM = "team", _("the team")
    PUBLIC = "public", _("public")


class Response(models.TextChoices):
    """What the authority said about the demand: kept apart from what it did."""

    NONE = "none", _("no response")
    ACKNOWLEDGED = "acknowledged", _("acknowledged")
    NOTED = "noted", _("noted")
    SUPPORTED_IN_PART = "supported_in_part", _("supported in part")
    SUPPORTED = "supported", _("supported")
    REJECTED = "rejected", _("rejected")


class Progress(models.TextChoices):
    """Where an open demand stands. Not yet assessed is not "nothing happened"."""

    NOT_ASSESSED = "not_assessed", _("not yet assessed")
    IN_PROGRESS = "in_progress", _("in progress")
    STALLED = "stalled", _("stalled")


class Verdict(models.TextChoices):
    """The team's judgement that the demand was met or not; always backed by evidence."""

    IMPLEMENTED = "implemented", _("implemented")
    PARTLY_IMPLEMENTED = "partly_implemented", _("partly implemented")
    BROKEN = "broken", _("broken")
    REVERSED = "reversed", _("reversed after implementation")


# Every state a demand can be in, for filters and the summary line, in reading order.
STATES: dict[str, str] = {
    **{value: label for value, label in Verdict.choices},
    **{value: label for value, label in Progress.choices},
}
SUMMARY_ORDER = [
    Verdict.IMPLEMENTED,
    Verdict.PARTLY_IMPLEMENTED,
    Verdict.BROKEN,
    Verdict.REVERSED,
    Progress.IN_PROGRESS,
    Progress.STALLED,
    Progress.NOT_ASSESSED,
]


class Decision(models.TextChoices):
    """A second member's review of a recorded status change or response."""

    APPROVED = "approved", _("approved")
    DECLINED = "declined", _("declined")


class CandidateState(models.TextChoices):
    """Monitoring found an archive item; a person decides what it is worth."""

    OPEN = "open", _("waiting for a person")
    ACCEPTED = "accepted", _("kept as evidence")
    DISMISSED = "dismissed", _("not relevant")


class TermKind(models.TextChoices):
    """The two vocabularies the team keeps for its demands."""

    THEME = "theme", _("theme")
    GROUP = "group", _("affected group")


class ReminderKind(models.TextChoices):
    SOON = "soon", _("deadline in 30 days or less")
    OVERDUE = "overdue", _("deadline passed")


REMIND_DAYS_BEFORE = 30
