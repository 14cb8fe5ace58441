"""Replay recorded network answers and check what houseboat sent.

A fixture is ``tests/fixtures/<network>/<name>.json``::

    {"doc": "the API reference page it follows",
     "request": {"method": "POST", "url": "https://host/path",
                 "headers": {...},            # each must be sent with this value
                 "params": {...},             # the query string, exactly
                 "json": {...} | "form": {...}},  # the body, exactly (omit: not checked)
     "response": {"status": 200, "headers": {...}, "json": ... | "text": "..."}}

``"<any>"`` as a header, param or JSON value matches whatever was sent there.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import respx

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
ANY = "<any>"


def load(network: str, name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / network / f"{name}.json").read_text(encoding="utf-8"))


def response_for(fixture: dict[str, Any]) -> httpx.Response:
    answer = fixture["response"]
    headers = dict(answer.get("headers", {}))
    if "json" in answer:
        return httpx.Response(answer["status"], headers=headers, json=answer["json"])
    return httpx.Response(answer["status"], headers=headers, text=answer.get("text", ""))


def route(router: respx.Router, fixture: dict[str, Any], *, times: int = 0) -> respx.Route:
    """Register a fixture's answer on its method and URL (the query string is not matched).

    ``times`` > 0 answers that many times and then falls through to later routes.
    """
    request = fixture["request"]
    url = httpx.URL(request["url"])
    matched = router.route(
        method=request["method"], scheme=url.scheme, host=url.host, path=url.path
    )
    answer = response_for(fixture)
    if times:
        return matched.mock(side_effect=[answer] * times)
    return matched.mock(return_value=answer)


def transport(router: respx.Router) -> httpx.MockTransport:
    """A transport that answers from the router: nothing leaves the machine."""
    return httpx.MockTransport(router.handler)


def matches(expected: Any, actual: Any) -> bool:
    if expected == ANY:
        return True
    if isinstance(expected, dict) and isinstance(actual, dict):
        return expected.keys() == actual.keys() and all(
            matches(value, actual[key]) for key, value in expected.items()
        )
    if isinstance(expected, list) and isinstance(actual, list):
        return len(expected) == len(actual) and all(map(matches, expected, actual))
    return expected == actual


def assert_sent(sent: httpx.Request, fixture: dict[str, Any]) -> None:
    """Assert the request matches the fixture's method, URL, headers, query and body."""
    request = fixture["request"]
    url = httpx.URL(request["url"])
    assert sent.method == request["method"], (sent.method, request["method"])
    assert (sent.url.scheme, sent.url.host, sent.url.path) == (url.scheme, url.host, url.path)
    for name, value in request.get("headers", {}).items():
        assert name in sent.headers, f"header {name} was not sent"
        assert matches(value, sent.headers[name]), (name, sent.headers[name])
    if "params" in request:
        sent_params = {
            k: v if len(v) > 1 else v[0] for k, v in parse_qs(sent.url.query.decode()).items()
        }
        assert matches(request["params"], sent_params), sent_params
    if "json" in request:
        assert matches(request["json"], json.loads(sent.content)), json.loads(sent.content)
    if "form" in request:
        form = {k: v if len(v) > 1 else v[0] for k, v in parse_qs(sent.content.decode()).items()}
        assert matches(request["form"], form), form
