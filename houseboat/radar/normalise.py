"""Keys that make one story out of the many ways feeds write it.

:func:`url_key` is the story's address as the radar compares it: the scheme made
https, the host lower-cased (and its ``www.`` and default port dropped), the fragment
and the tracking parameters (``utm_*``, ``fbclid``, ``gclid``…) removed, the rest of
the query sorted, and a trailing slash dropped. It is idempotent:
``url_key(url_key(u)) == url_key(u)`` (tests/radar/test_normalise.py checks both
properties with hypothesis).

:func:`title_key` is a headline as the radar compares it: NFKC, case-folded,
punctuation turned to spaces and runs of spaces collapsed, so "Police 'disperse'
RIOT!" and "police disperse riot" are one title. Titles are compared within one
source only (see :mod:`houseboat.radar.stories`): two outlets carrying one agency
story are two reports of it, which is what the press side counts.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

# Query parameters that say who clicked from where, never which page it is.
TRACKING_PREFIXES = ("utm_",)
TRACKING_NAMES = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "mc_cid",
        "mc_eid",
        "igshid",
        "_ga",
        "ref_src",
    }
)
DEFAULT_PORTS = {"http": 80, "https": 443}
# Characters left as they are in a path; everything else is percent-encoded once.
PATH_SAFE = "/:@!$&'()*+,;=-._~"


def is_tracking(name: str) -> bool:
    """Tell whether a query parameter only tracks the click."""
    lowered = name.lower()
    return lowered in TRACKING_NAMES or lowered.startswith(TRACKING_PREFIXES)


def url_key(url: str) -> str:
    """Return the normalised form of a story's address, for de-duplication."""
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url  # not a usable address: keep it as it is, it still names the story
    scheme = parts.scheme.lower()
    if scheme in ("http", "https"):
        scheme = "https"
    host = (parts.hostname or "").lower().rstrip(".")
    host = host.removeprefix("www.")
    if ":" in host:  # an IPv6 address keeps its brackets
        host = f"[{host}]"
    if port is not None and port != DEFAULT_PORTS.get(parts.scheme.lower()) and port != 443:
        host = f"{host}:{port}"
    path = quote(unquote(parts.path), safe=PATH_SAFE).rstrip("/")
    query = sorted(
        (name, value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
        if not is_tracking(name)
    )
    return urlunsplit((scheme, host, path, urlencode(query), ""))


PUNCTUATION = re.compile(r"[\W_]+", re.UNICODE)


def title_key(title: str) -> str:
    """Return a headline folded for comparison: case, width, punctuation and spaces ignored."""
    text = unicodedata.normalize("NFKC", title).casefold()
    return " ".join(PUNCTUATION.sub(" ", text).split())
