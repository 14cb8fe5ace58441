"""The dispatcher: claim due deliveries with a lease, publish them, record what happened.

Never lost, never twice:

- A worker claims a few due rows at a time (``FOR UPDATE SKIP LOCKED`` on
  PostgreSQL; a conditional UPDATE that must change exactly one row on SQLite) and
  holds each with a lease. A worker that dies leaves its rows in ``sending``; when
  the lease runs out any worker takes them over.
- The network's answer (post id and URL) is written the moment it arrives, in its
  own short transaction, before anything else.
- A row taken over from a dead worker, or whose publish ended without a clear
  answer, may already be on the network. Where the network honours the delivery's
  idempotency key (see ``IDEMPOTENT_NETWORKS``) sending it again is safe. Elsewhere
  the dispatcher looks at the account's recent posts first; if it cannot tell, the
  row becomes ``unknown`` for a person to decide, and is never resent blindly.
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
from houseboat.core import text as shared_text
from houseboat.core.constants import AuditAction
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
    # Mastodon honours the Idempotency-Key header, but remembers a key for one hour only
    # (PostStatusService keeps it 3,600 s); later than that, look before resending.
    "mastodon": timedelta(minutes=50),
    # Bluesky: the connector derives the record key from the delivery's key, and a
    # repository refuses a second record under the same key.
    "bluesky": None,
}
# Telegram, X, Facebook and WhatsApp have no such key: a retry could post twice.

# A network's clock and ours may differ a little; look this far back for a post.
CLOCK_SLACK = timedelta(minutes=2)
RECENT_POSTS_LIMIT = 40

Outcome = str  # one of DeliveryState's values


# --- claim ---------------------------------------------------------------------------


def due_filter(now: datetime) -> Q:
    """Rows a worker may claim now: due and unblocked, or abandoned by a dead worker."""
    ready = (
        Q(state=DeliveryState.SCHEDULED, due_at__lte=now)
        & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        & (Q(previous__isnull=True) | Q(previous__state=DeliveryState.SENT))
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


def _claim_values(name: str, now: datetime) -> dict[str, Any]:
    lease = timedelta(seconds=conf.value("HOUSEBOAT_DISPATCH_LEASE_SECONDS"))
    return {
        "state": DeliveryState.SENDING,
        "lease_owner": name,
        "lease_until": now + lease,
        "claimed_at": now,
        "first_claimed_at": Coalesce("first_claimed_at", Value(now, DateTimeField())),
        "attempts": F("attempts") + 1,
        # SET reads the old row: a row still in ``sending`` belonged to a dead worker.
        "in_doubt": Case(
            When(state=DeliveryState.SENDING, then=Value(True)), default=F("in_doubt")
        ),
    }


def _claim_skip_locked(name: str, now: datetime, limit: int) -> tuple[list[int], int]:
    """PostgreSQL: lock due rows no one else holds, mark them ours, commit."""
    with transaction.atomic():
        ids = list(
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(due_filter(now))
            .order_by("due_at", "id")
            .values_list("id", flat=True)[:limit]
        )
        if ids:
            Delivery.objects.filter(pk__in=ids).update(**_claim_values(name, now))
    return ids, len(ids)


def _claim_one_by_one(name: str, now: datetime, limit: int) -> tuple[list[int], int]:
    """SQLite (one writer): take each candidate with an UPDATE that must change one row.

    The transaction begins IMMEDIATE (see settings), so it holds the write lock from
    the first read and commits the whole batch at once; the one-row check still
    guards each claim should anything else have written in between.
    """
    with transaction.atomic():
        candidates = list(
            Delivery.objects.filter(due_filter(now))
            .order_by("due_at", "id")
            .values_list("id", flat=True)[:limit]
        )
        values = _claim_values(name, now)
        claimed = [
            pk
            for pk in candidates
            if Delivery.objects.filter(_still_claimable(now), pk=pk).update(**values) == 1
        ]
    return claimed, len(candidates)


def claim(name: str, *, limit: int | None = None, now: datetime | None = None) -> list[Delivery]:
    """Claim up to ``limit`` due deliveries for worker ``name`` and return them."""
    limit = limit or conf.value("HOUSEBOAT_DISPATCH_BATCH")
    take = (
        _claim_skip_locked
        if connection.features.has_select_for_update_skip_locked
        else _claim_one_by_one
    )
    for _ in range(5):
        ids, seen = take(name, now or timezone.now(), limit)
        if ids or not seen:
            break
        # Another worker took every row we saw first: look again.
    if not ids:
        return []
    return list(
        Delivery.objects.filter(pk__in=ids, state=DeliveryState.SENDING, lease_owner=name)
        .select_related("variant__post__team", "variant__channel", "previous")
        .prefetch_related("variant__media")
        .order_by("due_at", "id")
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


def outgoing(delivery: Delivery) -> OutgoingPost:
    """Build what the connector publishes: this part's words, media, and what it replies to."""
    variant = delivery.variant
    reply_to = root = None
    if delivery.previous is not None:
        reply_to = delivery.previous.published()
        first = Delivery.objects.filter(variant=variant, part=0).first()
        root = first.published() if first else None
    media = [item.media_file() for item in variant.media.all()] if delivery.part == 0 else []
    return OutgoingPost(
        text=delivery.text,
        idempotency_key=str(delivery.idempotency_key),
        media=media,
        reply_to=reply_to,
        thread_root=root,
        options={**(variant.options or {}), "author_id": variant.post.author_id},
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
    """Publish one claimed delivery and record the outcome; return its new state."""
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
    connector = connectors.for_channel(channel)
    if delivery.in_doubt and not may_resend(channel.network, delivery):
        return settle_doubt(delivery, connector, reason="a worker stopped while sending it")
    try:
        published = connector.publish(outgoing(delivery))
    except RateLimited as error:
        connectors.held[channel.pk] = error
        return wait_for_rate_limit(delivery, channel, error)
    except ConnectorError as error:
        if error.permanent:
            channel.record_error(error)
            return fail(delivery, error.kind, str(error))
        if isinstance(error, NetworkUnreachable):  # nothing reached the network
            return retry_later(delivery, error)
        # Anything else transient (no answer, a 5xx, an answer we cannot read) may have
        # come after the network made the post.
        return after_unclear_answer(delivery, channel, connector, error)
    except Exception:
        # A fault in houseboat itself, perhaps after the network had answered.
        logger.exception("Publishing delivery %s failed unexpectedly", delivery.pk)
        error = OutcomeUnknown(
            f"houseboat hit an internal error while publishing to {channel.name}; "
            "the post may or may not have gone out."
        )
        return after_unclear_answer(delivery, channel, connector, error)
    record_sent(delivery, published)
    after_sent(delivery, channel)
    return DeliveryState.SENT


def after_unclear_answer(
    delivery: Delivery, channel: Channel, connector: Connector, error: ConnectorError
) -> Outcome:
    """A publish that may have worked: resend where that is safe, else look for it."""
    if may_resend(channel.network, delivery):
        return retry_later(delivery, error, in_doubt=True)
    return settle_doubt(delivery, connector, reason=str(error))


# --- look before resending -------------------------------------------------------------


def normalise(text: str) -> str:
    """Text as compared with the network's copy: NFC, whitespace collapsed, URLs masked.

    Networks rewrite links (X wraps them in t.co), so a link counts as any link.
    """
    text = unicodedata.normalize("NFC", text)
    return " ".join(shared_text.URL_RE.sub("<link>", text).split()).casefold()


def find_posted(delivery: Delivery, connector: Connector) -> RemoteItem | None:
    """Return this delivery's post among the account's recent posts, if it is there."""
    wanted = normalise(delivery.text)
    since = (delivery.first_claimed_at or delivery.created_at) - CLOCK_SLACK
    replying_to = delivery.previous.remote_id if delivery.previous else ""
    for item in connector.recent_posts(limit=RECENT_POSTS_LIMIT):
        if normalise(item.text) != wanted:
            continue
        if item.created_at is not None and item.created_at < since:
            continue  # the same words, said before this delivery ever started
        if replying_to and item.reply_to_id and item.reply_to_id != replying_to:
            continue
        return item
    return None


def settle_doubt(delivery: Delivery, connector: Connector, *, reason: str) -> Outcome:
    """Find out whether an earlier attempt got through; if no one can tell, ask a person."""
    label = delivery.variant.channel.name if delivery.variant.channel else "the channel"
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
    return mark_unknown(
        delivery,
        f"houseboat cannot tell whether this went out on {label} ({reason}); it is not "
        "among the account's latest posts, but may still appear. Check the account: if "
        "the post is not there, choose “send again”; if it is, “it was posted”.",
    )


# --- record ----------------------------------------------------------------------------

RELEASED: dict[str, Any] = {"lease_owner": "", "lease_until": None}


def _mine(delivery: Delivery) -> Any:
    """This delivery, only while this worker still holds it."""
    return Delivery.objects.filter(
        pk=delivery.pk, state=DeliveryState.SENDING, lease_owner=delivery.lease_owner
    )


def record_sent(delivery: Delivery, published: Published) -> None:
    """Write where the post landed, at once and alone: nothing may stand in its way."""
    now = timezone.now()
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
        message = f"Gave up after {delivery.attempts} attempts: {error}"
        if in_doubt or delivery.in_doubt:
            return mark_unknown(delivery, message)
        return fail(delivery, error.kind, message)
    doubt = {"in_doubt": True} if in_doubt else {}
    changed = _mine(delivery).update(
        state=DeliveryState.SCHEDULED,
        next_attempt_at=timezone.now() + backoff(delivery.attempts),
        last_error=f"{error} houseboat will try again.",
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
        attempts=F("attempts") - 1,  # waiting is not failing
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
    if DeliveryState.SENT in states:
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
        if round_.stop.is_set():
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
    """Give claimed rows that were never tried back to the queue, as they were."""
    given = 0
    for delivery in deliveries:
        given += _mine(delivery).update(
            state=DeliveryState.SCHEDULED, attempts=F("attempts") - 1, **RELEASED
        )
    return given


def dispatch_due(worker_name: str) -> int:
    """Worker step: send what is due; return how many deliveries were handled."""
    return dispatch(worker_name)
