"""Lanes benchmark: a post and a dead-man statement fall due during a long import.

    python3 -m uv run --frozen python bench/lanes.py --posts 200000           # SQLite
    python3 -m uv run --frozen python bench/lanes.py --posts 200000 --json    # one JSON line

In a fresh data folder: a team, a campaign, a post scheduled on the campaign's own site,
and an armed dead-man switch whose statement goes to the own site. A file of ``--posts``
X posts (twarc2 NDJSON, from bench/archive.py's generator) is queued with
``houseboat import x-ndjson FILE --campaign SLUG --background``, exactly as the Import
page queues an upload, and one ``houseboat worker`` (every lane) starts. Once the
import is under way, the post and the switch's deadline are made due; the script waits
until both have gone out, then for the import to end, and reports how late each went
out (from its due time to the delivery's ``sent_at``, both written by houseboat) and
whether that was before the import finished. The worker is stopped with SIGTERM.

tests/core/test_lanes.py runs this script at a smaller size.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GENERATOR = ROOT / "bench" / "archive.py"
CAMPAIGN = "free-the-ten"
FAR = timedelta(days=365)


# --- the scene, run inside the data folder's houseboat --------------------------------------


def setup_django(data_dir: Path) -> None:
    os.environ["HOUSEBOAT_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "houseboat.settings")
    import django

    django.setup()


def seed() -> None:
    """Make the team, the campaign, a post and an armed switch, both due a year from now."""
    from django.utils import timezone

    from houseboat.campaigns.models import Campaign
    from houseboat.connectors.models import Channel
    from houseboat.core.models import Team, User
    from houseboat.publishing.constants import DeadManStatus, PostStatus
    from houseboat.publishing.models import DeadManSwitch, Delivery, Post, Variant

    later = timezone.now() + FAR
    team = Team.objects.create(name="Lanes", slug="lanes")
    alice = User.objects.create_user(username="alice")
    campaign = Campaign.objects.create(team=team, name="Free the Ten", slug=CAMPAIGN)
    site = Channel.objects.get(network="own_site", config__campaign_id=campaign.pk)
    post = Post.objects.create(
        team=team, campaign=campaign, author=alice, text="Vigil tonight at 8",
        status=PostStatus.SCHEDULED, scheduled_at=later,
    )  # fmt: skip
    variant = Variant.objects.create(post=post, channel=site)
    Delivery.objects.create(variant=variant, text=post.text, due_at=later)
    held = Post.objects.create(
        team=team, campaign=campaign, author=alice, status=PostStatus.HELD,
        text="If you read this, I was detained. Call the lawyers.",
    )  # fmt: skip
    Variant.objects.create(post=held, channel=site)
    DeadManSwitch.objects.create(
        team=team, holder=alice, name="Border crossing", post=held, status=DeadManStatus.ARMED,
        check_in_every=timedelta(days=1), warn_before=timedelta(hours=1), deadline=later,
        warn_at=later - timedelta(hours=1), armed_at=timezone.now(), approved_by=alice,
        approved_at=timezone.now(),
    )  # fmt: skip


def due_now() -> None:
    """Make the post and the switch's deadline due this moment; print that moment."""
    from django.utils import timezone

    from houseboat.publishing.models import DeadManSwitch, Delivery

    now = timezone.now()
    Delivery.objects.update(due_at=now)
    DeadManSwitch.objects.update(deadline=now, warn_at=now)
    print(now.isoformat())


def watch() -> None:
    """Print a report every half second until stopped (one process, one Django start)."""
    from django.db import connection

    while True:
        report()
        connection.close()
        time.sleep(0.5)


def report() -> None:
    """Print, as JSON, where the post, the statement and the import job stand."""
    from houseboat.listening.models import ImportJob
    from houseboat.publishing.models import DeadManSwitch, Delivery

    def iso(moment):
        return moment.isoformat() if moment else None

    switch = DeadManSwitch.objects.get()
    post = Delivery.objects.exclude(variant__post=switch.post).get()
    statement = Delivery.objects.filter(variant__post=switch.post).first()
    job = ImportJob.objects.order_by("pk").last()
    print(
        json.dumps(
            {
                "post": {"state": post.state, "due": iso(post.due_at), "sent": iso(post.sent_at)},
                "switch": {
                    "status": switch.status,
                    "deadline": iso(switch.deadline),
                    "released": iso(switch.released_at),
                },
                "statement": {
                    "state": statement.state if statement else None,
                    "sent": iso(statement.sent_at) if statement else None,
                },
                "import": {
                    "state": job.state if job else None,
                    "records_done": job.records_done if job else 0,
                    "items_new": job.items_new if job else 0,
                    "finished": iso(job.finished_at) if job else None,
                },
            }
        ),
        flush=True,
    )


# --- the run ------------------------------------------------------------------------------------


def command(*args: str) -> list[str]:
    """The installed ``houseboat`` console script next to this interpreter."""
    script = Path(sys.executable).with_name("houseboat")
    return [str(script), *args] if script.exists() else [sys.executable, "-m", "houseboat", *args]


def scene(env: dict[str, str], what: str) -> str:
    out = subprocess.run(  # noqa: S603 (this interpreter, this script)
        [sys.executable, __file__, "scene", what],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()


class Watcher:
    """A child process printing the scene's report every half second."""

    def __init__(self, env: dict[str, str]):
        self.child = subprocess.Popen(  # noqa: S603 (this interpreter, this script)
            [sys.executable, __file__, "scene", "watch"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )

    def wait_for(self, done, *, give_up: float, what: str) -> dict:
        """Read reports until ``done(report)``; stop the run (not assert) after give_up s."""
        deadline = time.monotonic() + give_up
        now: dict = {}
        while time.monotonic() < deadline:
            line = self.child.stdout.readline()
            if not line:
                break
            now = json.loads(line)
            if done(now):
                return now
        raise SystemExit(f"gave up waiting for {what}: {json.dumps(now)}")

    def stop(self) -> None:
        self.child.kill()
        self.child.wait()


def seconds_between(start: str | None, end: str | None) -> float | None:
    if not start or not end:
        return None
    return round((datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds(), 2)


def run(posts: int, data_dir: Path, give_up: float) -> dict:
    # Its own SQLite file in the data folder, whatever database the caller uses.
    env = {
        k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL"}
    }
    env.update(HOUSEBOAT_DATA_DIR=str(data_dir), HOUSEBOAT_LOG_LEVEL="WARNING")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    subprocess.run(command("migrate", "-v0"), env=env, cwd=ROOT, check=True)  # noqa: S603
    scene(env, "seed")
    archive = data_dir / "peak-day.jsonl"
    subprocess.run(  # noqa: S603 (this interpreter, our generator)
        [sys.executable, str(GENERATOR), "generate", "--posts", str(posts), "--out", str(archive)],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    queued = subprocess.run(  # noqa: S603
        command("import", "x-ndjson", str(archive), "--campaign", CAMPAIGN, "--background"),
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    job_id = queued.stdout.strip()
    log = (data_dir / "worker.log").open("wb")
    worker = subprocess.Popen(  # noqa: S603
        command("worker", "--interval", "1"), env=env, cwd=ROOT, stdout=log, stderr=log
    )
    watcher = Watcher(env)
    try:
        started = watcher.wait_for(
            lambda s: s["import"]["state"] == "running" and s["import"]["records_done"] > 0,
            give_up=give_up,
            what="the import to start",
        )
        due = scene(env, "due-now")
        out = watcher.wait_for(
            lambda s: s["post"]["state"] == "sent" and s["statement"]["state"] == "sent",
            give_up=give_up,
            what="the post and the statement",
        )
        during = out["import"]
        ended = watcher.wait_for(
            lambda s: s["import"]["state"] in ("done", "failed"),
            give_up=give_up * 20,
            what="the import to end",
        )
    finally:
        watcher.stop()
        worker.send_signal(signal.SIGTERM)
        try:
            worker_exit = worker.wait(timeout=give_up)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker_exit = "killed"
        log.close()
    status = subprocess.run(  # noqa: S603
        command("import", "--status", job_id), env=env, cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    finished = ended["import"]["finished"]
    return {
        "posts_in_file": posts,
        "import_job": job_id,
        "import_records_when_made_due": started["import"]["records_done"],
        "import_records_when_both_out": during["records_done"],
        "import_state_at_end": ended["import"]["state"],
        "import_items_new": ended["import"]["items_new"],
        "import_status_line": status,
        "due_at": due,
        "post_late_seconds": seconds_between(out["post"]["due"], out["post"]["sent"]),
        "release_late_seconds": seconds_between(
            out["switch"]["deadline"], out["switch"]["released"]
        ),
        "statement_late_seconds": seconds_between(
            out["switch"]["deadline"], out["statement"]["sent"]
        ),
        "post_out_before_import_end": out["post"]["sent"] < finished,
        "statement_out_before_import_end": out["statement"]["sent"] < finished,
        "import_seconds_after_due": seconds_between(due, finished),
        "worker_exit": worker_exit,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}",
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
    }


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "scene":
        setup_django(Path(os.environ["HOUSEBOAT_DATA_DIR"]))
        {"seed": seed, "due-now": due_now, "report": report, "watch": watch}[sys.argv[2]]()
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=200_000)
    parser.add_argument("--data-dir", type=Path, help="work here (default: a fresh temp folder)")
    parser.add_argument("--give-up", type=float, default=300, help="seconds to wait for a step")
    parser.add_argument("--json", action="store_true", help="print one JSON line")
    args = parser.parse_args()
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="houseboat-lanes-"))
    result = run(args.posts, data_dir, args.give_up)
    print(json.dumps(result) if args.json else json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
