"""The background worker: lanes of small steps that never wait on each other.

Each lane is a list of steps (``settings.HOUSEBOAT_WORKER_LANES``); a step takes the
worker's name and returns how much it did. ``houseboat worker`` runs every lane, each
in its own thread, so an hour-long import never holds back a scheduled post or a
dead-man statement; ``houseboat worker --lane NAME`` runs one, so a bigger install can
run each lane as its own process, or on its own machine against PostgreSQL.

The main thread watches the lanes: it records each lane's heartbeat (the Publish
pages show them) and the process's :class:`~houseboat.core.leases.Keeper` renews
every lease the lanes hold. On SIGTERM each lane finishes the step in hand and exits.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import close_old_connections, connection
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy

from houseboat.core import leases
from houseboat.core.models import Invitation, UserSession, WorkerHeartbeat

logger = logging.getLogger(__name__)

Step = Callable[[str], int]

# What each lane does, in words for the Publish pages' banner. A lane another app adds
# to the setting without a label here is shown by its name.
LANE_LABELS = {
    "dispatch": gettext_lazy("Posts and dead-man statements"),
    "imports": gettext_lazy("Imports and exports"),
    "reading": gettext_lazy("Reading from networks"),
    "housekeeping": gettext_lazy("Tidying up"),
}
# Seconds between heartbeats; the pages call a lane silent after WORKER_SILENCE.
HEARTBEAT_SECONDS = 10.0


# The running worker's stop event, so a long step (a dispatch round) can end early.
_stop: threading.Event | None = None


def worker_name() -> str:
    return leases.owner_name()


def stop_requested() -> bool:
    """Tell whether the worker was asked to stop (SIGTERM): finish the job in hand."""
    return _stop is not None and _stop.is_set()


def configured_lanes() -> dict[str, list[str]]:
    """Return each lane's steps (dotted paths) from the settings.

    A step still listed in the old flat ``HOUSEBOAT_WORKER_STEPS`` and in no lane runs
    in the housekeeping lane, so an app written before lanes keeps working.
    """
    lanes = {lane: list(steps) for lane, steps in settings.HOUSEBOAT_WORKER_LANES.items()}
    placed = {path for steps in lanes.values() for path in steps}
    for path in getattr(settings, "HOUSEBOAT_WORKER_STEPS", None) or []:
        if path not in placed and path != "houseboat.core.worker.record_heartbeat":
            lanes.setdefault("housekeeping", []).append(path)
    return lanes


def lane_names() -> list[str]:
    """Return the lanes this install runs, in the setting's order."""
    return list(configured_lanes())


def load_lane(lane: str) -> list[Step]:
    """Import one lane's steps; an unknown lane is refused with the ones there are."""
    lanes = configured_lanes()
    if lane not in lanes:
        raise KeyError(f"There is no worker lane {lane!r}; the lanes are: {', '.join(lanes)}.")
    return [import_string(path) for path in lanes[lane]]


def add_step(lane: str, path: str) -> None:
    """Add a step (its dotted path) to a lane, making the lane if it is new; once only.

    For an app's ``AppConfig.ready()``, so the app brings its own work::

        worker.add_step("reading", "houseboat.accountability.monitoring.scan_due")
    """
    steps = settings.HOUSEBOAT_WORKER_LANES.setdefault(lane, [])
    if path not in steps:
        steps.append(path)


def record_heartbeat(name: str, *, lane: str = "", doing: str = "") -> int:
    """Tell the web pages this worker (lane) is alive. Not work: returns 0."""
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        name=name,
        defaults={"last_seen_at": now, "lane": lane, "doing": doing[:200]},
        create_defaults={
            "started_at": now,
            "last_seen_at": now,
            "lane": lane,
            "doing": doing[:200],
        },
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


# --- one lane ------------------------------------------------------------------------------


@dataclass
class Lane:
    """One lane's steps, its worker name, and what it is doing now (for the heartbeat)."""

    name: str
    steps: list[Step]
    worker: str
    doing: str = ""
    done: int = 0
    thread: threading.Thread | None = field(default=None, repr=False)

    @property
    def heartbeat_name(self) -> str:
        """This lane's worker name: its steps' lease owner, and its heartbeat's name."""
        return f"{self.worker}/{self.name}" if self.name else self.worker

    def run_round(self) -> int:
        """Run every step once; a failing step is logged and does not stop the others."""
        done = 0
        for step in self.steps:
            close_old_connections()
            self.doing = step.__name__
            try:
                done += step(self.heartbeat_name)
            except Exception:
                logger.exception(
                    "Worker step %s failed; it will be tried again next round", step.__name__
                )
            finally:
                self.doing = ""
        self.done += done
        return done

    def run(self, *, once: bool, interval: float, stop: threading.Event, max_rounds: int) -> int:
        """Run rounds until stopped; with once, until a round finds nothing due."""
        for _ in range(max_rounds) if once else iter(int, 1):
            done = self.run_round()
            if (once and done == 0) or stop.wait(0 if once else interval):
                break
        return self.done


def run_round(steps: list[Step], name: str) -> int:
    """Run every step once (as one lane would); return how much they did."""
    return Lane("", steps, name).run_round()


# --- the worker ------------------------------------------------------------------------------


def run(
    *,
    once: bool,
    interval: float,
    stop: threading.Event,
    lanes: list[str] | None = None,
    max_rounds: int = 1000,
) -> int:
    """Run the chosen lanes (all by default) until stopped; return the work done.

    With ``once``, each lane in turn does all its due work in this thread, then the
    call returns (for scripts and tests). Otherwise each lane runs in its own thread.
    """
    global _stop
    chosen = [Lane(lane, load_lane(lane), worker_name()) for lane in (lanes or lane_names())]
    _stop = stop
    try:
        if once:
            for lane in chosen:
                record_heartbeat(lane.heartbeat_name, lane=lane.name)
                lane.run(once=True, interval=0, stop=stop, max_rounds=max_rounds)
        else:
            run_threads(chosen, interval=interval, stop=stop)
    finally:
        # A stop asked of this run must not stop later work in the same process (the web
        # server's worker started again, or the next test's dispatch round).
        if _stop is stop:
            _stop = None
        WorkerHeartbeat.objects.filter(name__in=[lane.heartbeat_name for lane in chosen]).delete()
        close_old_connections()
    return sum(lane.done for lane in chosen)


def run_threads(chosen: list[Lane], *, interval: float, stop: threading.Event) -> None:
    """Run each lane in a thread; beat their hearts and keep their leases until they end."""
    for lane in chosen:
        lane.thread = threading.Thread(
            target=_lane_thread,
            args=(lane, interval, stop),
            name=f"houseboat-lane-{lane.name}",
            daemon=True,
        )
        record_heartbeat(lane.heartbeat_name, lane=lane.name)
        lane.thread.start()
    leases.KEEPER.start()
    try:
        while any(lane.thread and lane.thread.is_alive() for lane in chosen):
            beat(chosen)
            if stop.wait(min(HEARTBEAT_SECONDS, max(interval, 0.05))):
                break
        for lane in chosen:
            if lane.thread is not None:
                lane.thread.join()
    finally:
        stop.set()
        leases.KEEPER.stop()


def beat(chosen: list[Lane]) -> None:
    """Record a heartbeat for every lane still running; a dead lane falls silent."""
    close_old_connections()
    for lane in chosen:
        if lane.thread is not None and lane.thread.is_alive():
            try:
                record_heartbeat(lane.heartbeat_name, lane=lane.name, doing=lane.doing)
            except Exception:
                logger.exception("Recording the %s lane's heartbeat failed", lane.name)


def _lane_thread(lane: Lane, interval: float, stop: threading.Event) -> None:
    try:
        lane.run(once=False, interval=interval, stop=stop, max_rounds=0)
    except Exception:
        logger.exception("The worker's %s lane stopped on an error", lane.name)
    finally:
        connection.close()


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
        target=_run_and_close,
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


def _run_and_close(**kwargs) -> None:
    try:
        run(**kwargs)
    finally:
        connection.close()


# --- what the pages show ------------------------------------------------------------------------


@dataclass(frozen=True)
class LaneStatus:
    """Whether a lane was heard from lately, for the heartbeat banner."""

    name: str
    label: str
    running: bool
    doing: str = ""


def lane_statuses(silence_seconds: float) -> list[LaneStatus]:
    """Return each configured lane and whether any worker ran it lately."""
    since = timezone.now() - timedelta(seconds=silence_seconds)
    heard = {}
    for lane, doing in WorkerHeartbeat.objects.filter(last_seen_at__gte=since).values_list(
        "lane", "doing"
    ):
        heard.setdefault(lane, doing)
    everything = "" in heard  # a worker from before lanes ran everything
    return [
        LaneStatus(
            name=lane,
            label=str(LANE_LABELS.get(lane, lane)),
            running=lane in heard or everything,
            doing=heard.get(lane, ""),
        )
        for lane in lane_names()
    ]
