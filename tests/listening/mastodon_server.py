"""A Mastodon tag timeline on 127.0.0.1, answering as the API reference shows.

Its statuses are copies of the recorded one in tests/fixtures/mastodon/timeline_tag.json
with their own ids and text. GET /api/v1/timelines/tag/:tag pages them the way
Mastodon does (https://docs.joinmastodon.org/methods/timelines/#tag and
https://docs.joinmastodon.org/api/guidelines/#pagination): ``min_id`` gives the
``limit`` statuses right after it, newest first; without it, the newest ``limit``.
GET /api/v1/statuses/:id answers 200 or the recorded 404. ``answer_next`` makes the
next requests answer with a recorded error instead (a 429 with the rate-limit headers,
a revoked token's 401, a 503).
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.connectors.replay import load

TEMPLATE = load("mastodon", "timeline_tag")["response"]["json"][0]
NOT_FOUND = load("mastodon", "status_get_not_found")["response"]
REVOKED = load("mastodon", "verify_credentials_revoked")["response"]
RATE_LIMITED = load("mastodon", "status_create_rate_limited")["response"]
UNAVAILABLE = {"status": 503, "json": {"error": "Service Unavailable"}}


def status(number: int, text: str = "") -> dict[str, Any]:
    """A status like the recorded one, with id ``number`` (ids grow with time, as Mastodon's)."""
    body = copy.deepcopy(TEMPLATE)
    remote_id = str(103206185588894565 + number)
    body["id"] = remote_id
    body["url"] = f"https://mastodon.social/@Gargron/{remote_id}"
    body["uri"] = f"https://mastodon.social/users/Gargron/statuses/{remote_id}"
    body["content"] = f"<p>{text or f'Post number {number}'} #cats</p>"
    return body


class MastodonServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.statuses: list[dict[str, Any]] = []  # oldest first
        self.deleted: set[str] = set()
        self.errors: list[dict[str, Any]] = []
        self.seen: list[str] = []  # path?query of every request

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def post(self, *numbers: int) -> None:
        self.statuses += [status(number) for number in numbers]

    def answer_next(self, response: dict[str, Any], times: int = 1) -> None:
        self.errors += [response] * times

    def page(self, min_id: str | None, limit: int) -> list[dict[str, Any]]:
        if min_id:
            after = [s for s in self.statuses if int(s["id"]) > int(min_id)][:limit]
        else:
            after = self.statuses[-limit:]
        return list(reversed(after))


class Handler(BaseHTTPRequestHandler):
    server: MastodonServer

    def do_GET(self) -> None:
        self.server.seen.append(self.path)
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        if self.server.errors:
            self.send(self.server.errors.pop(0))
        elif parts.path.startswith("/api/v1/timelines/tag/"):
            limit = int(query.get("limit", "20"))
            self.send({"status": 200, "json": self.server.page(query.get("min_id"), limit)})
        elif parts.path.startswith("/api/v1/statuses/"):
            remote_id = parts.path.rsplit("/", 1)[-1]
            found = [s for s in self.server.statuses if s["id"] == remote_id]
            if found and remote_id not in self.server.deleted:
                self.send({"status": 200, "json": found[0]})
            else:
                self.send(NOT_FOUND)
        else:
            self.send({"status": 404, "json": {"error": "Record not found"}})

    def send(self, response: dict[str, Any]) -> None:
        body = json.dumps(response["json"]).encode()
        self.send_response(response["status"])
        for name, value in response.get("headers", {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@contextmanager
def mastodon() -> Iterator[MastodonServer]:
    server = MastodonServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
