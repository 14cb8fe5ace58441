"""`houseboat serve` (waitress) behind a TLS proxy, and on its own."""

import http.client
import threading

import pytest

from houseboat.core.server import make_server


@pytest.fixture
def served(settings):
    """Run make_server on a free port in a thread; yield a GET function."""
    settings.ALLOWED_HOSTS = ["campaigns.example.org"]
    servers = []

    def get(path: str, headers: dict) -> http.client.HTTPResponse:
        if not servers:
            server = make_server("127.0.0.1", 0, threads=2)
            threading.Thread(target=server.run, daemon=True).start()
            servers.append(server)
        connection = http.client.HTTPConnection("127.0.0.1", servers[0].effective_port, timeout=10)
        connection.request("GET", path, headers={"Host": "campaigns.example.org", **headers})
        response = connection.getresponse()
        response.read()
        return response

    yield get
    for server in servers:
        server.task_dispatcher.shutdown()  # let answered requests finish before closing
        server.close()


PROXIED = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}


def test_behind_the_tls_proxy_the_app_sees_https(served, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    response = served("/login/", PROXIED)
    # Django sends HSTS only on requests it knows came over HTTPS.
    assert response.getheader("Strict-Transport-Security")


def test_without_a_proxy_nobody_can_claim_https_with_a_header(served, settings):
    settings.SECURE_PROXY_SSL_HEADER = None
    response = served("/login/", PROXIED)
    assert response.getheader("Strict-Transport-Security") is None
