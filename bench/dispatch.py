"""Dispatch benchmark: N posts due in the same minute, two workers, one killed with -9.

    python3 -m uv run --frozen python bench/dispatch.py --posts 10000            # SQLite
    python3 -m uv run --frozen python bench/dispatch.py --posts 10000 --postgres # throwaway PostgreSQL

A local server on 127.0.0.1 speaks Mastodon's statuses API (POST /api/v1/statuses,
and the account's own statuses for the dispatcher's look before resending), with a
configurable share of 429 answers, of 504 answers given after the post was made (a
proxy timing out), and a configurable latency. Like snac2 it ignores Idempotency-Key
unless --honour-key is given, and like a real server it refuses a body shorter than
its Content-Length (a worker killed mid-request), so a torn request posts nothing. The channels point at it (allow_private_network). Two
``houseboat worker`` processes drain the queue; when a third of it has gone out one of
them is killed with SIGKILL and started again. The script reports the time to drain,
deliveries per second, and the two numbers that must be 0: duplicates (posts the
server made beyond one per delivery) and lost (deliveries that never reached it or
are not marked sent).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parent.parent


# --- the stand-in Mastodon server --------------------------------------------------------


class MastodonServer(ThreadingHTTPServer):
    """Statuses API with Idempotency-Key, 429s and latency; counts what it made."""

    daemon_threads = True

    def __init__(
        self,
        *,
        latency: float,
        rate_429: float,
        retry_after: int,
        rate_504: float = 0.0,
        honour_key: bool = False,
    ):
        super().__init__(("127.0.0.1", 0), StatusHandler)
        self.latency, self.rate_429, self.retry_after = latency, rate_429, retry_after
        self.rate_504, self.honour_key = rate_504, honour_key
        self.lock = threading.Lock()
        self.timelines: dict[str, list[dict]] = {}  # account id -> its statuses, oldest first
        self.gateway_timeouts = 0
        self.torn = 0
        self.by_key: dict[str, dict] = {}
        self.texts: dict[str, int] = {}
        self.created = 0
        self.requests = 0
        self.replayed = 0
        self.refused_429 = 0
        self.next_id = 1

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def post_status(self, account: str, key: str, text: str) -> tuple[int, dict]:
        with self.lock:
            self.requests += 1
            if random.random() < self.rate_429:  # noqa: S311
                self.refused_429 += 1
                return 429, {"error": "Too many requests"}
            if self.honour_key and key in self.by_key:
                self.replayed += 1
                return 200, self.by_key[key]
            status_id = str(self.next_id)
            self.next_id += 1
            status = {
                "id": status_id,
                "created_at": datetime.now(UTC).isoformat(),
                "content": f"<p>{text}</p>",
                "url": f"{self.base_url}/@bench/{status_id}",
                "uri": f"{self.base_url}/users/bench/statuses/{status_id}",
                "account": self.account(account),
                "in_reply_to_id": None,
                "spoiler_text": "",
                "reblog": None,
            }
            self.created += 1
            self.texts[text] = self.texts.get(text, 0) + 1
            self.timelines.setdefault(account, []).append(status)
            if key:
                self.by_key[key] = status
            if random.random() < self.rate_504:  # noqa: S311
                self.gateway_timeouts += 1  # made, but the proxy in front gave up
                return 504, {"error": "Gateway Time-out"}
            return 200, status

    @staticmethod
    def account(account_id: str) -> dict:
        return {"id": account_id, "username": f"bench{account_id}", "acct": f"bench{account_id}"}

    def statuses(self, account: str, limit: int, max_id: str) -> list[dict]:
        """The account's statuses, newest first, older than max_id when given."""
        with self.lock:
            mine = list(reversed(self.timelines.get(account, [])))
        if max_id:
            mine = [status for status in mine if int(status["id"]) < int(max_id)]
        return mine[:limit]

    def handle_error(self, request, client_address) -> None:
        """A killed worker drops its connections: that is the point, not an error."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class StatusHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a real server
    server: MastodonServer

    def log_message(self, *args) -> None:
        pass

    def account_id(self) -> str:
        """Each channel's token stands for its own account ("Bearer bench-token-3" -> "3")."""
        return self.headers.get("Authorization", "").rsplit("-", 1)[-1] or "0"

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path == "/api/v1/accounts/verify_credentials":
            return self.answer(200, self.server.account(self.account_id()))
        parts = url.path.strip("/").split("/")
        if len(parts) == 5 and parts[:3] == ["api", "v1", "accounts"] and parts[4] == "statuses":
            limit = min(int(query.get("limit", 20)), 40)
            return self.answer(200, self.server.statuses(parts[3], limit, query.get("max_id", "")))
        return self.answer(404, {"error": "Record not found"})

    def do_POST(self) -> None:
        expected = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(expected)
        if len(raw) < expected:
            # The client went away mid-body (a worker killed with -9): a real server
            # refuses a request shorter than its Content-Length and posts nothing.
            with self.server.lock:
                self.server.torn += 1
            self.close_connection = True
            return self.answer(400, {"error": "Incomplete request body"})
        body = raw.decode()
        if self.path != "/api/v1/statuses":
            return self.answer(404, {"error": "Record not found"})
        time.sleep(self.server.latency)
        form = {k: v[0] for k, v in parse_qs(body).items()}
        code, payload = self.server.post_status(
            self.account_id(), self.headers.get("Idempotency-Key", ""), form.get("status", "")
        )
        headers = {"Retry-After": str(self.server.retry_after)} if code == 429 else {}
        self.answer(code, payload, headers)

    def answer(self, code: int, payload: object, headers: dict | None = None) -> None:
        data = json.dumps(payload).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        with contextlib.suppress(OSError):  # the worker that asked is gone
            self.wfile.write(data)


# --- a throwaway PostgreSQL, as scripts/test starts one ------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pg_bin() -> Path:
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin")):
        if (candidate / "initdb").exists():
            return candidate
    raise SystemExit("PostgreSQL is not installed (apt-get install postgresql).")


class ThrowawayPostgres:
    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="houseboat-bench-pg-"))
        self.port = free_port()
        self.bin = pg_bin()

    def run(self, *args: str) -> None:
        command = [str(self.bin / args[0]), *args[1:]]
        if os.getuid() == 0:  # initdb refuses root: run as the postgres user
            subprocess.run(["id", "postgres"], check=True, capture_output=True)  # noqa: S607
            shutil.chown(self.dir, "postgres")
            command = ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(command)]
        subprocess.run(command, check=True, capture_output=True)  # noqa: S603

    def start(self) -> str:
        data = self.dir / "data"
        self.run("initdb", "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        self.run(
            "pg_ctl",
            "-D",
            str(data),
            "-l",
            str(self.dir / "log"),
            "-w",
            "-o",
            f"'-h 127.0.0.1 -p {self.port} -k {self.dir}'",
            "start",
        )
        import psycopg

        with psycopg.connect(
            f"postgresql://postgres@127.0.0.1:{self.port}/postgres", autocommit=True
        ) as conn:
            conn.execute("CREATE DATABASE houseboat")
        return f"postgres://postgres@127.0.0.1:{self.port}/houseboat"

    def stop(self) -> None:
        try:
            self.run("pg_ctl", "-D", str(self.dir / "data"), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


# --- the run ---------------------------------------------------------------------------------


def houseboat(env: dict[str, str], *args: str, log: Path | None = None) -> subprocess.Popen:
    out = log.open("ab") if log else subprocess.DEVNULL
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "houseboat", *args], env=env, cwd=ROOT, stdout=out, stderr=out
    )


def seed(posts: int, channels: int, base_url: str) -> None:
    """Make ``posts`` posts of one delivery each, spread over ``channels``, all due now."""
    from django.utils import timezone

    from houseboat.connectors.models import Channel
    from houseboat.core.models import Team, User
    from houseboat.publishing.constants import PostStatus
    from houseboat.publishing.models import Delivery, Post, Variant

    team = Team.objects.create(name="Bench", slug="bench")
    author = User.objects.create_user(username="bench")
    targets = [
        Channel.objects.create(
            team=team,
            network="mastodon",
            name=f"bench {n}",
            config={"base_url": base_url, "allow_private_network": True},
            secrets={"access_token": f"bench-token-{n}"},
        )
        for n in range(channels)
    ]
    now = timezone.now()
    made = Post.objects.bulk_create(
        Post(team=team, author=author, text=f"bench post {i}", status=PostStatus.SCHEDULED)
        for i in range(posts)
    )
    variants = Variant.objects.bulk_create(
        Variant(post=post, channel=targets[i % channels]) for i, post in enumerate(made)
    )
    Delivery.objects.bulk_create(
        (Delivery(variant=variant, text=variant.post.text, due_at=now) for variant in variants),
        batch_size=1000,
    )


def counts() -> dict[str, int]:
    from django.db.models import Count

    from houseboat.publishing.models import Delivery

    return dict(Delivery.objects.values_list("state").annotate(n=Count("id")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--channels", type=int, default=10)
    parser.add_argument("--latency-ms", type=float, default=5.0)
    parser.add_argument("--rate-429", type=float, default=0.01, help="share of POSTs refused")
    parser.add_argument("--retry-after", type=int, default=1, help="seconds a 429 asks for")
    parser.add_argument(
        "--rate-504", type=float, default=0.0, help="share of POSTs made, then answered 504"
    )
    parser.add_argument(
        "--honour-key", action="store_true", help="answer a repeated Idempotency-Key (Mastodon)"
    )
    parser.add_argument(
        "--backoff", type=int, default=2, help="seconds before a doubt is looked at"
    )
    parser.add_argument("--lease", type=int, default=15, help="lease seconds for the workers")
    parser.add_argument("--kill-at", type=float, default=0.33, help="share sent before kill -9")
    parser.add_argument("--postgres", action="store_true", help="start a throwaway PostgreSQL")
    parser.add_argument("--database-url", default="", help="use this PostgreSQL instead")
    parser.add_argument("--timeout", type=int, default=1800)
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="houseboat-bench-"))
    pg = ThrowawayPostgres() if args.postgres else None
    database_url = pg.start() if pg else args.database_url
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE"}}
    env.update(
        HOUSEBOAT_DATA_DIR=str(data_dir),
        HOUSEBOAT_DISPATCH_LEASE_SECONDS=str(args.lease),
        HOUSEBOAT_LEASE_HEARTBEAT_SECONDS=str(max(1, args.lease // 3)),
        # An unclear answer waits this long before the look (30 s in production).
        HOUSEBOAT_DISPATCH_BACKOFF_SECONDS=str(args.backoff),
        HOUSEBOAT_DISPATCH_BACKOFF_CAP_SECONDS=str(args.backoff * 4),
        HOUSEBOAT_LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "houseboat.settings")

    server = MastodonServer(
        latency=args.latency_ms / 1000,
        rate_429=args.rate_429,
        retry_after=args.retry_after,
        rate_504=args.rate_504,
        honour_key=args.honour_key,
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    workers: list[subprocess.Popen] = []
    try:
        subprocess.run(
            [sys.executable, "-m", "houseboat", "migrate", "-v0"], env=env, cwd=ROOT, check=True
        )
        import django

        django.setup()
        seed(args.posts, args.channels, server.base_url)
        print(f"{args.posts} deliveries due; server at {server.base_url}; data in {data_dir}")

        log = data_dir / "workers.log"
        start = time.monotonic()
        run = ["worker", "--lane", "dispatch", "--interval", "0.2"]
        workers = [houseboat(env, *run, log=log) for _ in range(args.workers)]
        killed_at = restarted = None
        while time.monotonic() - start < args.timeout:
            time.sleep(0.25)
            state = counts()
            done = sum(state.get(s, 0) for s in ("sent", "failed", "unknown", "cancelled"))
            if killed_at is None and state.get("sent", 0) >= args.kill_at * args.posts:
                victim = workers[0]
                victim.send_signal(signal.SIGKILL)
                victim.wait()
                killed_at = time.monotonic() - start
                print(f"kill -9 worker {victim.pid} at {killed_at:.1f}s with {state}")
                workers[0] = houseboat(env, *run, log=log)
                restarted = True
            if done == args.posts:
                break
        drained = time.monotonic() - start
        report(args, server, drained, killed_at, restarted, database_url)
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
        server.shutdown()
        from django.db import connections

        connections.close_all()
        if pg:
            pg.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


def report(args, server: MastodonServer, drained: float, killed_at, restarted, url: str) -> None:
    from houseboat.publishing.models import Delivery

    state = counts()
    sent = state.get("sent", 0)
    texts = set(Delivery.objects.values_list("text", flat=True))
    reached = {text for text in server.texts if text in texts}
    duplicates = server.created - len(server.texts)
    lost = args.posts - sent + (len(texts) - len(reached))
    retaken = Delivery.objects.filter(in_doubt=True).count()
    result = {
        "database": "PostgreSQL" if url else "SQLite",
        "posts": args.posts,
        "workers": args.workers,
        "drain_seconds": round(drained, 1),
        "deliveries_per_second": round(sent / drained, 1),
        "duplicates": duplicates,
        "lost": lost,
        "states": state,
        "server": {
            "requests": server.requests,
            "created": server.created,
            "distinct_keys": len(server.by_key),
            "answered_from_key": server.replayed,
            "refused_429": server.refused_429,
            "made_then_504": server.gateway_timeouts,
            "torn_requests_refused": server.torn,
            "honours_idempotency_key": server.honour_key,
        },
        "killed_at_seconds": round(killed_at, 1) if killed_at else None,
        "restarted": bool(restarted),
        "retaken_after_kill": retaken,
        "latency_ms": args.latency_ms,
        "rate_429": args.rate_429,
        "lease_seconds": args.lease,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
    }
    print(json.dumps(result, indent=2))
    if duplicates or lost:
        raise SystemExit("FAILED: duplicates or lost deliveries")


if __name__ == "__main__":
    main()
