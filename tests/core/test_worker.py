import threading
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.utils import timezone

from houseboat.core import worker
from houseboat.core.constants import Role
from houseboat.core.models import Invitation, UserSession, WorkerHeartbeat


@pytest.fixture(autouse=True)
def keep_the_test_connection(monkeypatch):
    """The worker drops stale connections between steps. Inside a test's transaction
    Django counts the connection as stale (autocommit is off) and on PostgreSQL would
    close it, ending the test's transaction; an in-memory SQLite never closes."""
    monkeypatch.setattr(worker, "close_old_connections", lambda: None)


def test_worker_once_clears_expired_sessions_and_invitations(alice, team_a):
    Session.objects.create(
        session_key="old", session_data="", expire_date=timezone.now() - timedelta(days=1)
    )
    UserSession.objects.create(user=alice, session_key="old")
    invitation, _ = Invitation.issue(team=team_a, role=Role.VIEWER, note="x", invited_by=alice)
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(days=1)
    )
    live, _ = Invitation.issue(team=team_a, role=Role.VIEWER, note="y", invited_by=alice)

    call_command("worker", once=True)

    assert not Session.objects.filter(session_key="old").exists()
    assert not UserSession.objects.filter(session_key="old").exists()
    assert list(Invitation.objects.all()) == [live]
    assert not WorkerHeartbeat.objects.exists()  # a worker that stops says so


def test_worker_once_with_nothing_due_exits_after_one_round(db):
    assert worker.run(once=True, interval=0, stop=threading.Event()) == 0


def test_a_failing_step_does_not_stop_the_others(db, settings):
    settings.HOUSEBOAT_WORKER_STEPS = [
        "tests.core.test_worker.broken_step",
        "houseboat.core.worker.record_heartbeat",
    ]
    seen = []

    def spy(name):
        seen.append(name)
        return 0

    steps = [broken_step, spy]
    assert worker.run_round(steps, "w1") == 0
    assert seen == ["w1"]


def test_heartbeat_records_the_worker(db):
    worker.record_heartbeat("host:1:1")
    first = WorkerHeartbeat.objects.get(name="host:1:1")
    worker.record_heartbeat("host:1:1")
    again = WorkerHeartbeat.objects.get(name="host:1:1")
    assert again.started_at == first.started_at and again.last_seen_at >= first.last_seen_at


def broken_step(name):
    raise RuntimeError("step failed")


# --- lanes ------------------------------------------------------------------------------


def test_every_lane_of_the_issue_is_configured_with_its_steps(settings):
    lanes = settings.HOUSEBOAT_WORKER_LANES
    # Urgent work first in its lane: a released statement goes out in the same round.
    assert lanes["dispatch"][:2] == [
        "houseboat.publishing.deadman.release_due",
        "houseboat.publishing.dispatch.dispatch_due",
    ]
    assert "houseboat.organizing.followups.send_due" in lanes["dispatch"]
    # Long file work shares one lane: imports, then the M&E reports (WeasyPrint takes seconds).
    assert lanes["imports"] == [
        "houseboat.listening.jobs.run_import_jobs",
        "houseboat.reports.jobs.run_report_jobs",
    ]
    assert "houseboat.radar.fetching.fetch_due" in lanes["reading"]
    assert lanes["reading"][0] == "houseboat.publishing.metrics.collect_due"
    assert {
        "houseboat.listening.alerting.check_new_items",
        "houseboat.core.notices.step",
        "houseboat.accountability.monitoring.watch_archive",
    } <= set(lanes["reading"])
    # The slow import never shares a lane with the dispatcher, nor with reading.
    assert not set(lanes["imports"]) & (set(lanes["dispatch"]) | set(lanes["reading"]))


def test_an_app_adds_a_step_to_a_lane_once(settings):
    settings.HOUSEBOAT_WORKER_LANES = {"reading": ["a.b"]}
    worker.add_step("reading", "c.d")
    worker.add_step("reading", "c.d")
    worker.add_step("organizing", "e.f")
    assert worker.configured_lanes() == {"reading": ["a.b", "c.d"], "organizing": ["e.f"]}


def test_a_step_left_in_the_old_flat_list_still_runs_in_housekeeping(settings):
    settings.HOUSEBOAT_WORKER_LANES = {"dispatch": ["x.y"]}
    settings.HOUSEBOAT_WORKER_STEPS = ["houseboat.core.worker.record_heartbeat", "x.y", "old.step"]
    assert worker.configured_lanes() == {"dispatch": ["x.y"], "housekeeping": ["old.step"]}


def test_an_unknown_lane_is_refused_naming_the_lanes_there_are(db):
    with pytest.raises(KeyError, match="dispatch, imports, reading"):
        worker.run(once=True, interval=0, stop=threading.Event(), lanes=["everything"])


def slow_step(name):
    """A step that stands for an hour-long import: it runs until the test lets it go."""
    SLOW_STARTED.set()
    RELEASE_SLOW.wait(timeout=60)
    return 1


def fast_step(name):
    FAST_RUNS.append(name)
    return 0


SLOW_STARTED, RELEASE_SLOW, FAST_RUNS = threading.Event(), threading.Event(), []


@pytest.mark.django_db(transaction=True)
def test_a_slow_lane_never_holds_back_another_and_sigterm_ends_both(settings):
    settings.HOUSEBOAT_WORKER_LANES = {
        "imports": ["tests.core.test_worker.slow_step"],
        "dispatch": ["tests.core.test_worker.fast_step"],
    }
    SLOW_STARTED.clear(), RELEASE_SLOW.clear(), FAST_RUNS.clear()
    stop = threading.Event()
    runner = threading.Thread(
        target=worker.run, kwargs={"once": False, "interval": 0.01, "stop": stop}
    )
    runner.start()
    try:
        assert SLOW_STARTED.wait(30)
        while len(FAST_RUNS) < 5:  # the dispatch lane goes round while imports is busy
            assert runner.is_alive()
            threading.Event().wait(0.01)
        beats = dict(WorkerHeartbeat.objects.values_list("lane", "doing"))
        assert set(beats) == {"imports", "dispatch"}
    finally:
        stop.set()
        RELEASE_SLOW.set()
        runner.join(30)
    assert not runner.is_alive()
    assert all(name.endswith("/dispatch") for name in FAST_RUNS)
    assert not WorkerHeartbeat.objects.exists()  # each lane said goodbye


def test_a_stopped_run_does_not_stop_later_work_in_the_same_process(db):
    # The run's stop event stayed the process's after it returned, so every later
    # dispatch round in that process (the next test, a restarted worker) did nothing.
    stop = threading.Event()
    stop.set()
    worker.run(once=True, interval=0, stop=stop, lanes=["housekeeping"])
    assert worker.stop_requested() is False
