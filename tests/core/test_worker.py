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
