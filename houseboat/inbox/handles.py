"""Account handles as the networks write them, brought to one form so they can be compared.

"@Alice@Example.Social", "alice@example.social" and "https://example.social/@alice"
are the same Mastodon account; a bare "@alice" in a post is the account of that name
on the server the post was written on. Bluesky, X and Telegram handles differ only in
case and the "@". Facebook Pages are known by their id, not by a handle.
"""

from __future__ import annotations

from urllib.parse import urlsplit

# Hosts whose profile addresses are /<handle> (X, Telegram) or /profile/<handle> (Bluesky).
PROFILE_HOSTS = {
    "x.com": "x",
    "twitter.com": "x",
    "mobile.twitter.com": "x",
    "t.me": "telegram",
    "telegram.me": "telegram",
    "bsky.app": "bluesky",
}


def host_of(url: str) -> str:
    """Return the lower-cased host of a web address ("" when it is not one)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return ""
    if parts.scheme not in ("http", "https"):
        return ""
    return (parts.hostname or "").casefold()


def handle_key(network: str, handle: str, *, instance: str = "") -> str:
    """Return the form of a handle used to compare it ("" when there is nothing to compare).

    ``instance`` is the Mastodon server a bare handle belongs to: the server of the post
    it was written in, or of the channel it names.
    """
    text = handle.strip()
    if text.startswith(("http://", "https://")):
        text = _from_profile_url(network, text)
    text = text.strip().lstrip("@").strip().casefold()
    if not text or any(char.isspace() for char in text):
        return ""
    if network != "mastodon":
        return text
    user, _, server = text.partition("@")
    server = server.strip("@") or instance.casefold()
    if not user:
        return ""
    return f"{user}@{server}" if server else user


def _from_profile_url(network: str, url: str) -> str:
    """Return the handle in a profile address (Mastodon's /@user or /users/user)."""
    host = host_of(url)
    path = [part for part in urlsplit(url).path.split("/") if part]
    if not host or not path:
        return ""
    if network == "mastodon":
        if path[0].startswith("@"):
            return f"{path[0][1:]}@{host}"
        if path[0] == "users" and len(path) > 1:
            return f"{path[1]}@{host}"
        return ""
    if PROFILE_HOSTS.get(host) == "bluesky":
        return path[1] if path[0] == "profile" and len(path) > 1 else ""
    return path[0] if PROFILE_HOSTS.get(host) == network else ""
