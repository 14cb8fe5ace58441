"""A proxy in front of a real server that loses the answer to a publish after it was made.

Everything is forwarded. A POST whose path starts with ``publish_path`` reaches the
server, which makes the post; then, for the first ``losses`` of them, the proxy loses
the answer as a failing network does:

- ``"504"``: it answers 504 Gateway Time-out, as a proxy whose upstream was slow;
- ``"dropped"``: it closes the connection without a word;
- ``"held"``: it holds the connection open without answering until the proxy closes,
  and sets ``lost`` so a test can kill the worker waiting there.

``publishes`` counts the publish requests that reached the server.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

TIMEOUT = 60

# Where each server takes a new post.
PUBLISH_PATHS = {
    "snac2": "/api/v1/statuses",
    "bluesky": "/xrpc/com.atproto.repo.createRecord",
}


class LossyProxy(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, upstream: str, publish_path: str, *, loss: str, losses: int = 1):
        super().__init__(("127.0.0.1", 0), LossyHandler)
        assert loss in ("504", "dropped", "held")
        self.upstream, self.publish_path = upstream, publish_path
        self.loss, self.left = loss, losses
        self.publishes = 0
        self.lock = threading.Lock()
        self.lost = threading.Event()  # set once an answer was lost
        self.release = threading.Event()  # lets held connections go, at close
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def handle_error(self, request, client_address) -> None:
        pass  # a lost answer breaks the connection on purpose; nothing to report

    def close(self) -> None:
        self.release.set()
        self.shutdown()
        self.server_close()


class LossyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: LossyProxy

    def log_message(self, *args) -> None:
        pass

    def _forward(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {
            k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")
        }
        answer = httpx.request(
            method, self.server.upstream + self.path, headers=headers, content=body, timeout=TIMEOUT
        )
        if method == "POST" and self.path.startswith(self.server.publish_path):
            with self.server.lock:
                self.server.publishes += 1
                lose = self.server.left != 0
                if lose:
                    self.server.left -= 1
            if lose:
                self._lose()
                return
        self._answer(answer.status_code, answer.headers.get("content-type", ""), answer.content)

    def _lose(self) -> None:
        self.server.lost.set()
        if self.server.loss == "504":
            data = b"<html><body><h1>504 Gateway Time-out</h1></body></html>"
            self._answer(504, "text/html", data)
            return
        if self.server.loss == "held":
            self.server.release.wait()
        self.close_connection = True
        self.connection.close()

    def _answer(self, status: int, content_type: str, data: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type or "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self._forward("GET")

    def do_POST(self) -> None:
        self._forward("POST")
