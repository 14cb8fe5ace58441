"""The heartbeat banner on the Publish pages shows each worker lane."""

from django.utils import timezone

from houseboat.core.models import WorkerHeartbeat

LIST = "/t/team-a/publish/"


def beat(*lanes: str) -> None:
    now = timezone.now()
    for lane in lanes:
        WorkerHeartbeat.objects.create(
            name=f"host:1:1/{lane}", lane=lane, started_at=now, last_seen_at=now
        )


def test_a_lane_that_is_not_running_is_named_with_what_it_does(as_bob):
    beat("dispatch", "reading", "housekeeping")  # a worker run with --lane, imports missing

    page = as_bob.get(LIST).content.decode()

    assert "Part of the worker is not running." in page
    assert "Imports and exports: <strong>not running</strong>" in page
    assert "Posts and dead-man statements: running" in page
    assert "houseboat worker --lane NAME" in page
    assert "No worker is running" not in page


def test_every_lane_running_shows_a_quiet_line_and_no_warning(as_bob):
    beat("dispatch", "imports", "reading", "housekeeping")

    page = as_bob.get(LIST).content.decode()

    assert 'class="worker-up"' in page and "Reading from networks" in page
    assert "not running" not in page


def test_posts_wait_without_the_dispatch_lane_and_the_page_says_so(as_bob):
    beat("imports", "reading", "housekeeping")

    page = as_bob.get(LIST).content.decode()

    assert "Posts and dead-man statements: <strong>not running</strong>" in page
