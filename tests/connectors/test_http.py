"""The one HTTP wrapper: safe retries, rate limits, private addresses, no secrets in errors."""

import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
import respx
from hypothesis import given
from hypothesis import strategies as st

from houseboat.connectors import http
from houseboat.connectors.base import (
    AuthRevoked,
    NetworkUnreachable,
    OutcomeUnknown,
    PayloadRejected,
    PermissionMissing,
    RateLimited,
    UnexpectedResponse,
)

TOKEN = "tok-1234567890-secret"
URL = "https://social.example/api/thing"


def client(router: respx.Router, sleeps: list | None = None, **kwargs) -> http.HttpClient:
    return http.HttpClient(
        label="Example",
        secrets=lambda: [TOKEN],
        transport=httpx.MockTransport(router.handler),
        sleep=(sleeps.append if sleeps is not None else lambda s: None),
        **kwargs,
    )


def test_a_get_is_retried_after_a_server_error_and_then_succeeds():
    router = respx.Router()
    router.get(URL).mock(side_effect=[httpx.Response(503), httpx.Response(200, json={"ok": 1})])
    sleeps: list[float] = []
    response = client(router, sleeps).request("GET", URL)
    assert response.json() == {"ok": 1}
    assert len(router.calls) == 2 and len(sleeps) == 1


def test_a_post_without_idempotency_is_not_repeated_after_a_server_error():
    router = respx.Router()
    route = router.post(URL).mock(return_value=httpx.Response(502, text="bad gateway"))
    with pytest.raises(OutcomeUnknown) as caught:
        client(router).request("POST", URL, json={"text": "hi"})
    assert route.call_count == 1
    assert "502" in str(caught.value)


def test_a_post_with_an_idempotency_key_is_retried_after_a_server_error():
    router = respx.Router()
    route = router.post(URL).mock(side_effect=[httpx.Response(500), httpx.Response(200)])
    assert client(router).request("POST", URL, idempotent=True).status_code == 200
    assert route.call_count == 2


def test_a_read_timeout_on_a_post_means_the_outcome_is_unknown_and_is_not_retried():
    router = respx.Router()
    route = router.post(URL).mock(side_effect=httpx.ReadTimeout("timed out"))
    with pytest.raises(OutcomeUnknown) as caught:
        client(router).request("POST", URL)
    assert route.call_count == 1
    assert "may or may not" in str(caught.value)


def test_a_connection_failure_is_retried_then_reported_as_unreachable():
    router = respx.Router()
    route = router.post(URL).mock(side_effect=httpx.ConnectError("refused"))
    with pytest.raises(NetworkUnreachable) as caught:
        client(router, attempts=3).request("POST", URL)
    assert route.call_count == 3  # nothing was sent, so a post can be tried again
    assert "could not be reached" in str(caught.value)
    assert caught.value.permanent is False


def test_a_short_rate_limit_is_waited_out_as_the_network_asks():
    router = respx.Router()
    router.get(URL).mock(
        side_effect=[httpx.Response(429, headers={"Retry-After": "7"}), httpx.Response(200)]
    )
    sleeps: list[float] = []
    assert client(router, sleeps).request("GET", URL).status_code == 200
    assert sleeps == [pytest.approx(7, abs=1)]


def test_a_long_rate_limit_ends_in_rate_limited_with_the_reset_time():
    router = respx.Router()
    reset = int((datetime.now(UTC) + timedelta(minutes=10)).timestamp())
    route = router.post(URL).mock(
        return_value=httpx.Response(429, headers={"x-rate-limit-reset": str(reset)})
    )
    with pytest.raises(RateLimited) as caught:
        client(router).request("POST", URL)
    assert route.call_count == 1
    assert caught.value.until == datetime.fromtimestamp(reset, UTC)
    assert caught.value.permanent is False


def test_retry_after_reads_seconds_dates_epoch_and_iso_times():
    now = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    cases = {
        ("Retry-After", "30"): now + timedelta(seconds=30),
        ("Retry-After", "Tue, 24 Nov 2026 12:05:00 GMT"): now + timedelta(minutes=5),
        ("X-RateLimit-Reset", "2026-11-24T12:10:00.000Z"): now + timedelta(minutes=10),
        ("x-rate-limit-reset", str(int((now + timedelta(minutes=2)).timestamp()))): now
        + timedelta(minutes=2),
        # The IETF draft's RateLimit-Reset counts seconds from now, not since 1970.
        ("RateLimit-Reset", "120"): now + timedelta(minutes=2),
        ("RateLimit-Reset", "0"): now,
    }
    for (name, value), expected in cases.items():
        assert http.retry_after(httpx.Response(429, headers={name: value}), now) == expected
    assert http.retry_after(httpx.Response(429), now) is None


@given(seconds=st.integers(min_value=0, max_value=10 * 365 * 86400))
def test_a_reset_in_seconds_is_never_read_as_a_moment_in_1970(seconds):
    now = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    for name in ("RateLimit-Reset", "X-RateLimit-Reset"):
        until = http.retry_after(httpx.Response(429, headers={name: str(seconds)}), now)
        assert until == now + timedelta(seconds=seconds)
    epoch = int(now.timestamp()) + seconds
    until = http.retry_after(httpx.Response(429, headers={"x-rate-limit-reset": str(epoch)}), now)
    assert until == now + timedelta(seconds=seconds)


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (401, AuthRevoked),
        (403, PermissionMissing),
        (422, PayloadRejected),
        (418, UnexpectedResponse),
    ],
)
def test_4xx_answers_become_typed_errors_with_the_networks_reason(status, error):
    router = respx.Router()
    router.get(URL).mock(return_value=httpx.Response(status, json={"error": "nope"}))
    c = client(router)
    with pytest.raises(error) as caught:
        c.raise_for_status(c.request("GET", URL), reason="the reason")
    assert caught.value.reason == "the reason"
    assert "the reason" in str(caught.value)


def test_no_secret_survives_in_an_error_reason():
    router = respx.Router()
    router.get(URL).mock(return_value=httpx.Response(400, text=f"bad token {TOKEN} given"))
    c = client(router)
    with pytest.raises(PayloadRejected) as caught:
        c.raise_for_status(c.request("GET", URL))
    assert TOKEN not in str(caught.value)
    assert "[secret]" in str(caught.value)


def test_a_reply_that_is_not_json_after_a_publish_means_the_outcome_is_unknown():
    response = httpx.Response(200, text="<html>maintenance</html>")
    c = client(respx.Router())
    with pytest.raises(OutcomeUnknown):
        c.json(response, after_publish=True)
    with pytest.raises(UnexpectedResponse):
        c.json(response)


# --- private addresses, against a real server on this machine ---------------------------


class Hello(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"hello")

    def log_message(self, *args):
        pass


@pytest.fixture
def local_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hello)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_a_loopback_address_is_refused_unless_the_channel_allows_it(local_server):
    guarded = http.HttpClient(label="Example", sleep=lambda s: None)
    with pytest.raises(http.AddressRefused) as caught:
        guarded.request("GET", local_server)
    assert caught.value.permanent is True
    assert "allow a private address" in str(caught.value)
    allowed = http.HttpClient(label="Example", allow_private=True, sleep=lambda s: None)
    assert allowed.request("GET", local_server).text == "hello"


def test_a_name_that_resolves_to_a_private_address_is_refused(monkeypatch):
    monkeypatch.setattr(http, "resolve", lambda host, port: ["10.0.0.7"])
    with pytest.raises(http.AddressRefused):
        http.check_public("intranet.example", 443)
    monkeypatch.setattr(http, "resolve", lambda host, port: ["169.254.169.254"])
    with pytest.raises(http.AddressRefused):
        http.check_public("metadata.example", 80)


def test_a_name_that_does_not_resolve_is_unreachable_not_refused(monkeypatch):
    def fail(host, port):
        raise OSError("no such host")

    monkeypatch.setattr(http, "resolve", fail)
    with pytest.raises(NetworkUnreachable) as caught:
        http.check_public("nowhere.example", 443)
    assert not isinstance(caught.value, http.AddressRefused)
    assert "cannot be found" in str(caught.value)
