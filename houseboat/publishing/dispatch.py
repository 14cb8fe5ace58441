"""The dispatcher: claim due deliveries with a lease, publish them, record what happened.

Never lost, never twice:

- Each sender claims one due row at a time through the shared work protocol
  (:mod:`houseboat.core.leases`: ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, a
  conditional UPDATE that must change exactly one row on SQLite) under a short
  lease that the worker's heartbeat renews while it lives. A worker that dies
  leaves its rows in ``sending``; within one lease any worker takes them over.
- Immediately before the request leaves, the lease is re-checked and renewed and
  the attempt is marked as started, in one committed UPDATE. A row whose lease was
  lost is dropped, never published. A row taken over that was claimed but never
  tried goes out as if nothing happened; one whose attempt had started may be on
  the network.
- The network's answer (post id and URL) is written the moment it arrives, in its
  own short transaction, before anything else.
- An attempt that may have got through (a crash, a timeout, a 5xx) is never resent
  blindly, and never at once: the row waits, then the dispatcher looks at the
  account's recent posts; found, it is sent; not there, it is published again. Only
  where the network is known to keep one post per key (``IDEMPOTENT_NETWORKS``) is
  it resent without looking. Where a network cannot list the account's posts, the
  row becomes ``unknown`` for a person to decide.
- Faults of houseboat's own before any request leaves (building the post, a
  missing media file, a database error) are not "may have been posted".
"""

from __future__ import annotations

import logging
import random
import signal
import threading
import time
import unicodedata
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
import regex
from django.db import connection, transaction
from django.db.models import Case, DateTimeField, F, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from houseboat.connectors.base import (
    Connector,
    ConnectorError,
    NetworkUnreachable,
    NotSupported,
    OutcomeUnknown,
    OutgoingPost,
    Published,
    RateLimited,
    RemoteItem,
)
from houseboat.connectors.models import Channel
from houseboat.core import leases, worker
from houseboat.core import text as shared_text
from houseboat.core.constants import AuditAction
from houseboat.core.messages import promise_retry, unpromise_retry
from houseboat.core.services import audit
from houseboat.publishing import conf
from houseboat.publishing.constants import DeliveryState, ErrorKind, PostStatus
from houseboat.publishing.models import Delivery, Post

logger = logging.getLogger(__name__)

# Networks where publishing the same delivery again cannot make a second post, and for
# how long after an attempt that holds (None: for ever). Decided here, not read from a
# connector, because it is the dispatcher's promise that rests on it.
IDEMPOTENT_NETWORKS: dict[str, timedelta | None] = {
    # The own site keeps each delivery's key on its post (a unique column).
    "own_site": None,
    # Not Mastodon: Mastodon itself honours Idempotency-Key (for an hour), but other
    # servers with its client API ignore it (snac2 does), so a resend could post twice.
    # Bluesky: the connector derives the record key from the delivery's key, and a
    # repository refuses a second record under the same key.
    "bluesky": None,
}
# Mastodon-API servers, Telegram, X, Facebook and WhatsApp: a retry could post twice.

# A network's clock and ours may differ a little; look this far back for a post.
CLOCK_SLACK = timedelta(minutes=2)
# Posts to look through: a busy account may have posted this many since the attempt.
RECENT_POSTS_LIMIT = 200

Outcome = str  # one of DeliveryState's values


# --- claim ---------------------------------------------------------------------------


def due_filter(now: datetime) -> Q:
    """Rows a worker may claim now: due and unblocked, or abandoned by a dead worker."""
    ready = (
        Q(state=DeliveryState.SCHEDULED, due_at__lte=now)
        & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        # A later part of a thread waits until the one before is out with a known id
        # (a person may mark an unknown part "posted": it replies to that post).
        & (
            Q(previous__isnull=True)
            | (Q(previous__state=DeliveryState.SENT) & ~Q(previous__remote_id=""))
        )
    )
    abandoned = Q(state=DeliveryState.SENDING, lease_until__lt=now)
    channel_free = Q(variant__channel__rate_limited_until__isnull=True) | Q(
        variant__channel__rate_limited_until__lte=now
    )
    return (ready | abandoned) & channel_free


def _still_claimable(now: datetime) -> Q:
    """The part of ``due_filter`` on the row itself, re-checked by the claiming UPDATE."""
    ready = Q(state=DeliveryState.SCHEDULED, due_at__lte=now) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )
    return ready | Q(state=DeliveryState.SENDING, lease_until__lt=now)


def _claim_values() -> dict[str, Any]:
    now = timezone.now()
    return {
        "state": DeliveryState.SENDING,
        "claimed_at": now,
        "first_claimed_at": Coalesce("first_claimed_at", Value(now, DateTimeField())),
        # SET reads the old row: a row still in ``sending`` whose attempt had started
        # belonged to a worker that died mid-request. One claimed but never tried
        # goes out as if nothing had happened.
        "in_doubt": Case(
            When(
                state=DeliveryState.SENDING,
                attempt_started_at__isnull=False,
                then=Value(True),
            ),
            default=F("in_doubt"),
        ),
        "attempt_started_at": None,
    }


def lease_seconds() -> int:
    return conf.value("HOUSEBOAT_DISPATCH_LEASE_SECONDS")


def claim(name: str, *, limit: int | None = None, now: datetime | None = None) -> list[Delivery]:
    """Claim up to ``limit`` (default one) due deliveries for worker ``name``; return them."""
    now = now or timezone.now()
    ids = leases.claim(
        Delivery.objects.filter(due_filter(now)),
        _still_claimable(now),
        name,
        values=_claim_values(),
        order_by=("due_at", "id"),
        limit=limit or conf.value("HOUSEBOAT_DISPATCH_BATCH"),
        seconds=lease_seconds(),
        now=now,
    )
    if not ids:
        return []
    return list(
        Delivery.objects.filter(pk__in=ids, state=DeliveryState.SENDING, lease_owner=name)
        .select_related("variant__post__team", "variant__channel", "previous")
        .prefetch_related("variant__media")
        .order_by("due_at", "id")
    )


def lease_of(delivery: Delivery) -> leases.Lease:
    """The lease this worker holds on a claimed delivery."""
    return leases.Lease(
        Delivery,
        delivery.pk,
        delivery.lease_owner,
        seconds=lease_seconds(),
        held=Q(state=DeliveryState.SENDING),
    )


# --- do ------------------------------------------------------------------------------


class Connectors:
    """One connector (and its HTTP connection pool) per channel for a round."""

    def __init__(self, transport: httpx.BaseTransport | None = None):
        self.transport = transport
        self._built: dict[int, Connector] = {}
        self._lock = threading.Lock()
        # Channels that answered "slow down" this round: their other rows wait unsent.
        self.held: dict[int, RateLimited] = {}

    def for_channel(self, channel: Channel) -> Connector:
        with self._lock:
            if channel.pk not in self._built:
                self._built[channel.pk] = channel.connector(transport=self.transport)
            return self._built[channel.pk]

    def close(self) -> None:
        for connector in self._built.values():
            if "http" in connector.__dict__:  # only if it ever opened one
                connector.http.close()
        self._built.clear()


class LocalFault(Exception):
    """Houseboat could not prepare the post (a missing file, say); nothing was sent."""


def outgoing(delivery: Delivery) -> OutgoingPost:
    """Build what the connector publishes: this part's words, media, and what it replies to."""
    variant = delivery.variant
    reply_to = root = None
    if delivery.previous is not None:
        reply_to = delivery.previous.published()
        first = Delivery.objects.filter(variant=variant, part=0).first()
        root = first.published() if first else None
        if reply_to is None or not reply_to.remote_id:
            raise LocalFault(
                f"Part {delivery.part} of this thread has no post id yet, so part "
                f"{delivery.part + 1} cannot reply to it. Mark part {delivery.part} as posted "
                "with its link."
            )
    elif (target := answered(variant)) is not None:
        reply_to = target  # a reply written in the team inbox, to someone else's post
    media = [item.media_file() for item in variant.media.all()] if delivery.part == 0 else []
    for item in media:
        if not item.path.is_file():
            raise LocalFault(
                f"The file {item.path.name} of this post is missing from houseboat's data "
                "folder. Attach the picture again and schedule the post again."
            )
    return OutgoingPost(
        text=delivery.text,
        idempotency_key=str(delivery.idempotency_key),
        media=media,
        reply_to=reply_to,
        thread_root=root,
        options={
            **{k: v for k, v in (variant.options or {}).items() if k != "reply_to"},
            "author_id": variant.post.author_id,
        },
    )


def answered(variant) -> Published | None:
    """Return the post a variant replies to (``options["reply_to"]``), if it is a reply.

    The team inbox (``houseboat.inbox.services.reply``) sets it: the network's id of the
    post answered, its address, and what else the network needs to reply under it.
    """
    target = (variant.options or {}).get("reply_to")
    if not isinstance(target, dict) or not target.get("remote_id"):
        return None
    return Published(
        remote_id=str(target["remote_id"]),
        url=str(target.get("url") or ""),
        extra=dict(target.get("extra") or {}),
    )


def may_resend(network: str, delivery: Delivery, now: datetime | None = None) -> bool:
    """Whether publishing this delivery again is safe even if an attempt got through."""
    if network not in IDEMPOTENT_NETWORKS:
        return False
    window = IDEMPOTENT_NETWORKS[network]
    if window is None:
        return True
    # The last attempt began before this claim; the one before that, at the latest,
    # began when the row was first claimed. Both must lie inside the network's memory.
    started = delivery.first_claimed_at or delivery.claimed_at
    return started is not None and (now or timezone.now()) - started < window


def deliver(delivery: Delivery, connectors: Connectors) -> Outcome:
    """Publish one claimed delivery and record the outcome; return its new state.

    Returns ``"dropped"`` when the lease was lost on the way: the worker that took
    the row over decides, and this one leaves it alone.
    """
    lease = lease_of(delivery)
    try:
        return _deliver(delivery, connectors, lease)
    except leases.LeaseLost:
        logger.warning(
            "Delivery %s: another worker holds it now (the lease ran out); dropped here, "
            "not published.",
            delivery.pk,
        )
        return DROPPED


DROPPED = "dropped"


def _deliver(delivery: Delivery, connectors: Connectors, lease: leases.Lease) -> Outcome:
    channel = delivery.variant.channel
    if channel is None:
        return fail(
            delivery,
            ErrorKind.CHANNEL_REMOVED,
            "The channel was removed before this went out. Add the post to another "
            "channel and schedule it again.",
        )
    held = connectors.held.get(channel.pk)
    if held is not None:
        return wait_for_rate_limit(delivery, channel, held, record=False)
    try:
        post = outgoing(delivery)  # a fault here is ours, before anything is sent
        connector = connectors.for_channel(channel)
    except LocalFault as error:
        return fail(delivery, ErrorKind.INTERNAL, str(error))
    if delivery.in_doubt and not may_resend(channel.network, delivery):
        settled = settle_doubt(delivery, connector, lease)
        if settled is not None:
            return settled
    # The last moment before the request leaves: re-check and renew the lease and
    # mark the attempt as started, committed, so a crash from here on is "may be out".
    lease.confirm(attempt_started_at=timezone.now(), attempts=F("attempts") + 1)
    delivery.attempts += 1
    try:
        with leases.working_on(lease) as job:
            published = connector.publish(post)
    except leases.LeaseLost:
        raise
    except RateLimited as error:
        connectors.held[channel.pk] = error
        return wait_for_rate_limit(delivery, channel, error)
    except ConnectorError as error:
        if error.permanent:
            channel.record_error(error)
            return fail(delivery, error.kind, str(error))
        if isinstance(error, NetworkUnreachable) or not job.request_left:
            return retry_later(delivery, error)  # nothing reached the network
        # Anything else transient (no answer, a 5xx, an answer we cannot read) may have
        # come after the network made the post.
        return after_unclear_answer(delivery, error)
    except Exception:
        logger.exception("Publishing delivery %s failed unexpectedly", delivery.pk)
        if not job.request_left:  # houseboat's own fault, before anything was sent
            return retry_later(
                delivery,
                ConnectorError(
                    f"houseboat hit an internal error before sending to {channel.name}; "
                    "nothing was sent."
                ),
            )
        error = OutcomeUnknown(
            f"houseboat hit an internal error while publishing to {channel.name}; "
            "the post may or may not have gone out."
        )
        return after_unclear_answer(delivery, error)
    record_sent(delivery, published)
    after_sent(delivery, channel)
    return DeliveryState.SENT


def after_unclear_answer(delivery: Delivery, error: ConnectorError) -> Outcome:
    """A publish that may have worked: never again at once. Wait, then look, then decide.

    The row goes back with a backoff and marked in doubt; when it is due again the
    dispatcher looks for the post before it publishes anything (where it must).
    """
    return retry_later(delivery, error, in_doubt=True)


# --- look before resending -------------------------------------------------------------

# "@name@server.example" as the network shows a remote mention back: "@name".
MENTION_RE = regex.compile(r"(?<![\w@])@([\p{L}\p{N}_.-]+)@[\p{L}\p{N}.-]+\.[\p{L}]{2,}", regex.V1)


def normalise(text: str) -> str:
    """Text as compared with the network's copy, in a form both sides share.

    NFC, whitespace collapsed, case folded; URLs masked, as networks rewrite links
    (X wraps them in t.co); remote mentions cut to ``@name``, as Mastodon shows them.
    """
    text = unicodedata.normalize("NFC", text)
    text = MENTION_RE.sub(r"@\1", shared_text.URL_RE.sub("<link>", text))
    return " ".join(text.split()).casefold()


def expected_forms(delivery: Delivery) -> set[str]:
    """The forms this delivery's text may take when the network shows it back.

    A content warning is shown before the text (Mastodon's ``spoiler_text``).
    """
    forms = {normalise(delivery.text)}
    warning = str((delivery.variant.options or {}).get("content_warning") or "").strip()
    if warning:
        forms.add(normalise(f"{warning}\n\n{delivery.text}"))
    return forms


def find_posted(delivery: Delivery, connector: Connector) -> RemoteItem | None:
    """Return this delivery's post among the account's recent posts, if it is there."""
    wanted = expected_forms(delivery)
    since = (delivery.first_claimed_at or delivery.created_at) - CLOCK_SLACK
    target = answered(delivery.variant)
    replying_to = (
        delivery.previous.remote_id if delivery.previous else target.remote_id if target else ""
    )
    for item in connector.recent_posts(limit=RECENT_POSTS_LIMIT):
        if normalise(item.text) not in wanted:
            continue
        if item.created_at is not None and item.created_at < since:
            continue  # the same words, said before this delivery ever started
        if replying_to and item.reply_to_id and item.reply_to_id != replying_to:
            continue
        return item
    return None


def settle_doubt(delivery: Delivery, connector: Connector, lease: leases.Lease) -> Outcome | None:
    """Find out whether an earlier attempt got through before publishing again.

    Return the outcome if that settles it (found: sent; cannot tell: unknown, or a
    later look), or None when the post is not there and may be published.
    """
    lease.confirm()  # looking takes a while: make sure the row is still ours
    label = delivery.variant.channel.name if delivery.variant.channel else "the channel"
    reason = delivery.last_error or "a worker stopped while sending it"
    try:
        found = find_posted(delivery, connector)
    except NotSupported:
        return mark_unknown(
            delivery,
            f"houseboat cannot tell whether this went out on {label} ({reason}), and the "
            "network does not let it list the account's posts. Check the account: if the "
            "post is not there, choose “send again”; if it is, “it was posted”.",
        )
    except ConnectorError as error:
        if error.permanent:
            return mark_unknown(delivery, f"{reason}; looking for the post failed: {error}")
        return retry_later(delivery, error, in_doubt=True)
    if found is not None:
        record_sent(delivery, Published(remote_id=found.remote_id, url=found.url))
        after_sent(delivery, delivery.variant.channel)
        return DeliveryState.SENT
    return None


# --- record ----------------------------------------------------------------------------

RELEASED: dict[str, Any] = {"lease_owner": "", "lease_until": None, "attempt_started_at": None}


def _mine(delivery: Delivery) -> Any:
    """This delivery, only while this worker still holds it (the keeper lets it go)."""
    leases.KEEPER.drop(Delivery, delivery.pk, delivery.lease_owner)
    return Delivery.objects.filter(
        pk=delivery.pk, state=DeliveryState.SENDING, lease_owner=delivery.lease_owner
    )


def record_sent(delivery: Delivery, published: Published) -> None:
    """Write where the post landed, at once and alone: nothing may stand in its way."""
    now = timezone.now()
    leases.KEEPER.drop(Delivery, delivery.pk, delivery.lease_owner)
    # Not guarded by the lease: whoever learns that the post is out writes it down.
    Delivery.objects.filter(pk=delivery.pk).exclude(state=DeliveryState.SENT).update(
        state=DeliveryState.SENT,
        remote_id=published.remote_id[:300],
        remote_url=(published.url or "")[:500],
        extra=dict(published.extra or {}),
        sent_at=now,
        last_error="",
        error_kind="",
        next_attempt_at=None,
        **RELEASED,
    )
    delivery.state, delivery.remote_id, delivery.remote_url = (
        DeliveryState.SENT,
        published.remote_id,
        published.url,
    )


@transaction.atomic
def after_sent(delivery: Delivery, channel: Channel | None) -> None:
    """Tell the post, the channel and the audit log that a part went out."""
    post = delivery.variant.post
    refresh_post_status(post.pk)
    if channel is not None and (channel.last_error or channel.status != "ok"):
        channel.record_success()
    audit(
        AuditAction.DELIVERY_SENT,
        team=post.team,
        target=_target(delivery),
        detail=delivery.remote_url or delivery.remote_id,
    )


def retry_later(delivery: Delivery, error: ConnectorError, *, in_doubt: bool = False) -> Outcome:
    """Put the delivery back with exponential backoff, or give up after the last attempt."""
    if delivery.attempts >= conf.value("HOUSEBOAT_DISPATCH_MAX_ATTEMPTS"):
        # Nothing will be tried again: the network's "will try again" is no longer true.
        message = f"Gave up after {delivery.attempts} attempts: {unpromise_retry(str(error))}"
        if in_doubt or delivery.in_doubt:
            return mark_unknown(delivery, message)
        return fail(delivery, error.kind, message)
    doubt = {"in_doubt": True} if in_doubt else {}
    changed = _mine(delivery).update(
        state=DeliveryState.SCHEDULED,
        next_attempt_at=timezone.now() + backoff(delivery.attempts),
        last_error=promise_retry(str(error)),  # the connector's words may promise it already
        error_kind=error.kind,
        **doubt,
        **RELEASED,
    )
    return _outcome(delivery, changed, DeliveryState.SCHEDULED)


def backoff(attempts: int) -> timedelta:
    """Return the wait before the next attempt: doubling from the base, capped, jittered."""
    base = conf.value("HOUSEBOAT_DISPATCH_BACKOFF_SECONDS")
    cap = conf.value("HOUSEBOAT_DISPATCH_BACKOFF_CAP_SECONDS")
    seconds = min(base * 2 ** max(attempts - 1, 0), cap)
    return timedelta(seconds=seconds * random.uniform(0.8, 1.2))  # noqa: S311


def wait_for_rate_limit(
    delivery: Delivery, channel: Channel, error: RateLimited, *, record: bool = True
) -> Outcome:
    """Hold this delivery (and, through the channel, its siblings) until the network allows."""
    if record:
        channel.record_error(error)
    changed = _mine(delivery).update(
        state=DeliveryState.SCHEDULED,
        next_attempt_at=error.until,
        # Waiting is not failing: an attempt that met the limit does not count.
        attempts=F("attempts") - (1 if record else 0),
        last_error=str(error),
        error_kind=ErrorKind.RATE_LIMITED,
        **RELEASED,
    )
    return _outcome(delivery, changed, DeliveryState.SCHEDULED)


def fail(delivery: Delivery, kind: str, message: str) -> Outcome:
    """Mark the delivery failed with a reason a person can act on; stop the rest of a thread."""
    changed = _mine(delivery).update(
        state=DeliveryState.FAILED,
        last_error=message,
        error_kind=kind,
        next_attempt_at=None,
        **RELEASED,
    )
    if changed:
        cancel_later_parts(delivery)
        post = delivery.variant.post
        refresh_post_status(post.pk)
        audit(AuditAction.DELIVERY_FAILED, team=post.team, target=_target(delivery), detail=message)
    return _outcome(delivery, changed, DeliveryState.FAILED)


def mark_unknown(delivery: Delivery, message: str) -> Outcome:
    """Leave the delivery for a person: it may be out, and must not be sent blindly again.

    Later parts of a thread wait (they are due only after this one is sent).
    """
    changed = _mine(delivery).update(
        state=DeliveryState.UNKNOWN,
        in_doubt=True,
        last_error=message,
        error_kind=ErrorKind.OUTCOME_UNKNOWN,
        next_attempt_at=None,
        **RELEASED,
    )
    if changed:
        post = delivery.variant.post
        refresh_post_status(post.pk)
        audit(
            AuditAction.DELIVERY_UNKNOWN, team=post.team, target=_target(delivery), detail=message
        )
    return _outcome(delivery, changed, DeliveryState.UNKNOWN)


def cancel_later_parts(delivery: Delivery) -> int:
    """Cancel the parts of a thread after one that failed."""
    return Delivery.objects.filter(
        variant_id=delivery.variant_id, part__gt=delivery.part, state=DeliveryState.SCHEDULED
    ).update(
        state=DeliveryState.CANCELLED,
        error_kind=ErrorKind.EARLIER_PART_FAILED,
        last_error=f"Not sent: part {delivery.part + 1} of this thread failed, "
        "so the rest was stopped.",
    )


def _outcome(delivery: Delivery, changed: int, state: str) -> Outcome:
    if not changed:
        logger.warning(
            "Delivery %s: the lease ran out before its outcome (%s) could be written; "
            "the worker that took it over decides.",
            delivery.pk,
            state,
        )
    return state


def _target(delivery: Delivery) -> str:
    channel = delivery.variant.channel
    where = channel.name if channel else "a removed channel"
    return f"{delivery.variant.post} → {where}"


def refresh_post_status(post_id: int) -> None:
    """Roll the deliveries' states up into the post's status (a cancelled post stays so)."""
    rows = set(
        Delivery.objects.filter(variant__post_id=post_id)
        .values_list("state", "error_kind")
        .distinct()
    )
    states = {state for state, _ in rows}
    failed = any(
        state in (DeliveryState.FAILED, DeliveryState.UNKNOWN)
        or (state == DeliveryState.CANCELLED and kind == ErrorKind.EARLIER_PART_FAILED)
        for state, kind in rows
    )
    if not states or states & {DeliveryState.SCHEDULED, DeliveryState.SENDING}:
        return
    if DeliveryState.UNKNOWN in states:
        status = PostStatus.UNKNOWN  # a person must look before anything is sent again
    elif DeliveryState.SENT in states:
        status = PostStatus.PARTLY_FAILED if failed else PostStatus.SENT
    else:
        status = PostStatus.FAILED if failed else PostStatus.CANCELLED
    Post.objects.filter(pk=post_id).exclude(status__in=[PostStatus.CANCELLED, status]).update(
        status=status
    )


# --- the worker step -------------------------------------------------------------------


@dataclass
class Round:
    """One worker round: its connectors, when it ends, and whether a stop was asked for."""

    connectors: Connectors
    deadline: float
    stop: threading.Event = field(default_factory=threading.Event)

    def over(self) -> bool:
        if worker.stop_requested():  # SIGTERM reached a lane thread's worker
            self.stop.set()
        return self.stop.is_set() or time.monotonic() >= self.deadline


def dispatch(
    name: str, *, transport: httpx.BaseTransport | None = None, deadline: float | None = None
) -> int:
    """Claim and deliver batches until nothing is due, the round's time is up, or a stop.

    A network's answer takes far longer than our database writes, so when there is
    work a worker runs several senders at once, each claiming its own batches under
    its own lease name. Threads need their own database connections, so inside a
    transaction (a test's) or on an in-memory SQLite database one sender does it all.
    """
    if deadline is None:
        deadline = time.monotonic() + conf.value("HOUSEBOAT_DISPATCH_ROUND_SECONDS")
    round_ = Round(Connectors(transport), deadline)
    try:
        with stop_on_signal(round_.stop):
            first = claim(name)
            if not first:
                return 0
            senders = conf.value("HOUSEBOAT_DISPATCH_THREADS") if threads_usable() else 1
            if senders <= 1:
                return drain(name, round_, first)
            with ThreadPoolExecutor(senders, thread_name_prefix="dispatch") as pool:
                running = [
                    pool.submit(drain_in_thread, f"{name}/{n}", round_, first if n == 0 else [])
                    for n in range(senders)
                ]
                return sum(sender.result() for sender in running)
    finally:
        round_.connectors.close()


@contextmanager
def stop_on_signal(stop: threading.Event) -> Iterator[None]:
    """While a round runs, let SIGTERM and SIGINT also stop it after the current delivery.

    The worker's own handler still runs (it ends the worker after this round); without
    one (no Python handler installed) the signal keeps its default effect.
    """
    chained = {}
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGTERM, signal.SIGINT):
            previous = signal.getsignal(signum)
            if callable(previous) and previous is not signal.default_int_handler:
                chained[signum] = previous

                def handler(number: int, frame: Any, previous: Any = previous) -> None:
                    stop.set()
                    previous(number, frame)

                signal.signal(signum, handler)
    try:
        yield
    finally:
        for signum, previous in chained.items():
            signal.signal(signum, previous)


def threads_usable() -> bool:
    """Whether other threads would see this connection's rows (not a test's transaction,
    not an in-memory database)."""
    in_memory = getattr(connection, "is_in_memory_db", lambda: False)()
    return not connection.in_atomic_block and not in_memory


def drain(name: str, round_: Round, batch: list[Delivery]) -> int:
    """Deliver this batch, then claim and deliver more until none is due or the round ends."""
    done = 0
    while True:
        done += deliver_each(batch, round_)
        if round_.over():
            return done
        batch = claim(name)
        if not batch:
            return done


def drain_in_thread(name: str, round_: Round, batch: list[Delivery]) -> int:
    """Run ``drain`` in a sender thread, closing the thread's database connection after."""
    try:
        return drain(name, round_, batch)
    finally:
        connection.close()


def deliver_each(batch: list[Delivery], round_: Round) -> int:
    """Deliver each claimed row; after a stop, give the rest back untouched.

    A fault in one row is logged and leaves it to its lease. Return how many were done.
    """
    for index, delivery in enumerate(batch):
        if round_.over() and round_.stop.is_set():
            release(batch[index:])
            return index
        try:
            deliver(delivery, round_.connectors)
        except Exception:
            logger.exception(
                "Delivery %s could not be finished; when its lease runs out another "
                "round checks whether it went out before sending it again.",
                delivery.pk,
            )
    return len(batch)


def release(deliveries: Iterable[Delivery]) -> int:
    """Give claimed rows that were never tried back to the queue, as they were.

    A claim does not count as an attempt (the attempt-started mark does), so nothing
    else changes.
    """
    given = 0
    for delivery in deliveries:
        given += _mine(delivery).update(state=DeliveryState.SCHEDULED, **RELEASED)
    return given


def dispatch_due(worker_name: str) -> int:
    """Worker step: send what is due; return how many deliveries were handled."""
    return dispatch(worker_name)
