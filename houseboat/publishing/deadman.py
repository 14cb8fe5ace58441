"""The dead-man switch: statements that go out if their holder misses a check-in.

A member prepares statements: one post with a variant per channel, held out of the
usual approval and scheduling flow (``PostStatus.HELD``) so nobody schedules them by
mistake. A held statement is read by its holder and the team's owners only: it may
name a place, a danger or a person the holder must keep from the rest of the team
until it goes out. So the owners, and only they, approve statements; an owner's own
are approved when they arm the switch, as an editor's own post is when they schedule
it. Other members do not see that another's switch exists. The holder arms the switch; each check-in (the button on the page, or a
one-time link) moves the deadline one interval on and issues a fresh link. Owners
see a warning on every team page once the deadline is near, and the worker writes
it to the audit log. When the deadline passes, ``release_due`` hands the statements
to the dispatcher as deliveries due at once, exactly once however many workers run:
a conditional UPDATE moves the switch from armed to released, and only the worker
whose UPDATE changed the row goes on.

Every function takes the acting person's membership and checks what they may do, so
the pages and any future command keep the same rules.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from houseboat.campaigns.models import Campaign
from houseboat.connectors.models import Channel
from houseboat.core import leases
from houseboat.core.access import require
from houseboat.core.constants import AuditAction, Capability
from houseboat.core.models import Membership, Team, hash_token
from houseboat.core.services import audit
from houseboat.publishing import services
from houseboat.publishing.constants import DeadManStatus, PostStatus
from houseboat.publishing.models import CheckInLink, DeadManSwitch, Delivery, Post, Variant
from houseboat.publishing.services import PublishingError

logger = logging.getLogger(__name__)

# Bounds a person may choose; a shorter interval than an hour would need a worker
# round more often than most installs run one.
SHORTEST_INTERVAL = timedelta(hours=1)
LONGEST_INTERVAL = timedelta(days=30)
# Switches one worker round releases (or warns about) at most; the rest wait a round.
BATCH = 50

EDITABLE = (DeadManStatus.DRAFT, DeadManStatus.DISARMED)


# --- who may do what ---------------------------------------------------------------------


def reads_all(membership: Membership) -> bool:
    """Say whether this member reads and approves every switch of the team: owners do."""
    return membership.can(Capability.MANAGE_TEAM)


def visible_switches(membership: Membership) -> QuerySet[DeadManSwitch]:
    """Return the switches this member may see: all of the team's for owners (they
    approve statements), only their own for editors and contributors.

    Not even a switch's name or holder reaches the others: a name may say what the
    statement is about, and that someone holds a switch says they fear for themselves.
    """
    require(membership, Capability.DRAFT)
    switches = DeadManSwitch.objects.filter(team=membership.team)
    if not reads_all(membership):
        switches = switches.filter(holder=membership.user)
    return switches.select_related("holder", "approved_by", "post")


def _own(membership: Membership, switch: DeadManSwitch) -> None:
    """Refuse a switch of another team, or another's switch to anyone but an owner, as
    if it did not exist."""
    require(membership, Capability.DRAFT)
    if switch.team_id != membership.team_id:
        raise DeadManSwitch.DoesNotExist("No such dead-man switch.")
    if switch.holder_id != membership.user_id and not reads_all(membership):
        raise DeadManSwitch.DoesNotExist("No such dead-man switch.")


def _holder(membership: Membership, switch: DeadManSwitch, what: str) -> None:
    """Let only the switch's holder do ``what``: the switch stands for their safety."""
    _own(membership, switch)
    if switch.holder_id != membership.user_id:
        raise PermissionDenied(
            _("Only %(holder)s can %(what)s: the switch stands for their safety.")
            % {"holder": switch.holder.get_username(), "what": what}
        )


def _editable(switch: DeadManSwitch) -> None:
    if switch.status not in EDITABLE:
        raise PublishingError(
            _("This switch is armed or released: disarm it first to change its statements.")
            if switch.status == DeadManStatus.ARMED
            else _("This switch has released its statements; it cannot change any more.")
        )


# --- preparing the statements --------------------------------------------------------------


def publishable_channels(team: Team) -> list[Channel]:
    """Return the team's channels that statements can go to."""
    return [
        channel
        for channel in Channel.objects.filter(team=team).order_by("network", "name")
        if "publish" in channel.manifest["can"]
    ]


def _check_times(check_in_every: timedelta, warn_before: timedelta) -> None:
    if not SHORTEST_INTERVAL <= check_in_every <= LONGEST_INTERVAL:
        raise PublishingError(_("Choose a check-in interval between one hour and 30 days."))
    if not timedelta(0) < warn_before < check_in_every:
        raise PublishingError(
            _(
                "The owners' warning must come before the deadline and after the last "
                "check-in: choose a warning shorter than the check-in interval."
            )
        )


def _team_channels(membership: Membership, channels: Iterable[Channel]) -> list[Channel]:
    chosen = list(channels)
    if any(channel.team_id != membership.team_id for channel in chosen):
        raise Channel.DoesNotExist("No such channel.")
    if not chosen:
        raise PublishingError(_("Choose at least one channel for the statements."))
    return chosen


@dataclass(frozen=True)
class Statements:
    """What a person wrote: the message, the channels, and any channel's own words."""

    name: str
    text: str
    channels: list[Channel]
    texts: Mapping[int, str]  # channel pk → that channel's own text; absent: the message
    check_in_every: timedelta
    warn_before: timedelta
    deadline: datetime | None = None  # the first deadline; empty: one interval after arming
    campaign: Campaign | None = None


@transaction.atomic
def prepare(membership: Membership, statements: Statements) -> DeadManSwitch:
    """Prepare a switch held by this member, with its statements held back."""
    require(membership, Capability.DRAFT)
    _check_times(statements.check_in_every, statements.warn_before)
    channels = _team_channels(membership, statements.channels)
    campaign = statements.campaign
    if campaign is not None and campaign.team_id != membership.team_id:
        raise Campaign.DoesNotExist("No such campaign.")
    post = Post.objects.create(
        team=membership.team,
        campaign=campaign,
        author=membership.user,
        text=statements.text,
        status=PostStatus.HELD,
    )
    Variant.objects.bulk_create(
        Variant(post=post, channel=channel, text=statements.texts.get(channel.pk, "").strip())
        for channel in channels
    )
    switch = DeadManSwitch.objects.create(
        team=membership.team,
        holder=membership.user,
        name=statements.name,
        post=post,
        check_in_every=statements.check_in_every,
        warn_before=statements.warn_before,
        deadline=statements.deadline,
    )
    audit(
        AuditAction.DEADMAN_PREPARED,
        actor=membership.user,
        team=membership.team,
        target=switch,
        detail=f"{len(channels)} channel(s)",
    )
    return switch


@transaction.atomic
def update(membership: Membership, switch: DeadManSwitch, statements: Statements) -> None:
    """Change a switch that is not armed; changed statements need a new approval."""
    _holder(membership, switch, _("change this switch"))
    _editable(switch)
    _check_times(statements.check_in_every, statements.warn_before)
    channels = _team_channels(membership, statements.channels)
    post = switch.post
    if post is None:
        post = Post.objects.create(
            team=switch.team, author=membership.user, text="", status=PostStatus.HELD
        )
    post.text, post.campaign = statements.text, statements.campaign
    post.approved_by, post.approved_at = None, None
    post.save(update_fields=["text", "campaign", "approved_by", "approved_at", "updated_at"])
    post.variants.exclude(channel__in=channels).delete()
    have = {variant.channel_id: variant for variant in post.variants.all()}
    for channel in channels:
        words = statements.texts.get(channel.pk, "").strip()
        variant = have.get(channel.pk)
        if variant is None:
            Variant.objects.create(post=post, channel=channel, text=words)
        elif variant.text != words:
            variant.text = words
            variant.save(update_fields=["text"])
    switch.post, switch.name = post, statements.name
    switch.check_in_every, switch.warn_before = statements.check_in_every, statements.warn_before
    switch.deadline = statements.deadline
    switch.submitted_at = switch.approved_at = switch.approved_by = None
    switch.save()
    audit(
        AuditAction.DEADMAN_PREPARED,
        actor=membership.user,
        team=switch.team,
        target=switch,
        detail="changed; needs approval again",
    )


def statement_variants(switch: DeadManSwitch) -> list[Variant]:
    """Return the switch's statements, one per channel."""
    if switch.post_id is None:
        return []
    return list(
        Variant.objects.filter(post_id=switch.post_id).select_related("channel", "post__campaign")
    )


def statement_problems(switch: DeadManSwitch) -> list[str]:
    """Every reason the statements could not go out as they are, in words to act on."""
    variants = statement_variants(switch)
    if not variants:
        return [_("The switch has no statements yet: choose a channel and write them.")]
    if not switch.post.text.strip() and not all(v.text.strip() for v in variants):
        return [_("Write the statement, or each channel's own text.")]
    return [problem for variant in variants for problem in services.variant_problems(variant)]


def _refuse_problems(switch: DeadManSwitch) -> None:
    problems = statement_problems(switch)
    if problems:
        raise PublishingError(
            _("These statements could not go out as they are.") + " " + " ".join(problems)
        )


# --- approval ------------------------------------------------------------------------------


@transaction.atomic
def submit(membership: Membership, switch: DeadManSwitch) -> None:
    """Ask the team's owners to approve the statements."""
    _holder(membership, switch, _("ask for approval of this switch"))
    _editable(switch)
    if switch.is_approved:
        raise PublishingError(_("These statements are already approved."))
    _refuse_problems(switch)
    switch.submitted_at = timezone.now()
    switch.save(update_fields=["submitted_at", "updated_at"])
    audit(AuditAction.DEADMAN_SUBMITTED, actor=membership.user, team=switch.team, target=switch)


def _mark_approved(membership: Membership, switch: DeadManSwitch) -> None:
    now = timezone.now()
    switch.approved_by, switch.approved_at = membership.user, now
    switch.save(update_fields=["approved_by", "approved_at", "updated_at"])
    Post.objects.filter(pk=switch.post_id).update(approved_by=membership.user, approved_at=now)


@transaction.atomic
def approve(membership: Membership, switch: DeadManSwitch) -> None:
    """Approve the statements, as an owner; the holder may then arm the switch."""
    _own(membership, switch)
    require(membership, Capability.MANAGE_TEAM)
    _editable(switch)
    if switch.is_approved:
        raise PublishingError(_("These statements are already approved."))
    _refuse_problems(switch)
    _mark_approved(membership, switch)
    audit(AuditAction.DEADMAN_APPROVED, actor=membership.user, team=switch.team, target=switch)


# --- arming, checking in, disarming ---------------------------------------------------------


def _issue_link(switch: DeadManSwitch, now: datetime) -> str:
    """Replace the switch's unused links with a new one, valid until the deadline."""
    CheckInLink.objects.filter(switch=switch, used_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=now
    )
    token = secrets.token_urlsafe(32)
    CheckInLink.objects.create(
        switch=switch, token_hash=hash_token(token), created_at=now, expires_at=switch.deadline
    )
    return token


def _revoke_links(switch_ids: Iterable[int], now: datetime) -> int:
    return CheckInLink.objects.filter(
        switch_id__in=list(switch_ids), used_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)


def _moved(switch: DeadManSwitch, deadline: datetime) -> dict[str, object]:
    """The columns that set a new deadline and reset its warning."""
    return {"deadline": deadline, "warn_at": deadline - switch.warn_before, "warned_at": None}


@transaction.atomic
def arm(membership: Membership, switch: DeadManSwitch, *, now: datetime | None = None) -> str:
    """Start the countdown and return the first one-time check-in link's token.

    The statements must be approved by an owner; an owner's own switch is approved by
    arming it, as an editor's own post is by scheduling it.
    """
    now = now or timezone.now()
    _holder(membership, switch, _("arm this switch"))
    _editable(switch)
    _refuse_problems(switch)
    if not switch.is_approved:
        if not reads_all(membership):
            raise PublishingError(
                _(
                    "An owner must approve these statements before the switch can be armed. "
                    "Ask for approval; you can arm it once an owner has approved them."
                )
            )
        _mark_approved(membership, switch)
    if switch.deadline is not None and switch.deadline <= now:
        raise PublishingError(
            _("The first deadline you chose has passed: choose a later one, or leave it empty.")
        )
    deadline = switch.deadline or now + switch.check_in_every
    armed = DeadManSwitch.objects.filter(pk=switch.pk, status__in=EDITABLE).update(
        status=DeadManStatus.ARMED,
        armed_at=now,
        last_check_in_at=now,
        disarmed_at=None,
        **_moved(switch, deadline),
    )
    if armed != 1:
        raise PublishingError(_("Someone changed this switch meanwhile: look at it again."))
    switch.refresh_from_db()
    token = _issue_link(switch, now)
    audit(
        AuditAction.DEADMAN_ARMED,
        actor=membership.user,
        team=switch.team,
        target=switch,
        detail=f"deadline {deadline:%Y-%m-%d %H:%M} UTC",
    )
    return token


def _too_late(switch: DeadManSwitch) -> PublishingError:
    switch.refresh_from_db()
    if switch.status == DeadManStatus.RELEASED:
        return PublishingError(_("Too late: the deadline passed and the statements were released."))
    if switch.status == DeadManStatus.ARMED:
        return PublishingError(
            _("Too late: the deadline has passed and the statements are being released.")
        )
    return PublishingError(_("This switch is not armed: there is nothing to check in for."))


@transaction.atomic
def check_in(membership: Membership, switch: DeadManSwitch, *, now: datetime | None = None) -> str:
    """Tell houseboat the holder is safe: move the deadline one interval from now.

    Return the token of a fresh one-time link; every earlier unused link stops working.
    """
    now = now or timezone.now()
    _holder(membership, switch, _("check in on this switch"))
    _push_deadline(switch, now)
    audit(
        AuditAction.DEADMAN_CHECKED_IN,
        actor=membership.user,
        team=switch.team,
        target=switch,
        detail=f"on the web; next deadline {switch.deadline:%Y-%m-%d %H:%M} UTC",
    )
    return _issue_link(switch, now)


def _push_deadline(switch: DeadManSwitch, now: datetime) -> None:
    """Move an armed switch's deadline, unless it has passed: that race is the worker's."""
    deadline = now + switch.check_in_every
    moved = DeadManSwitch.objects.filter(
        pk=switch.pk, status=DeadManStatus.ARMED, deadline__gt=now
    ).update(last_check_in_at=now, **_moved(switch, deadline))
    if moved != 1:
        raise _too_late(switch)
    switch.refresh_from_db()


class LinkRefused(Exception):
    """A check-in link that cannot be used; the message says why and what to do."""

    def __init__(self, message: str, *, gone: bool = True):
        super().__init__(message)
        self.message = message
        # False: no such link at all (404); True: it existed once (410).
        self.gone = gone


def find_link(token: str) -> CheckInLink:
    """Return the link behind a token, or refuse it with the reason a person needs."""
    link = (
        CheckInLink.objects.select_related("switch__holder", "switch__team")
        .filter(token_hash=hash_token(token))
        .first()
    )
    if link is None:
        raise LinkRefused(
            _(
                "This check-in link does not work. Check that the whole link was copied, "
                "or sign in and check in on the Dead-man switch page."
            ),
            gone=False,
        )
    refuse_link(link, timezone.now())
    return link


def refuse_link(link: CheckInLink, now: datetime) -> None:
    """Raise ``LinkRefused`` if the link was used, replaced or has expired."""
    switch = link.switch
    when = timezone.localtime(link.used_at).strftime("%Y-%m-%d %H:%M %Z") if link.used_at else ""
    if link.used_at is not None:
        raise LinkRefused(
            _(
                "This check-in link was already used (%(when)s). Each link works once: use "
                "the newest link houseboat gave you, or sign in and check in."
            )
            % {"when": when}
        )
    if switch.status == DeadManStatus.RELEASED:
        raise LinkRefused(_("Too late: the deadline passed and the statements were released."))
    if switch.status != DeadManStatus.ARMED:
        raise LinkRefused(_("This switch was disarmed, so there is nothing to check in for."))
    if link.revoked_at is not None:
        raise LinkRefused(
            _(
                "A newer check-in link replaced this one. Use the newest link houseboat "
                "gave you, or sign in and check in."
            )
        )
    if link.expires_at <= now:
        raise LinkRefused(
            _("This check-in link expired at the deadline; the statements are being released.")
        )


@transaction.atomic
def check_in_with_link(token: str, *, now: datetime | None = None) -> tuple[DeadManSwitch, str]:
    """Check in with a one-time link; return the switch and the token of a fresh link.

    The link is spent by a conditional UPDATE, so two uses at once check in only once.
    """
    now = now or timezone.now()
    link = find_link(token)
    spent = CheckInLink.objects.filter(
        pk=link.pk, used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
    ).update(used_at=now)
    if spent != 1:
        link.refresh_from_db()
        refuse_link(link, now)
        raise LinkRefused(_("This check-in link was already used."))
    switch = link.switch
    try:
        _push_deadline(switch, now)
    except PublishingError as error:
        raise LinkRefused(str(error)) from None
    audit(
        AuditAction.DEADMAN_CHECKED_IN,
        team=switch.team,
        target=switch,
        detail=(
            f"with a one-time link for {switch.holder.get_username()}; next deadline "
            f"{switch.deadline:%Y-%m-%d %H:%M} UTC"
        ),
    )
    return switch, _issue_link(switch, now)


def _disarm(switch_id: int, now: datetime) -> bool:
    disarmed = DeadManSwitch.objects.filter(pk=switch_id, status=DeadManStatus.ARMED).update(
        status=DeadManStatus.DISARMED,
        disarmed_at=now,
        deadline=None,
        warn_at=None,
        warned_at=None,
    )
    _revoke_links([switch_id], now)
    return disarmed == 1


@transaction.atomic
def disarm(membership: Membership, switch: DeadManSwitch, *, now: datetime | None = None) -> None:
    """Stop the countdown; nothing is released and every check-in link stops working.

    The holder may, and so may an owner (as the safety lock-down does for all).
    """
    now = now or timezone.now()
    _own(membership, switch)
    if switch.holder_id != membership.user_id:
        require(membership, Capability.MANAGE_TEAM)
    if not _disarm(switch.pk, now):
        raise _too_late(switch)
    switch.refresh_from_db()
    audit(AuditAction.DEADMAN_DISARMED, actor=membership.user, team=switch.team, target=switch)


@transaction.atomic
def delete(membership: Membership, switch: DeadManSwitch) -> None:
    """Delete a switch that is not armed, with its held statements."""
    _holder(membership, switch, _("delete this switch"))
    _editable(switch)
    name = str(switch)
    if switch.post is not None and switch.post.status == PostStatus.HELD:
        switch.post.delete()
    switch.delete()
    audit(AuditAction.DEADMAN_DELETED, actor=membership.user, team=membership.team, target=name)


def revoke_pending_releases(team: Team) -> int:
    """Void every unused check-in link of the team's switches; return how many armed ones.

    The safety lock-down calls this. The switches stay armed: a lock-down follows a
    seizure or an arrest, which is exactly when a statement must still go out if its
    holder cannot check in. What must stop is a check-in from the seized device, with
    a link taken from its mail, that would keep the statement quiet. Holders check in
    from the web page instead, after signing in again with two-factor sign-in.
    """
    now = timezone.now()
    switches = DeadManSwitch.objects.filter(team=team)
    with transaction.atomic():
        _revoke_links(switches.values_list("pk", flat=True), now)
        return switches.filter(status=DeadManStatus.ARMED).count()


# --- the owners' warning ------------------------------------------------------------------------


def warnings_for(membership: Membership | None, *, now: datetime | None = None) -> list:
    """Return the armed switches in their warning window that this member should see:
    every one of the team's for owners, their own for the holder."""
    if membership is None or not membership.can(Capability.DRAFT):
        return []
    switches = DeadManSwitch.objects.filter(
        team_id=membership.team_id, status=DeadManStatus.ARMED, warn_at__lte=now or timezone.now()
    )
    if not membership.can(Capability.MANAGE_TEAM):
        switches = switches.filter(holder_id=membership.user_id)
    return list(switches.select_related("holder").order_by("deadline"))


def warn_due(now: datetime | None = None) -> int:
    """Write one audit event for each armed switch entering its warning window."""
    now = now or timezone.now()
    due = DeadManSwitch.objects.filter(
        status=DeadManStatus.ARMED, warn_at__lte=now, deadline__gt=now, warned_at__isnull=True
    ).select_related("team", "holder")[:BATCH]
    warned = 0
    for switch in due:
        with transaction.atomic():
            # A check-in in between moved warn_at on: then there is nothing to warn about.
            marked = DeadManSwitch.objects.filter(
                pk=switch.pk,
                status=DeadManStatus.ARMED,
                warn_at__lte=now,
                warned_at__isnull=True,
            ).update(warned_at=now)
            if marked != 1:
                continue
            audit(
                AuditAction.DEADMAN_WARNING,
                team=switch.team,
                target=switch,
                detail=(
                    f"{switch.holder.get_username()} has not checked in; the statements go "
                    f"out at {switch.deadline:%Y-%m-%d %H:%M} UTC unless they do"
                ),
            )
            warned += 1
    return warned


# --- release -------------------------------------------------------------------------------------


def release(switch_id: int, *, now: datetime | None = None) -> bool:
    """Release one switch whose deadline passed; return whether this call released it.

    The UPDATE from armed to released and the scheduling of the statements commit
    together: a worker that dies in between leaves the switch armed for the next one,
    and a second worker racing this one finds no armed row to change.
    """
    now = now or timezone.now()
    with transaction.atomic():
        # The work protocol's one-row take (houseboat.core.leases): the release and the
        # scheduling commit together, so the switch's state is its lease.
        if not leases.take_one(
            DeadManSwitch.objects.filter(
                pk=switch_id, status=DeadManStatus.ARMED, deadline__lte=now
            ),
            status=DeadManStatus.RELEASED,
            released_at=now,
            warn_at=None,
        ):
            return False
        switch = DeadManSwitch.objects.select_related("team", "holder", "post").get(pk=switch_id)
        _revoke_links([switch.pk], now)
        parts = schedule_statements(switch, now)
        audit(
            AuditAction.DEADMAN_RELEASED,
            team=switch.team,
            target=switch,
            detail=(
                f"{switch.holder.get_username()} missed the check-in due "
                f"{switch.deadline:%Y-%m-%d %H:%M} UTC; {parts} part(s) handed to the dispatcher"
            ),
        )
    return True


def schedule_statements(switch: DeadManSwitch, now: datetime) -> int:
    """Queue the held statements as deliveries due now; return how many parts.

    This makes the same rows ``services.schedule`` makes, for the same dispatcher, but
    does not stop at a problem: a switch must release what it can, and a variant whose
    channel was removed since arming fails visibly in the dispatcher instead.
    """
    post = switch.post
    if post is None or post.status != PostStatus.HELD:
        return 0
    parts = 0
    for variant in post.variants.select_related("channel", "post__campaign"):
        previous = None
        for index, words in enumerate(services.part_texts(variant)):
            previous = Delivery.objects.create(
                variant=variant, part=index, previous=previous, text=words, due_at=now
            )
            parts += 1
    status = PostStatus.SCHEDULED if parts else PostStatus.CANCELLED
    Post.objects.filter(pk=post.pk, status=PostStatus.HELD).update(status=status, scheduled_at=now)
    audit(
        AuditAction.POST_SCHEDULED,
        team=switch.team,
        target=post,
        detail=f"released by the dead-man switch “{switch}” for {now:%Y-%m-%d %H:%M} UTC",
    )
    return parts


def release_due(worker_name: str) -> int:
    """Worker step: warn about switches near their deadline and release those past it.

    Return how many switches were warned about or released.
    """
    now = timezone.now()
    done = warn_due(now)
    due = DeadManSwitch.objects.filter(status=DeadManStatus.ARMED, deadline__lte=now).order_by(
        "deadline", "pk"
    )
    for switch_id in list(due.values_list("pk", flat=True)[:BATCH]):
        try:
            if release(switch_id, now=now):
                done += 1
                logger.info("Worker %s released dead-man switch %s", worker_name, switch_id)
        except Exception:
            # Rolled back: the switch is still armed and the next round tries again.
            logger.exception("Releasing dead-man switch %s failed", switch_id)
    return done
