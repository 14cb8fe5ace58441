"""`houseboat serve --with-worker`: one command runs the site and the worker, and stops both."""

import threading
import time

import pytest
from django.core.management import call_command
from django.db.utils import OperationalError

from houseboat.core import worker
from houseboat.core.management.commands import serve
from houseboat.core.models import WorkerHeartbeat


def worker_threads() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == "houseboat-worker"]


def heartbeat_seen(within: float = 15.0) -> bool:
    """Wait for the worker thread's first heartbeat (the in-memory test database is shared
    between threads with table locks, so a read may briefly find it busy)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            if WorkerHeartbeat.objects.exists():
                return True
        except OperationalError:
            pass
        time.sleep(0.05)
    return False


class ServerStoppedByCtrlC:
    """Stands in for waitress: serves until the worker is seen, then gets a Ctrl-C."""

    def __init__(self) -> None:
        self.worker_was_running = False
        self.closed = False
        self.patience = 15.0

    def run(self) -> None:
        self.worker_was_running = heartbeat_seen(self.patience) and bool(worker_threads())
        raise KeyboardInterrupt

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def server(monkeypatch, settings) -> ServerStoppedByCtrlC:
    settings.HOUSEBOAT_WORKER_LANES = {"housekeeping": []}
    fake = ServerStoppedByCtrlC()
    monkeypatch.setattr(serve, "make_server", lambda host, port, threads: fake)
    return fake


@pytest.mark.django_db(transaction=True)
def test_serve_with_worker_runs_a_worker_and_stops_it_cleanly_on_ctrl_c(server, capsys):
    call_command("serve", "--with-worker", "--no-migrate")

    assert server.worker_was_running
    assert server.closed
    assert worker_threads() == []  # joined, not left behind
    assert not WorkerHeartbeat.objects.exists()  # a worker that stops says goodbye
    out = capsys.readouterr().out
    assert "The worker runs in this process" in out and "Stopped." in out


@pytest.mark.django_db(transaction=True)
def test_serve_alone_starts_no_worker(server, monkeypatch):
    started = []
    monkeypatch.setattr(worker, "in_background", lambda **kwargs: started.append(kwargs))
    server.patience = 0.5

    call_command("serve", "--no-migrate")

    assert started == [] and not server.worker_was_running


@pytest.mark.django_db(transaction=True)
def test_the_background_worker_stops_when_its_block_ends(settings):
    settings.HOUSEBOAT_WORKER_LANES = {"housekeeping": []}
    with worker.in_background(interval=0.05) as thread:
        assert heartbeat_seen()
        assert thread.is_alive()
    assert not thread.is_alive()
