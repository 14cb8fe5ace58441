"""Take a sent post down everywhere: one task per sent part per channel, done by the worker.

A takedown goes through the dispatch lane with the dispatcher's guarantees:

- each task is claimed with a lease (:mod:`houseboat.core.leases`), so a crash loses
  nothing and two workers never both work on it;
- the lease is re-checked and the attempt marked as started in one committed UPDATE
  just before the delete leaves;
- a delete that may have reached the network (a timeout, a worker that died mid-call)
  is looked up before it is sent again: gone is done; where the network cannot be
  asked, the delete is sent again, which is safe, since deleting what is already gone
  counts as done (every connector answers a "not found" on delete as success);
- a network that does not let houseboat delete (WhatsApp, a Telegram message older
  than 48 hours, a channel removed from houseboat) gets "must be removed by hand" with
  the steps, at once; nothing is left waiting for ever.

The request and its results are audited.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
from django.db import transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houseboat.connectors.base import (
    ConnectorError,
    NetworkUnreachable,
    NotSupported,
    RateLimited,
)
from houseboat.connectors.models import Channel
from houseboat.connectors.registry import connector_class
from houseboat.core import leases, worker
from houseboat.core.access import require
from houseboat.core.constants import AuditAction, Capability
from houseboat.core.models import Membership
from houseboat.core.services import audit
from houseboat.publishing import conf
from houseboat.publishing.constants import (
    FINAL_TAKEDOWN_STATES,
    DeliveryState,
    ErrorKind,
    TakedownState,
)
from houseboat.publishing.dispatch import Connectors, backoff, refresh_post_status
from houseboat.publishing.models import Delivery, MetricSchedule, Post, Takedown, TakedownTask
from houseboat.publishing.services import PublishingError

logger = logging.getLogger(__name__)

# Telegram lets a bot delete a message only this long after sending it (Bot API,
# deleteMessage), unless it is an administrator with the right to delete messages.
TELEGRAM_DELETE_WINDOW = timedelta(hours=48)

# What a person does where houseboat cannot delete. {link} is the post's address.
BY_HAND_STEPS: dict[str, list[str]] = {
    "whatsapp": [
        "WhatsApp does not let a business delete a message it sent through the API.",
        "Write to the people who received it and ask them to delete it (press and hold "
        "the message, Delete, Delete for me).",
        "Where it was shared into groups, ask each group's admins to delete it for everyone.",
    ],
    "telegram": [
        "Open the chat or channel in the Telegram app: {link}",
        "Press and hold the message (right-click on a computer) and choose Delete.",
        "Tick “Delete for all members” (or “Also delete for everyone”) and confirm.",
        "Only an administrator with the right to delete messages can do this in a "
        "channel or group.",
    ],
    "mastodon": [
        "Open the post while signed in as the account: {link}",
        "Open its “…” menu, choose Delete, and confirm.",
    ],
    "bluesky": [
        "Open the post while signed in as the account: {link}",
        "Open its “…” menu, choose Delete post, and confirm.",
    ],
    "x": [
        "Open the post while signed in as the account: {link}",
        "Open its “…” menu, choose Delete, and confirm.",
    ],
    "facebook": [
        "Open the post while managing the Page: {link}",
        "Open its “…” menu, choose Delete post (or Move to trash, then empty the trash), "
        "and confirm.",
    ],
    "matrix": [
        "Open the room while signed in as the account (in Element, say): {link}",
        "Hover over the message (or press and hold it), open its options, choose Remove, "
        "and confirm.",
    ],
    "own_site": [
        "Open the campaign in houseboat and press Take down next to the post on its own site.",
    ],
}
GENERIC_STEPS = [
    "Open the post while signed in as the account: {link}",
    "Delete it there with the network's own menu.",
]
NO_LINK = _("houseboat has no link to it: look for it on the account's page")
# Shown with the own site's result, done or not: a copy elsewhere is not houseboat's.
EXPORTED_COPY_NOTE = _(
    "If you exported the site (houseboat export-site) and put the files on another server, "
    "export it again and upload the new copy: it replaces the post's page with the notice "
    "that it was removed."
)


def steps_for(network: str, link: str) -> list[str]:
    """Return what a person does to remove a post by hand on this network."""
    steps = BY_HAND_STEPS.get(network, GENERIC_STEPS)
    return [step.format(link=link or NO_LINK) for step in steps]


# --- asking -----------------------------------------------------------------------------


# Parts that are on the network, or may be: sent, unknown, being sent, or waiting to be
# tried again after an answer that never came (in doubt).
MAYBE_OUT = Q(state__in=[DeliveryState.SENT, DeliveryState.UNKNOWN, DeliveryState.SENDING]) | Q(
    state=DeliveryState.SCHEDULED, in_doubt=True
)


def can_take_down(post: Post) -> bool:
    """Whether any part of the post went out (or may have) and could be taken down."""
    return Delivery.objects.filter(MAYBE_OUT, variant__post=post).exists()


def can_delete(channel: Channel | None) -> bool:
    """Whether houseboat can delete posts on this channel's network."""
    if channel is None:
        return False
    try:
        return "delete" in connector_class(channel.network).manifest["can"]
    except LookupError:
        return False


UNCLEAR = gettext_lazy(
    "houseboat could not tell whether this part went out. Look on the account: if it is "
    "there, delete it by hand."
)


def first_state(delivery: Delivery) -> tuple[str, str]:
    """The state a new task starts in and why: pending, or by hand at once."""
    channel = delivery.variant.channel
    if channel is None:
        return TakedownState.BY_HAND, _(
            "This channel was removed from houseboat, so houseboat cannot delete the post."
        )
    if delivery.state == DeliveryState.UNKNOWN or (
        delivery.state == DeliveryState.SCHEDULED and delivery.in_doubt
    ):
        return TakedownState.BY_HAND, str(UNCLEAR)
    if not can_delete(channel):
        return TakedownState.BY_HAND, _(
            "%(network)s does not let houseboat delete what it sent."
        ) % {"network": channel.get_network_display()}
    if delivery.state == DeliveryState.SENT and not delivery.remote_id:
        return TakedownState.BY_HAND, _(
            "houseboat has no id for this post on the network (it was marked as posted "
            "without one), so it cannot delete it itself."
        )
    return TakedownState.PENDING, ""


@transaction.atomic
def request_takedown(membership: Membership, post: Post) -> Takedown:
    """Ask for the post to come down everywhere; ask again to retry what failed.

    Parts not yet sent are cancelled first, so nothing more of it goes out.
    """
    require(membership, Capability.PUBLISH)
    post = Post.objects.select_for_update().get(pk=post.pk, team=membership.team)
    if not can_take_down(post):
        raise PublishingError(
            _("Nothing of this post went out, so there is nothing to take down. Cancel it instead.")
        )
    takedown, _created = Takedown.objects.get_or_create(
        post=post, defaults={"requested_by": membership.user}
    )
    retried = takedown.tasks.filter(state=TakedownState.FAILED).update(
        state=TakedownState.PENDING, attempts=0, next_attempt_at=None, note="", error_kind=""
    )
    made = make_tasks(takedown, post)  # before the cancelling: a part in doubt may be out
    stopped = stop_unsent(Delivery.objects.filter(variant__post=post))
    Takedown.objects.filter(pk=takedown.pk).update(
        requested_by=membership.user, requested_at=timezone.now(), finished_at=None
    )
    takedown.refresh_from_db()
    # The counts of a post that is gone are no longer worth reading.
    MetricSchedule.objects.filter(delivery__variant__post=post).update(next_at=None)
    counts = {state: 0 for state in TakedownState.values}
    for state in takedown.tasks.values_list("state", flat=True):
        counts[state] += 1
    audit(
        AuditAction.TAKEDOWN_REQUESTED,
        actor=membership.user,
        team=post.team,
        target=f"post {post.pk}: {post}",
        detail=f"{counts[TakedownState.PENDING]} part(s) to delete, "
        f"{counts[TakedownState.BY_HAND]} by hand, {retried} retried, {made} new, "
        f"{stopped} unsent part(s) cancelled",
    )
    finish_if_settled(takedown.pk)  # everything by hand: nothing for a worker to do
    return takedown


def stop_unsent(deliveries) -> int:
    """Cancel the parts still waiting to go out, so nothing more of the post is sent."""
    stopped = deliveries.filter(state=DeliveryState.SCHEDULED).update(
        state=DeliveryState.CANCELLED,
        error_kind=ErrorKind.ERROR,
        last_error="Not sent: the post was taken down.",
    )
    if stopped:
        for post_id in set(deliveries.values_list("variant__post_id", flat=True)):
            refresh_post_status(post_id)
    return stopped


def make_tasks(takedown: Takedown, post: Post) -> int:
    """Make one task per part that went out (or may have) and has none yet."""
    deliveries = (
        Delivery.objects.filter(MAYBE_OUT, variant__post=post, takedown_task__isnull=True)
        .select_related("variant__channel")
        # Later parts first: a thread is taken down from its end.
        .order_by("variant_id", "-part")
    )
    tasks = []
    for delivery in deliveries:
        state, note = first_state(delivery)
        tasks.append(
            TakedownTask(
                takedown=takedown,
                delivery=delivery,
                state=state,
                note=note,
                done_at=timezone.now() if state in FINAL_TAKEDOWN_STATES else None,
            )
        )
    TakedownTask.objects.bulk_create(tasks)
    return len(tasks)


# --- claiming ---------------------------------------------------------------------------


def due_filter(now: datetime) -> Q:
    """Tasks a worker may claim: due, with their part settled; or abandoned by a dead worker."""
    ready = (
        Q(state=TakedownState.PENDING)
        & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        # A part still being sent is taken down once it has landed.
        & ~Q(delivery__state=DeliveryState.SENDING)
    )
    return ready | Q(state=TakedownState.DELETING, lease_until__lt=now)


def _still_claimable(now: datetime) -> Q:
    ready = Q(state=TakedownState.PENDING) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )
    return ready | Q(state=TakedownState.DELETING, lease_until__lt=now)


def claim(name: str, *, limit: int = 10, now: datetime | None = None) -> list[TakedownTask]:
    """Claim up to ``limit`` due takedown tasks for worker ``name``; return them."""
    now = now or timezone.now()
    ids = leases.claim(
        TakedownTask.objects.filter(due_filter(now)),
        _still_claimable(now),
        name,
        values={
            "state": TakedownState.DELETING,
            "claimed_at": now,
            # A row still "deleting" whose attempt had started belonged to a worker that
            # died mid-request: the delete may be done; look before sending it again.
            "in_doubt": Case(
                When(
                    state=TakedownState.DELETING,
                    attempt_started_at__isnull=False,
                    then=Value(True),
                ),
                default=F("in_doubt"),
            ),
            "attempt_started_at": None,
        },
        order_by=("id",),
        limit=limit,
        seconds=conf.value("HOUSEBOAT_DISPATCH_LEASE_SECONDS"),
        now=now,
    )
    if not ids:
        return []
    return list(
        TakedownTask.objects.filter(pk__in=ids, state=TakedownState.DELETING, lease_owner=name)
        .select_related("delivery__variant__channel", "delivery__variant__post__team", "takedown")
        .order_by("id")
    )


def lease_of(task: TakedownTask) -> leases.Lease:
    return leases.Lease(
        TakedownTask,
        task.pk,
        task.lease_owner,
        seconds=conf.value("HOUSEBOAT_DISPATCH_LEASE_SECONDS"),
        held=Q(state=TakedownState.DELETING),
    )


# --- doing ------------------------------------------------------------------------------


def take_down(task: TakedownTask, connectors: Connectors) -> str:
    """Delete one claimed part on its network and record what happened; return the state."""
    lease = lease_of(task)
    try:
        return _take_down(task, connectors, lease)
    except leases.LeaseLost:
        logger.warning("Takedown task %s: another worker holds it now; dropped here.", task.pk)
        return "dropped"


def _take_down(task: TakedownTask, connectors: Connectors, lease: leases.Lease) -> str:
    delivery = task.delivery
    if delivery.state == DeliveryState.SCHEDULED:
        # Back in the queue after an attempt (it was being sent when the takedown was
        # asked for): stop it before it goes out again.
        if not stop_unsent(Delivery.objects.filter(pk=delivery.pk)):
            moving = ConnectorError(_("This part is being sent again right now;"))
            return back_later(task, lease, moving, counts=False)
        delivery.refresh_from_db()
    if delivery.state in (DeliveryState.FAILED, DeliveryState.CANCELLED):
        if delivery.in_doubt:  # an earlier attempt may have reached the network
            return record(task, lease, TakedownState.BY_HAND, str(UNCLEAR))
        return record(task, lease, TakedownState.DONE, _("It never went out."))
    if delivery.state != DeliveryState.SENT:  # unknown: a person must look
        return record(task, lease, TakedownState.BY_HAND, str(UNCLEAR))
    channel = delivery.variant.channel
    state, note = first_state(delivery)
    if state != TakedownState.PENDING:  # the channel was removed meanwhile
        return record(task, lease, state, note)
    published = delivery.published()
    connector = connectors.for_channel(channel)
    if task.in_doubt:
        lease.confirm()
        try:
            there = connector.exists(published)
        except NotSupported:
            there = True  # cannot ask: deleting again is safe (gone counts as done)
        except ConnectorError as error:
            return after_error(task, lease, channel, error, request_left=False)
        if not there:
            return record(
                task,
                lease,
                TakedownState.DONE,
                _("It was gone when houseboat looked after an unclear answer."),
            )
    lease.confirm(attempt_started_at=timezone.now(), attempts=F("attempts") + 1)
    task.attempts += 1
    try:
        with leases.working_on(lease) as job:
            connector.delete(published)
    except leases.LeaseLost:
        raise
    except ConnectorError as error:
        return after_error(task, lease, channel, error, request_left=job.request_left)
    except Exception:
        logger.exception("Taking down delivery %s failed unexpectedly", delivery.pk)
        error = ConnectorError(f"houseboat hit an internal error while deleting on {channel.name}.")
        return after_error(task, lease, channel, error, request_left=job.request_left)
    return record(task, lease, TakedownState.DONE, "")


def after_error(
    task: TakedownTask,
    lease: leases.Lease,
    channel: Channel,
    error: ConnectorError,
    *,
    request_left: bool,
) -> str:
    """Record a failed delete: by hand, failed with the reason, or tried again later."""
    if isinstance(error, NotSupported):
        return record(task, lease, TakedownState.BY_HAND, str(error), kind=error.kind)
    if isinstance(error, RateLimited):
        return back_later(task, lease, error, until=error.until, counts=False)
    if error.permanent:
        channel.record_error(error)
        return record(task, lease, TakedownState.FAILED, str(error), kind=error.kind)
    if task.attempts >= conf.value("HOUSEBOAT_DISPATCH_MAX_ATTEMPTS"):
        message = _("Gave up after %(n)s attempts: %(error)s") % {
            "n": task.attempts,
            "error": error,
        }
        return record(task, lease, TakedownState.FAILED, message, kind=error.kind)
    # Nothing reached the network, or it may have: then look before deleting again.
    in_doubt = request_left and not isinstance(error, NetworkUnreachable)
    return back_later(task, lease, error, in_doubt=in_doubt)


def back_later(
    task: TakedownTask,
    lease: leases.Lease,
    error: ConnectorError,
    *,
    until: datetime | None = None,
    in_doubt: bool = False,
    counts: bool = True,
) -> str:
    """Put the task back to be tried again (after the network's wait, or a backoff)."""
    extra: dict[str, Any] = {"in_doubt": True} if in_doubt else {}
    if not counts:
        extra["attempts"] = F("attempts") - 1  # waiting for a limit is not failing
    lease.finish(
        state=TakedownState.PENDING,
        next_attempt_at=until or timezone.now() + backoff(task.attempts),
        note=f"{error} " + _("houseboat will try again."),
        error_kind=error.kind,
        attempt_started_at=None,
        **extra,
    )
    return TakedownState.PENDING


def record(
    task: TakedownTask, lease: leases.Lease, state: str, note: str, *, kind: str = ""
) -> str:
    """Write a task's final state, only while this worker holds it; then maybe finish."""
    written = lease.finish(
        state=state,
        note=note,
        error_kind=kind,
        next_attempt_at=None,
        attempt_started_at=None,
        done_at=timezone.now(),
    )
    if written:
        finish_if_settled(task.takedown_id)
    return state


def finish_if_settled(takedown_id: int) -> bool:
    """Mark the takedown finished once every task settled, and audit the results (once)."""
    open_ = TakedownTask.objects.filter(takedown_id=takedown_id).exclude(
        state__in=FINAL_TAKEDOWN_STATES
    )
    if open_.exists():
        return False
    changed = Takedown.objects.filter(pk=takedown_id, finished_at__isnull=True).update(
        finished_at=timezone.now()
    )
    if changed != 1:
        return False  # already finished and audited by another worker
    takedown = Takedown.objects.select_related("post__team", "requested_by").get(pk=takedown_id)
    audit(
        AuditAction.TAKEDOWN_FINISHED,
        actor=takedown.requested_by,
        team=takedown.post.team,
        target=f"post {takedown.post.pk}: {takedown.post}",
        detail=summary_line(results(takedown.post)),
    )
    return True


def takedown_due(worker_name: str, *, transport: httpx.BaseTransport | None = None) -> int:
    """Worker step (dispatch lane): delete what is due to come down; return how many.

    Each task is tried at most once a round: one put back to be tried at once (a
    network that said "wait 0 seconds") waits for the next round, so a round always ends.
    """
    connectors = Connectors(transport)
    deadline = time.monotonic() + conf.value("HOUSEBOAT_DISPATCH_ROUND_SECONDS")
    seen: set[int] = set()
    try:
        while time.monotonic() < deadline and not worker.stop_requested():
            batch = claim(worker_name)
            again = [task for task in batch if task.pk in seen]
            for task in again:  # given back untouched: a claim is not an attempt
                lease_of(task).finish(state=TakedownState.PENDING)
            fresh = [task for task in batch if task.pk not in seen]
            if not fresh:
                break
            for task in fresh:
                seen.add(task.pk)
                try:
                    take_down(task, connectors)
                except Exception:
                    logger.exception(
                        "Takedown task %s could not be finished; its lease runs out and "
                        "another round looks before deleting again.",
                        task.pk,
                    )
        return len(seen)
    finally:
        connectors.close()


# --- results ------------------------------------------------------------------------------

# The state that decides a channel's line, most pressing first.
PRECEDENCE = [
    TakedownState.FAILED,
    TakedownState.BY_HAND,
    TakedownState.DELETING,
    TakedownState.PENDING,
    TakedownState.DONE,
]


@dataclass
class ResultLine:
    """One channel of a takedown: how far it got, and what a person must do."""

    name: str
    network: str
    network_label: str
    state: str
    parts: int
    done_parts: int
    notes: list[str] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)
    link: str = ""
    warning: str = ""

    @property
    def state_label(self) -> str:
        return str(TakedownState(self.state).label)

    @property
    def css(self) -> str:
        """The status colour the post list uses for the same meaning."""
        return STATE_CSS[self.state]


STATE_CSS = {
    TakedownState.DONE: "state-sent",
    TakedownState.FAILED: "state-failed",
    TakedownState.BY_HAND: "state-unknown",
    TakedownState.PENDING: "state-scheduled",
    TakedownState.DELETING: "state-scheduled",
}


def results(post: Post) -> list[ResultLine]:
    """Sum up a post's takedown tasks per channel, in words a person can act on."""
    tasks = (
        TakedownTask.objects.filter(takedown__post=post)
        .select_related("delivery__variant__channel")
        .order_by("delivery__variant_id", "delivery__part")
    )
    by_variant: dict[int, list[TakedownTask]] = {}
    for task in tasks:
        by_variant.setdefault(task.delivery.variant_id, []).append(task)
    return [line_for(group) for group in by_variant.values()]


def line_for(tasks: list[TakedownTask]) -> ResultLine:
    channel = tasks[0].delivery.variant.channel
    network = channel.network if channel else ""
    states = {task.state for task in tasks}
    state = next(s for s in PRECEDENCE if s in states)
    first = tasks[0].delivery
    line = ResultLine(
        name=channel.name if channel else str(_("a removed channel")),
        network=network,
        network_label=channel.get_network_display() if channel else "",
        state=state,
        parts=len(tasks),
        done_parts=sum(task.state == TakedownState.DONE for task in tasks),
        link=first.remote_url,
    )
    for task in tasks:
        if task.note and task.state == state and task.note not in line.notes:
            line.notes.append(task.note)
    if state == TakedownState.BY_HAND:
        line.steps = steps_for(network, line.link)
    if network == "own_site":
        line.notes.append(str(EXPORTED_COPY_NOTE))
    line.warning = telegram_warning(tasks)
    return line


def telegram_warning(tasks: list[TakedownTask]) -> str:
    """Say when Telegram's 48-hour limit on bots deleting messages applies."""
    channel = tasks[0].delivery.variant.channel
    if channel is None or channel.network != "telegram":
        return ""
    sent = [task.delivery.sent_at for task in tasks if task.delivery.sent_at]
    if not sent or timezone.now() - min(sent) < TELEGRAM_DELETE_WINDOW:
        return ""
    return str(
        _(
            "Sent more than 48 hours ago: Telegram lets a bot delete a message only within "
            "48 hours (unless it is an administrator allowed to delete messages), so it may "
            "have to be deleted by hand in the Telegram app."
        )
    )


def summary_line(lines: list[ResultLine]) -> str:
    """One line for the audit log: each channel and its result."""
    parts = []
    for line in lines:
        text = f"{line.name}: {line.state_label.lower()}"
        if line.state == TakedownState.FAILED and line.notes:
            text += f" ({line.notes[0][:80]})"
        parts.append(text)
    return "; ".join(parts)


def settled(post: Post) -> bool:
    """Whether every task of the post's takedown has settled."""
    return (
        not TakedownTask.objects.filter(takedown__post=post)
        .exclude(state__in=FINAL_TAKEDOWN_STATES)
        .exists()
    )


def preview(post: Post) -> list[ResultLine]:
    """What a takedown would do, per channel, before anyone asks for it."""
    deliveries = (
        Delivery.objects.filter(
            variant__post=post,
            state__in=[DeliveryState.SENT, DeliveryState.UNKNOWN, DeliveryState.SENDING],
        )
        .select_related("variant__channel")
        .order_by("variant_id", "part")
    )
    by_variant: dict[int, list[TakedownTask]] = {}
    for delivery in deliveries:
        state, note = first_state(delivery)
        task = TakedownTask(delivery=delivery, state=state, note=note)
        by_variant.setdefault(delivery.variant_id, []).append(task)
    return [line_for(group) for group in by_variant.values()]
