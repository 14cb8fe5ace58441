"""The reading lane's press step: fetch the due feeds politely, store their stories.

One fetch of a source is

1. claim it under the worker lease (:func:`houseboat.core.leases.claim`), so two
   workers (or the worker and ``houseboat press fetch``) never fetch it at once;
2. a conditional GET through the RSS connector (If-None-Match with the last ETag,
   If-Modified-Since with the last Last-Modified): a 304 stores nothing;
3. a 200 whose body has the SHA-256 of the last one stored is skipped unparsed;
4. otherwise parse it (feedparser, through the connector) and store its stories
   (:func:`houseboat.radar.stories.store`), then record the validators and the hash,
   in one transaction, only while the lease is still ours.

A failure (no answer, a timeout, a 5xx, a 429, a document that is not a feed) keeps
everything stored and the old validators, and waits longer each time: FIRST_WAIT,
doubling, at most LONGEST_WAIT, and never before a 429's Retry-After. After
MAX_FAILURES in a row, or at once when the answer says the feed is not there for us
(401, 403, 404, 410) or the address cannot work, the source is paused with the
reason in words; ``houseboat press resume`` or the Press sources page resumes it.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from http import HTTPStatus

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from houseboat.connectors.base import ConnectorError, RateLimited
from houseboat.connectors.http import AddressRefused
from houseboat.connectors.rss.connector import RssConnector
from houseboat.core import leases
from houseboat.radar import stories
from houseboat.radar.constants import SourceState
from houseboat.radar.models import PressSource

logger = logging.getLogger(__name__)

SOURCES_PER_ROUND = 20
LEASE_SECONDS = 120.0
# How often a healthy feed is read.
INTERVAL = timedelta(minutes=30)
# After the first failure; doubled after each further one, up to LONGEST_WAIT.
FIRST_WAIT = timedelta(minutes=15)
LONGEST_WAIT = timedelta(hours=24)
MAX_FAILURES = 8
# Answers that say the feed is not there for houseboat: trying again cannot help.
GONE = {
    401: "the feed asks for a password, and houseboat reads public feeds only",
    403: "the site refuses to give the feed to houseboat",
    404: "check its address (the site may have moved or removed its feed)",
    410: "the site says the feed was removed for good",
}


@dataclass(frozen=True)
class Outcome:
    """What one fetch did, for the worker's count, the command line and the tests."""

    result: str  # "stored", "not-modified", "unchanged", "failed", "paused", "lost"
    new: int = 0
    edited: int = 0
    message: str = ""


def claimable(now: datetime) -> Q:
    free = Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    return Q(state=SourceState.ACTIVE, next_fetch_at__lte=now) & free


def free(now: datetime) -> Q:
    return Q(lease_until__isnull=True) | Q(lease_until__lt=now)


def fetch_due(name: str) -> int:
    """Worker step: fetch every press source that is due (up to a round's worth)."""
    fetched = 0
    for _ in range(SOURCES_PER_ROUND):
        now = timezone.now()
        ids = leases.claim(
            PressSource.objects.filter(claimable(now)),
            claimable(now),
            name,
            values={},
            order_by=("next_fetch_at", "id"),
            seconds=LEASE_SECONDS,
            now=now,
        )
        if not ids:
            break
        run(ids[0], name)
        fetched += 1
    return fetched


def fetch_now(source: PressSource, name: str = "") -> Outcome:
    """Fetch one active source at once, whether due or not (``houseboat press fetch``)."""
    name = name or leases.owner_name("press-fetch")
    now = timezone.now()
    held = Q(state=SourceState.ACTIVE) & free(now)
    ids = leases.claim(
        PressSource.objects.filter(held, pk=source.pk),
        held,
        name,
        values={},
        seconds=LEASE_SECONDS,
        now=now,
    )
    if not ids:
        if PressSource.objects.filter(pk=source.pk, state=SourceState.PAUSED).exists():
            return Outcome("paused", message="The source is paused: resume it first.")
        return Outcome("lost", message="Another worker is fetching this source right now.")
    return run(ids[0], name)


def run(pk: int, name: str) -> Outcome:
    """Fetch one claimed source and record the outcome under its lease."""
    lease = leases.Lease(PressSource, pk, name, LEASE_SECONDS)
    source = PressSource.objects.select_related("team").get(pk=pk)
    try:
        with leases.working_on(lease):
            return fetch_source(source, lease)
    except leases.LeaseLost:
        logger.info("Press source %s was taken over by another worker", pk)
        return Outcome("lost")
    except Exception as error:
        # Storing failed and nothing of it was kept: count it as a failed fetch.
        logger.exception("Storing what press source %s carried failed", pk)
        return failed(
            source, lease, f"houseboat could not store what it read ({type(error).__name__})."
        )


def connector_for(source: PressSource) -> RssConnector:
    """Build the feed reader for a source (tests replace this to replay recorded answers)."""
    return RssConnector(
        config={"feed_url": source.feed_url, "allow_private_network": source.allow_private_network},
        secrets={},
    )


def fetch_source(source: PressSource, lease: leases.Lease) -> Outcome:
    """Fetch one source once; store what is new; record how it went."""
    connector = connector_for(source)
    try:
        answer = connector.fetch_conditional(source.feed_url, source.etag, source.last_modified)
        if answer.status in GONE:
            return pause(source, lease, gone_text(answer.status))
        if answer.status == 304:
            return unchanged(source, lease, "not-modified", answer.etag, answer.last_modified)
        if answer.status >= 400:
            phrase = status_phrase(answer.status)
            return failed(source, lease, f"The feed answered {answer.status} {phrase}.")
        digest = hashlib.sha256(answer.body).hexdigest()
        if digest == source.content_hash:
            return unchanged(source, lease, "unchanged", answer.etag, answer.last_modified)
        items, cut = connector.parse_feed(answer.body, answer.url, answer.content_type)
    except leases.LeaseLost:
        raise
    except RateLimited as error:
        return failed(source, lease, str(error), not_before=error.until)
    except AddressRefused as error:
        return pause(source, lease, refused_text(error))
    except ConnectorError as error:
        if error.permanent:
            return pause(source, lease, str(error))
        return failed(source, lease, str(error))
    except Exception as error:
        logger.exception("Fetching press source %s failed", source.pk)
        return failed(source, lease, f"houseboat could not read it ({type(error).__name__}).")
    return record(source, lease, items, answer, "" if cut else digest, cut)


def record(source, lease, items, answer, digest: str, cut: bool) -> Outcome:
    """Store the stories and the new validators together, only while the lease holds."""
    now = timezone.now()
    values = {
        # After a cut-off download, ask for the whole feed next time, not "if changed".
        "etag": "" if cut else answer.etag[:500],
        "last_modified": "" if cut else answer.last_modified[:100],
        "content_hash": digest,
        "failures": 0,
        "last_error": "",
        "last_fetched_at": now,
        "last_ok_at": now,
        "next_fetch_at": now + INTERVAL,
    }
    if answer.moved_to:
        values["feed_url"] = answer.moved_to[:1000]
    with transaction.atomic():
        stored = stories.store(source, items, now)
        if not lease.finish(**values):
            raise leases.LeaseLost(f"Press source {source.pk}: lease lost before storing")
    return Outcome("stored", new=stored.new, edited=stored.edited)


def unchanged(source, lease, result: str, etag: str, last_modified: str) -> Outcome:
    """Nothing new: keep the stories, refresh the validators the server sent, if any."""
    now = timezone.now()
    values = {
        "failures": 0,
        "last_error": "",
        "last_fetched_at": now,
        "last_ok_at": now,
        "next_fetch_at": now + INTERVAL,
    }
    if etag:
        values["etag"] = etag[:500]
    if last_modified:
        values["last_modified"] = last_modified[:100]
    lease.finish(**values)
    return Outcome(result)


# --- when a fetch fails ----------------------------------------------------------------


def backoff(failures: int) -> timedelta:
    """How long to wait after ``failures`` failed fetches in a row (15 min, doubling, ≤ 24 h)."""
    return min(FIRST_WAIT * 2 ** (max(failures, 1) - 1), LONGEST_WAIT)


def failed(
    source: PressSource,
    lease: leases.Lease,
    message: str,
    *,
    not_before: datetime | None = None,
) -> Outcome:
    """Wait longer after each failure in a row; pause the source after MAX_FAILURES."""
    failures = source.failures + 1
    if failures >= MAX_FAILURES:
        return pause(
            source,
            lease,
            f"Paused after {failures} failed fetches in a row. The last: {message} "
            "Resume the source once that is fixed.",
            failures=failures,
        )
    now = timezone.now()
    due = now + backoff(failures)
    if not_before is not None and not_before > due:
        due = not_before
    lease.finish(
        failures=failures,
        last_error=message[:600],
        last_fetched_at=now,
        next_fetch_at=due,
    )
    return Outcome("failed", message=message)


def pause(
    source: PressSource, lease: leases.Lease, reason: str, *, failures: int | None = None
) -> Outcome:
    """Stop fetching the source and say why, in words a person can act on."""
    lease.finish(
        state=SourceState.PAUSED,
        paused_reason=reason[:600],
        last_error=reason[:600],
        last_fetched_at=timezone.now(),
        failures=source.failures + 1 if failures is None else failures,
    )
    return Outcome("paused", message=reason)


def status_phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def gone_text(status: int) -> str:
    return f"The feed answered {status} {status_phrase(status)}: {GONE[status]}."


def refused_text(error: AddressRefused) -> str:
    return (
        f"{error.message.split(',', 1)[0]}. houseboat reads a feed there only if the source "
        "allows the private network, because a feed address could otherwise reach the "
        "machines around the server."
    )


def resume(source: PressSource) -> None:
    """Read a paused source again at once, its failures forgotten."""
    PressSource.objects.filter(pk=source.pk).update(
        state=SourceState.ACTIVE,
        paused_reason="",
        failures=0,
        next_fetch_at=timezone.now(),
    )


def pause_by_hand(source: PressSource, reason: str) -> None:
    """Stop reading a source because a person said so."""
    PressSource.objects.filter(pk=source.pk).update(
        state=SourceState.PAUSED, paused_reason=reason[:600]
    )
