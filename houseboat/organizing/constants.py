"""Choices of the organising app: how supporters came, how they may be reached, what they did."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ContactChannel(models.TextChoices):
    """A way houseboat can send a supporter a follow-up, each needing its own consent."""

    WHATSAPP = "whatsapp", _("WhatsApp")
    TELEGRAM = "telegram", _("Telegram")
    EMAIL = "email", _("E-mail")


# Networks a supporter may have a handle on (a contact channel or not).
HANDLE_NETWORKS = ("email", "whatsapp", "telegram", "x", "mastodon", "bluesky", "facebook")


class SupporterSource(models.TextChoices):
    """How a supporter came into the list: kept for the consent record."""

    MANUAL = "manual", _("Added by hand")
    CSV = "csv", _("CSV import")
    ARCHIVE = "archive", _("From the archive")
    SIGNUP = "signup", _("Public sign-up form")
    RESPONSE = "response", _("Responded to a call to action")


class ActionKind(models.TextChoices):
    """The kinds of call to action, each with its public page."""

    EVENT = "event", _("Event")
    PETITION = "petition", _("Petition")
    DONATION = "donation", _("Donation")
    VOLUNTEER = "volunteer", _("Volunteer ask")
    SHARE = "share", _("Share this")


class ResponseKind(models.TextChoices):
    """What a person did in answer to a call to action."""

    RSVP = "rsvp", _("RSVP")
    ATTENDED = "attended", _("Attended")
    SIGNED = "signed", _("Signed")
    DONATED = "donated", _("Donated")
    VOLUNTEERED = "volunteered", _("Volunteered")
    SHARED = "shared", _("Shared")


# What the public page of each kind of action records when a visitor answers it.
PUBLIC_RESPONSE = {
    ActionKind.EVENT: ResponseKind.RSVP,
    ActionKind.PETITION: ResponseKind.SIGNED,
    ActionKind.VOLUNTEER: ResponseKind.VOLUNTEERED,
    ActionKind.SHARE: ResponseKind.SHARED,
}


class ResponseSource(models.TextChoices):
    """Who recorded a response."""

    PUBLIC_PAGE = "public", _("Public page")
    ORGANISER = "organiser", _("An organiser")
    PAYMENT_CSV = "payment_csv", _("Payment file")
    CLI = "cli", _("Command line")


class MessageState(models.TextChoices):
    """Where one follow-up message to one supporter on one channel stands."""

    QUEUED = "queued", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Could not be sent")
    SKIPPED = "skipped", _("Not sent (no consent)")
    # A send that started and whose outcome nobody knows: never resent blindly.
    UNKNOWN = "unknown", _("May have gone out: check before sending again")


class FollowUpState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    QUEUED = "queued", _("Sending")


DEFAULT_LADDER = [
    # (name, kinds that count, how many)
    (_("Follower"), [], 0),
    (_("Signer"), [ResponseKind.SIGNED, ResponseKind.SHARED, ResponseKind.DONATED], 1),
    (_("Attendee"), [ResponseKind.ATTENDED], 1),
    (_("Volunteer"), [ResponseKind.VOLUNTEERED], 1),
    (_("Organiser"), [ResponseKind.VOLUNTEERED, ResponseKind.ATTENDED], 4),
]
DEFAULT_STALLED_DAYS = 21
