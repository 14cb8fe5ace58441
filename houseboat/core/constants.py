from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a member may do in a team, from most to least trusted."""

    OWNER = "owner", _("Owner")
    EDITOR = "editor", _("Editor")
    CONTRIBUTOR = "contributor", _("Contributor")
    VIEWER = "viewer", _("Viewer")


ROLE_DESCRIPTIONS = {
    Role.OWNER: _(
        "Everything, including members, roles, 2FA policy, the audit log, and approving "
        "dead-man statements."
    ),
    Role.EDITOR: _(
        "Creates and edits campaigns, connects channels, approves and publishes posts, "
        "and works with supporters. Cannot approve dead-man statements or change roles."
    ),
    Role.CONTRIBUTOR: _(
        "Drafts posts for an editor to publish and checks people in at events. Cannot publish "
        "or change roles."
    ),
    Role.VIEWER: _("Reads the team's campaigns. Changes nothing."),
}


class Capability(models.TextChoices):
    """One thing a role allows; views ask for a capability, never for a role."""

    VIEW = "view", _("see the team's campaigns")
    DRAFT = "draft", _("draft posts")
    PUBLISH = "publish", _("publish")
    EDIT_CAMPAIGN = "edit_campaign", _("create and edit campaigns")
    MANAGE_CHANNELS = "manage_channels", _("connect and remove channels")
    MANAGE_MEMBERS = "manage_members", _("invite members and change roles")
    MANAGE_TEAM = "manage_team", _("change the team's security settings")
    VIEW_AUDIT = "view_audit", _("read the audit log")
    ORGANIZE = "organize", _("see and contact supporters")
    CHECK_IN = "check_in", _("confirm RSVPs and check people in")


ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    Role.OWNER: frozenset(Capability.values),
    Role.EDITOR: frozenset(
        {
            Capability.VIEW,
            Capability.DRAFT,
            Capability.PUBLISH,
            Capability.EDIT_CAMPAIGN,
            Capability.MANAGE_CHANNELS,
            Capability.ORGANIZE,
            Capability.CHECK_IN,
        }
    ),
    Role.CONTRIBUTOR: frozenset({Capability.VIEW, Capability.DRAFT, Capability.CHECK_IN}),
    Role.VIEWER: frozenset({Capability.VIEW}),
}


class AuditAction(models.TextChoices):
    """What the audit log records: security-relevant and publishing actions."""

    LOGIN = "login", _("signed in")
    LOGIN_FAILED = "login_failed", _("failed to sign in")
    LOGIN_LOCKED = "login_locked", _("was locked out after failed sign-ins")
    LOGOUT = "logout", _("signed out")
    SESSIONS_REVOKED = "sessions_revoked", _("signed out sessions")
    PASSWORD_CHANGED = "password_changed", _("changed their password")
    TWO_FACTOR_ENABLED = "2fa_enabled", _("turned on two-factor sign-in")
    TWO_FACTOR_DISABLED = "2fa_disabled", _("turned off two-factor sign-in")
    TWO_FACTOR_FAILED = "2fa_failed", _("entered a wrong two-factor code")
    TEAM_CREATED = "team_created", _("created the team")
    TEAM_2FA_POLICY = "team_2fa_policy", _("changed the two-factor policy")
    MEMBER_INVITED = "member_invited", _("invited a member")
    INVITATION_REVOKED = "invitation_revoked", _("revoked an invitation")
    MEMBER_JOINED = "member_joined", _("joined the team")
    ROLE_CHANGED = "role_changed", _("changed a role")
    MEMBER_REMOVED = "member_removed", _("removed a member")
    CAMPAIGN_CREATED = "campaign_created", _("created a campaign")
    CAMPAIGN_UPDATED = "campaign_updated", _("edited a campaign")
    POST_DRAFTED = "post_drafted", _("drafted a post")
    POST_PUBLISHED = "post_published", _("published a post")
    POST_UNPUBLISHED = "post_unpublished", _("took a post down")
    SITE_EXPORTED = "site_exported", _("exported the public site")
    CHANNEL_ADDED = "channel_added", _("connected a channel")
    CHANNEL_CHECKED = "channel_checked", _("checked a channel")
    CHANNEL_REMOVED = "channel_removed", _("removed a channel")
    POST_SUBMITTED = "post_submitted", _("asked for a post to be approved")
    POST_APPROVED = "post_approved", _("approved a post")
    POST_SENT_BACK = "post_sent_back", _("sent a post back with a comment")
    POST_REJECTED = "post_rejected", _("rejected a post")
    POST_SCHEDULED = "post_scheduled", _("scheduled a post")
    POST_RESCHEDULED = "post_rescheduled", _("moved a scheduled post")
    POST_CANCELLED = "post_cancelled", _("cancelled a post")
    DELIVERY_SENT = "delivery_sent", _("sent a post to a channel")
    DELIVERY_FAILED = "delivery_failed", _("could not send a post to a channel")
    DELIVERY_UNKNOWN = "delivery_unknown", _("could not tell whether a post went out")
    DELIVERY_RESOLVED = "delivery_resolved", _("decided about a post that may have gone out")
    DEADMAN_PREPARED = "deadman_prepared", _("prepared a dead-man switch")
    DEADMAN_SUBMITTED = "deadman_submitted", _("asked for approval of a dead-man switch")
    DEADMAN_APPROVED = "deadman_approved", _("approved a dead-man switch's statements")
    DEADMAN_ARMED = "deadman_armed", _("armed a dead-man switch")
    DEADMAN_CHECKED_IN = "deadman_checked_in", _("checked in on a dead-man switch")
    DEADMAN_WARNING = "deadman_warning", _("warned the owners that a dead-man switch releases soon")
    DEADMAN_RELEASED = "deadman_released", _("released a dead-man switch's statements")
    DEADMAN_DISARMED = "deadman_disarmed", _("disarmed a dead-man switch")
    DEADMAN_DELETED = "deadman_deleted", _("deleted a dead-man switch")
    DO_NOT_NAME_ADDED = "do_not_name_added", _("added a name to the do-not-name list")
    DO_NOT_NAME_REMOVED = "do_not_name_removed", _("removed a name from the do-not-name list")
    PROTECTED_DETAIL_ADDED = "protected_added", _("added a member's detail to the protected list")
    PROTECTED_DETAIL_REMOVED = "protected_removed", _("removed a detail from the protected list")
    TEAM_LOCKED_DOWN = "team_locked_down", _("locked the team down")
    ARCHIVE_IMPORTED = "archive_imported", _("imported posts into a campaign's archive")
    ARCHIVE_EXPORTED = "archive_exported", _("exported a campaign's archive")
    EMERGENCY_PURGE = "emergency_purge", _("erased personal data and credentials in an emergency")
    ARCHIVE_PURGED = "archive_purged", _("purged items from a campaign's archive")
    QUEUE_SLOTS_CHANGED = "queue_slots_changed", _("changed a channel's posting times")
    SUPPORTER_ADDED = "supporter_added", _("added supporters")
    SUPPORTER_EXPORTED = "supporter_exported", _("exported a supporter's data")
    SUPPORTER_ERASED = "supporter_erased", _("erased a supporter for good")
    ACTION_CREATED = "action_created", _("created a call to action")
    FOLLOW_UP_QUEUED = "follow_up_queued", _("sent a follow-up to supporters")
    DONATIONS_IMPORTED = "donations_imported", _("imported donations from a payment file")
    DEMAND_ADDED = "demand_added", _("added a demand to the tracker")
    DEMAND_CHANGE_RECORDED = "demand_change_recorded", _("recorded a demand's status change")
    DEMAND_RESPONSE_RECORDED = "demand_response_recorded", _("recorded an authority's response")
    DEMAND_EVIDENCE_LINKED = "demand_evidence_linked", _("linked evidence to a demand")
    DEMAND_REVIEWED = "demand_reviewed", _("reviewed a demand's status change or response")
    INBOX_ASSIGNED = "inbox_assigned", _("assigned an inbox entry")
    INBOX_TAGGED = "inbox_tagged", _("changed the tags of an inbox entry")
    INBOX_DONE = "inbox_done", _("marked an inbox entry done")
    INBOX_REOPENED = "inbox_reopened", _("reopened an inbox entry")
    INBOX_REPLIED = "inbox_replied", _("replied to an inbox entry")
    TAKEDOWN_REQUESTED = "takedown_requested", _("asked to take a post down everywhere")
    TAKEDOWN_FINISHED = "takedown_finished", _("finished taking a post down everywhere")


class Digits(models.TextChoices):
    """Which digits numbers and dates are written in (CLDR's numbering system names)."""

    USUAL = "", _("The language's usual")
    WESTERN = "latn", _("Western (123)")
    ARABIC_INDIC = "arab", _("Arabic-Indic (١٢٣)")
    PERSIAN = "arabext", _("Persian (۱۲۳)")
