"""A real HTTP server on 127.0.0.1 that answers with recorded fixtures.

For tests that go through everything houseboat has — the web form or the command
line, the channel, the connector, the HTTP wrapper and a real socket — with only
the network's answers recorded. Requests are matched on method and path.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote

import httpx


class FixtureServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, fixtures: list[dict[str, Any]]):
        super().__init__(("127.0.0.1", 0), Handler)
        self.answers = {
            (f["request"]["method"], httpx.URL(f["request"]["url"]).path): f["response"]
            for f in fixtures
        }
        self.seen: list[tuple[str, str]] = []

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class Handler(BaseHTTPRequestHandler):
    server: FixtureServer

    def answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        path = unquote(self.path.split("?", 1)[0])  # as httpx.URL(...).path reads it
        self.server.seen.append((self.command, path))
        response = self.server.answers.get((self.command, path))
        if response is None:
            self.send_error(404, "no fixture for this request")
            return
        body = (
            json.dumps(response["json"]).encode()
            if "json" in response
            else response.get("text", "").encode()
        )
        self.send_response(response["status"])
        headers = {k.lower(): v for k, v in response.get("headers", {}).items()}
        headers.setdefault(
            "content-type", "application/json" if "json" in response else "text/plain"
        )
        for name, value in headers.items():
            if name not in ("content-length", "transfer-encoding", "connection"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = answer

    def log_message(self, *args: Any) -> None:
        pass


@contextmanager
def serving(fixtures: list[dict[str, Any]]) -> Iterator[FixtureServer]:
    server = FixtureServer(fixtures)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def closed_port() -> str:
    """An address on this machine where nothing listens."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"
