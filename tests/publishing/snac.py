"""A real snac2 server for the dispatcher's real-server tier, and a proxy in front of it.

snac2 (Debian bookworm-backports) is a C fediverse server with the Mastodon client API;
it ignores ``Idempotency-Key``, which is the point. ``SnacServer`` makes a throwaway data
folder (``snac init``, answered on stdin), adds a user (``snac adduser``, which prints
the password), starts ``snac httpd`` on a spare port of 127.0.0.1, and gets a Mastodon
API token through snac's own OAuth flow (an app, its login form, the token endpoint).
It is stopped by its PID. ``GatewayProxy`` forwards to it and answers 504 to a POST of
a status *after* snac made it, as a proxy whose upstream was slow does.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

OOB = "urn:ietf:wg:oauth:2.0:oob"
# Generous: the test machine may be busy; snac2 itself answers in milliseconds.
TIMEOUT = 60


def snac_binary() -> str | None:
    return shutil.which("snac")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SnacServer:
    """One snac2 instance with one user, in ``folder``."""

    def __init__(self, folder: Path, user: str = "alice"):
        self.folder, self.user = folder / "snac", user
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.token = ""

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> SnacServer:
        snac = snac_binary()
        assert snac, "snac2 is not installed"
        answers = f"127.0.0.1\n{self.port}\n127.0.0.1:{self.port}\n\n\n"
        subprocess.run([snac, "init", str(self.folder)], input=answers, text=True, check=True,
                       capture_output=True, timeout=30)  # fmt: skip
        added = subprocess.run([snac, "adduser", str(self.folder), self.user], input="\n",
                               text=True, check=True, capture_output=True, timeout=30)  # fmt: skip
        password = re.search(r"User password is (\S+)", added.stdout + added.stderr).group(1)
        log = (self.folder.parent / "snac.log").open("wb")
        self.process = subprocess.Popen([snac, "httpd", str(self.folder)], stdout=log, stderr=log)
        self._wait_until_up()
        self.token = self._token(password)
        return self

    def _wait_until_up(self) -> None:
        give_up = time.monotonic() + 30
        while time.monotonic() < give_up:
            try:
                if httpx.get(f"{self.base_url}/api/v1/instance", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.05)
        raise RuntimeError("snac2 did not start within 30 s")

    def _token(self, password: str) -> str:
        """Get a Mastodon API token as an app would: register, log in, exchange the code."""
        app = httpx.post(
            f"{self.base_url}/api/v1/apps",
            data={"client_name": "houseboat", "redirect_uris": OOB, "scopes": "read write"},
            timeout=TIMEOUT,
        ).json()
        code = httpx.post(
            f"{self.base_url}/oauth/x-snac-login",
            data={
                "login": self.user,
                "passwd": password,
                "redir": OOB,
                "cid": app["client_id"],
                "state": "",
            },
            timeout=TIMEOUT,
        ).text.strip()
        token = httpx.post(
            f"{self.base_url}/oauth/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "client_id": app["client_id"],
                "client_secret": app["client_secret"],
                "redirect_uri": OOB,
            },
            timeout=TIMEOUT,
        ).json()
        return token["access_token"]

    def statuses(self) -> list[dict[str, Any]]:
        """Every status of the user, newest first (paged with max_id, as the API does)."""
        headers = {"Authorization": f"Bearer {self.token}"}
        me = httpx.get(
            f"{self.base_url}/api/v1/accounts/verify_credentials", headers=headers, timeout=TIMEOUT
        )
        url = f"{self.base_url}/api/v1/accounts/{me.json()['id']}/statuses"
        found: list[dict[str, Any]] = []
        params: dict[str, str] = {"limit": "40"}
        seen: set[str] = set()
        while True:
            page = httpx.get(url, headers=headers, params=params, timeout=TIMEOUT).json()
            fresh = [status for status in page if status["id"] not in seen]
            found.extend(fresh)
            seen.update(status["id"] for status in fresh)
            # A short page is the last; a page of nothing new means max_id was ignored.
            if len(page) < 40 or not fresh:
                return found
            params["max_id"] = page[-1]["id"]

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait()


class GatewayProxy(ThreadingHTTPServer):
    """Forward to ``upstream``; answer 504 to a POST of a status once upstream made it."""

    daemon_threads = True

    def __init__(self, upstream: str, *, gateway_timeouts: int):
        super().__init__(("127.0.0.1", 0), ProxyHandler)
        self.upstream = upstream
        self.left = gateway_timeouts  # how many status POSTs get a 504 (after the post)
        self.posts_forwarded = 0
        self.lock = threading.Lock()
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def close(self) -> None:
        self.shutdown()
        self.server_close()


class ProxyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: GatewayProxy

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
        gateway = False
        if method == "POST" and self.path.startswith("/api/v1/statuses"):
            with self.server.lock:
                self.server.posts_forwarded += 1
                if self.server.left != 0:
                    self.server.left -= 1
                    gateway = True
        if gateway:
            data = b"<html><body><h1>504 Gateway Time-out</h1></body></html>"
            self.send_response(504)
            self.send_header("Content-Type", "text/html")
        else:
            data = answer.content
            self.send_response(answer.status_code)
            self.send_header("Content-Type", answer.headers.get("content-type", "text/plain"))
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self._forward("GET")

    def do_POST(self) -> None:
        self._forward("POST")
