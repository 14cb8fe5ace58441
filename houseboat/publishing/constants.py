from django.db import models
from django.utils.translation import gettext_lazy as _


class PostStatus(models.TextChoices):
    """Where a post stands, from the first draft to the last delivery's outcome."""

    DRAFT = "draft", _("Draft")
    PENDING_APPROVAL = "pending_approval", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    SCHEDULED = "scheduled", _("Scheduled")
    SENT = "sent", _("Sent")
    PARTLY_FAILED = "partly_failed", _("Partly failed")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")
    # A part may or may not have gone out and a person must look: never called failed,
    # as "failed" invites posting it again.
    UNKNOWN = "unknown", _("Unknown — check before reposting")
    # A dead-man switch's statements: out of the approval and scheduling flow, and
    # scheduled only when the switch releases them (houseboat.publishing.deadman).
    HELD = "held", _("Held by a dead-man switch")


# A post in one of these may still change or go out; the rest are history.
OPEN_POST_STATUSES = frozenset(
    {
        PostStatus.DRAFT,
        PostStatus.PENDING_APPROVAL,
        PostStatus.APPROVED,
        PostStatus.SCHEDULED,
    }
)


class DeliveryState(models.TextChoices):
    """One part of one post on one channel: scheduled → sending → sent | failed | unknown."""

    SCHEDULED = "scheduled", _("Scheduled")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    UNKNOWN = "unknown", _("Unknown — check before reposting")
    CANCELLED = "cancelled", _("Cancelled")


# A delivery in one of these will not change again without a person.
FINAL_DELIVERY_STATES = frozenset(
    {DeliveryState.SENT, DeliveryState.FAILED, DeliveryState.UNKNOWN, DeliveryState.CANCELLED}
)


class ErrorKind(models.TextChoices):
    """Why a delivery did not go out: the connector's error kinds and the dispatcher's own."""

    AUTH_REVOKED = "auth_revoked", _("Credentials revoked")
    PERMISSION_MISSING = "permission_missing", _("Permission missing")
    RATE_LIMITED = "rate_limited", _("Rate limited")
    PAYLOAD_REJECTED = "payload_rejected", _("Refused by the network")
    UNREACHABLE = "unreachable", _("Network unreachable")
    OUTCOME_UNKNOWN = "outcome_unknown", _("Outcome unknown")
    NOT_SUPPORTED = "not_supported", _("Not supported")
    UNEXPECTED_RESPONSE = "unexpected_response", _("Unexpected answer")
    ERROR = "error", _("Error")
    EARLIER_PART_FAILED = "earlier_part_failed", _("An earlier part failed")
    CHANNEL_REMOVED = "channel_removed", _("Channel removed")
    INTERNAL = "internal", _("Internal error")


class Resolution(models.TextChoices):
    """A person's decision about a delivery whose outcome houseboat could not tell."""

    POSTED = "posted", _("It was posted")
    SEND_AGAIN = "send_again", _("It was not posted: send it again")
    DROP = "drop", _("Do not send it")


class DeadManStatus(models.TextChoices):
    """Where a dead-man switch stands: prepared, counting down, released, or switched off."""

    DRAFT = "draft", _("Being prepared")
    ARMED = "armed", _("Armed")
    RELEASED = "released", _("Released")
    DISARMED = "disarmed", _("Disarmed")


class TakedownState(models.TextChoices):
    """One sent part on one channel being taken down: pending → deleting → done | failed,
    or by hand where the network does not let houseboat delete it."""

    PENDING = "pending", _("Waiting for the worker")
    DELETING = "deleting", _("Deleting")
    DONE = "done", _("Taken down")
    FAILED = "failed", _("Failed")
    BY_HAND = "by_hand", _("Must be removed by hand")


# A takedown task in one of these will not change again without a person.
FINAL_TAKEDOWN_STATES = frozenset({TakedownState.DONE, TakedownState.FAILED, TakedownState.BY_HAND})
