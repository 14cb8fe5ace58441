"""The background worker: a loop of small steps, each claiming and doing due work.

Each step takes the worker's name and returns how much it did. Later capabilities
(dispatch, polling, imports) add their steps to HOUSEBOAT_WORKER_STEPS.
"""

import logging
import os
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import close_old_connections
from django.utils import timezone
from django.utils.module_loading import import_string

from houseboat.core.models import Invitation, UserSession, WorkerHeartbeat

logger = logging.getLogger(__name__)

Step = Callable[[str], int]


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def load_steps() -> list[Step]:
    return [import_string(path) for path in settings.HOUSEBOAT_WORKER_STEPS]


def record_heartbeat(name: str) -> int:
    """Tell the web pages this worker is alive. Not work: returns 0."""
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        name=name,
        defaults={"last_seen_at": now},
        create_defaults={"started_at": now, "last_seen_at": now},
    )
    return 0


def clear_expired_sessions(name: str) -> int:
    """Delete expired sessions and the session-list rows of sessions that are gone."""
    expired, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    live = Session.objects.values("session_key")
    orphans, _ = UserSession.objects.exclude(session_key__in=live).delete()
    return expired + orphans


def clear_expired_invitations(name: str) -> int:
    """Delete invitations that expired unused; the audit log keeps their history."""
    deleted, _ = Invitation.objects.filter(
        accepted_at__isnull=True, expires_at__lt=timezone.now()
    ).delete()
    return deleted


def run_round(steps: list[Step], name: str) -> int:
    """Run every step once; a failing step is logged and does not stop the others."""
    done = 0
    for step in steps:
        close_old_connections()
        try:
            done += step(name)
        except Exception:
            logger.exception(
                "Worker step %s failed; it will be tried again next round", step.__name__
            )
    return done


def run(*, once: bool, interval: float, stop: threading.Event, max_rounds: int = 1000) -> int:
    """Run rounds until stopped; with once, until a round finds nothing due."""
    steps, name, total = load_steps(), worker_name(), 0
    try:
        for _ in range(max_rounds) if once else iter(int, 1):
            done = run_round(steps, name)
            total += done
            if (once and done == 0) or stop.wait(0 if once else interval):
                break
    finally:
        WorkerHeartbeat.objects.filter(name=name).delete()
        close_old_connections()
    return total


@contextmanager
def in_background(
    *, interval: float = 5.0, join_timeout: float = 30.0
) -> Iterator[threading.Thread]:
    """Run the worker in a thread of this process while the block runs, then stop it.

    For one-command setups (``houseboat serve --with-worker``): on the way out the worker
    is asked to stop, finishes the step in hand and says goodbye (its heartbeat goes), and
    the block waits for it up to ``join_timeout`` seconds. The thread is a daemon, so a
    worker stuck on a slow network never keeps the process from exiting.
    """
    stop = threading.Event()
    thread = threading.Thread(
        target=run,
        kwargs={"once": False, "interval": interval, "stop": stop},
        name="houseboat-worker",
        daemon=True,
    )
    thread.start()
    try:
        yield thread
    finally:
        stop.set()
        thread.join(timeout=join_timeout)
