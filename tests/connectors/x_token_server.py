"""A stand-in X on 127.0.0.1 that rotates refresh tokens as X does.

``POST /2/oauth2/token`` with ``grant_type=refresh_token`` trades a refresh token for a
new access token and a new refresh token, once: a used or unknown refresh token is
refused with HTTP 400 and an OAuth error body (X answers ``invalid_request``, "Value
passed for the token was invalid."; RFC 6749 section 5.2 names ``invalid_grant``).
``GET /2/users/me`` answers for a current access token and with X's 401 otherwise.
The answers are the recorded ones in tests/fixtures/x/.

A token request is held until a second one arrives (or ``hold`` seconds pass), so two
senders that both renew really overlap at X, as they would in production.
"""

from __future__ import annotations

import itertools
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from tests.connectors.replay import load


class XTokenServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, *, refresh: str, access: str, error: str = "invalid_request", hold=1.5):
        super().__init__(("127.0.0.1", 0), Handler)
        self.lock = threading.Lock()
        self.refresh_tokens = {refresh}  # each works once
        self.access_tokens = {access}
        self.error = error
        self.hold = hold
        self.arrivals = 0
        self.overlapping = threading.Event()
        self.counter = itertools.count(1)
        self.token_requests: list[str] = []  # the refresh tokens offered, in order
        self.refused: list[str] = []

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def start(self) -> XTokenServer:
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def renew(self, offered: str) -> tuple[int, dict[str, Any]]:
        """Rotate: the offered refresh token is spent, a new pair is issued."""
        with self.lock:
            self.token_requests.append(offered)
            if offered not in self.refresh_tokens:
                self.refused.append(offered)
                description = "Value passed for the token was invalid."
                return 400, {"error": self.error, "error_description": description}
            self.refresh_tokens.discard(offered)
            n = next(self.counter)
            access, refresh = f"access-token-{n:04d}-rotated", f"refresh-token-{n:04d}-rotated"
            self.refresh_tokens.add(refresh)
            self.access_tokens.add(access)
        answer = dict(load("x", "token_refresh")["response"]["json"])
        answer.update(access_token=access, refresh_token=refresh)
        return 200, answer


class Handler(BaseHTTPRequestHandler):
    server: XTokenServer

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        if self.path != "/2/oauth2/token" or form.get("grant_type") != "refresh_token":
            return self.reply(404, {"title": "Not Found Error"})
        # Let a second sender's renewal arrive before answering this one.
        with self.server.lock:
            self.server.arrivals += 1
            if self.server.arrivals >= 2:
                self.server.overlapping.set()
        self.server.overlapping.wait(self.server.hold)
        return self.reply(*self.server.renew(form.get("refresh_token", "")))

    def do_GET(self) -> None:
        bearer = self.headers.get("Authorization", "").removeprefix("Bearer ")
        if self.path != "/2/users/me":
            return self.reply(404, {"title": "Not Found Error"})
        with self.server.lock:
            known = bearer in self.server.access_tokens
        fixture = load("x", "users_me" if known else "unauthorized")
        return self.reply(fixture["response"]["status"], fixture["response"]["json"])

    def reply(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass
