"""Bluesky, spoken as plain XRPC calls to the account's PDS.

Why not the ``atproto`` SDK: every call here goes through ``self.http``, the one HTTP
wrapper, so timeouts, safe retries, rate limits, the private-address guard and the
scrubbing of secrets work as for every other network; failures become houseboat's
typed errors, not an SDK's exceptions; and the tests replay the documented XRPC
answers on an httpx transport, which an SDK with its own client would go around.

References: docs.bsky.app "Posts" and "Links, mentions, and rich text" guides, the
"Rate Limits" page, and the lexicons in github.com/bluesky-social/atproto/lexicons.
An XRPC error is ``{"error": "Name", "message": "words"}`` with a 4xx or 5xx status.

The connector is put together from one module per idea: ``session`` (sign-in and
calls), ``facets`` (rich text), ``publishing`` (posts and pictures) and ``reading``
(searches, feeds, mentions, metrics).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_noop

from houseboat.connectors.base import Account, ConnectorError, Manifest
from houseboat.connectors.bluesky.common import INVALID_HANDLE, profile_url
from houseboat.connectors.bluesky.facets import detect_spans
from houseboat.connectors.bluesky.publishing import BlueskyPublishing, record_key
from houseboat.connectors.bluesky.reading import BlueskyReading

__all__ = ["BlueskyConnector", "detect_spans", "record_key"]


class BlueskyConnector(BlueskyPublishing, BlueskyReading):
    """A Bluesky account: its limits and settings, and the check that it answers."""

    manifest: Manifest = {
        "network": "bluesky",
        "label": "Bluesky",
        "can": ["publish", "delete", "read", "threads", "media", "metrics", "check"],
        "sources": ["keyword", "hashtag", "mentions", "account"],
        "limits": {
            "text": {"max": 300, "counted": "graphemes"},
            "media": {
                "max_count": 4,
                "max_bytes": 1_000_000,
                # The lexicon takes image/*; a GIF would show as a still picture, so it
                # is refused here rather than losing its animation without a word.
                "types": ["image/jpeg", "image/png", "image/webp"],
                "alt_max": 2000,  # the Bluesky app's limit; the protocol sets none
            },
        },
        "rate_limits": (
            "Per account: 5,000 write points an hour and 35,000 a day (a post costs 3); "
            "sign-ins 30 per 5 minutes and 300 a day, so houseboat keeps one session and "
            "refreshes it. Per address: 3,000 requests per 5 minutes to the PDS."
        ),
        "credentials": [
            {
                "name": "app_password",
                "label": gettext_noop("App password"),
                "secret": True,
                "required": True,
                "help": (
                    gettext_noop(
                        "Made in Bluesky under Settings → Privacy and security → App passwords "
                        "(looks like xxxx-xxxx-xxxx-xxxx). Never the account's main password."
                    )
                ),
            }
        ],
        "settings": [
            {
                "name": "handle",
                "label": gettext_noop("Handle"),
                "secret": False,
                "required": True,
                "help": gettext_noop(
                    "The account's handle, e.g. campaign.bsky.social (without the @)."
                ),
            },
            {
                "name": "service_url",
                "label": gettext_noop("Server (PDS) address"),
                "secret": False,
                "default": "https://bsky.social",
                "help": (
                    gettext_noop(
                        "Where the account lives. Keep https://bsky.social for accounts made on "
                        "Bluesky; give your own server's address for a self-hosted PDS."
                    )
                ),
            },
            {
                "name": "appview_url",
                "label": gettext_noop("Public AppView address (optional)"),
                "secret": False,
                "required": False,
                "help": (
                    gettext_noop(
                        "Leave empty to read through the server above. Or e.g. "
                        "https://public.api.bsky.app to read author feeds and metrics there, "
                        "without signing in; search and mentions always go through the server."
                    )
                ),
            },
        ],
        "notes": (
            gettext_noop(
                "300 characters (graphemes) per post, up to 4 pictures of at most 1 MB each "
                "(JPEG, PNG or WebP) with descriptions. Strip location data from pictures first."
            )
        ),
    }

    def check(self) -> Account:
        """Prove the stored app password with a fresh sign-in, then say who the account is.

        The account's own server says who it is (``getSession``), so a PDS without an
        AppView checks fine; the display name is read only where an AppView answers.
        """
        did = self.prove_app_password()
        session = self._answer(
            self._call("GET", "com.atproto.server.getSession"), "say which account it is"
        )
        profile = self._profile(did)
        handle = next(
            (
                value
                for value in (profile.get("handle"), session.get("handle"))
                if isinstance(value, str) and value and value != INVALID_HANDLE
            ),
            "",
        )
        notes = []
        if not handle:
            handle = self._handle()
            notes.append(
                "Bluesky cannot verify this account's handle just now (its domain or DNS "
                "record changed?); posts still go out."
            )
        if not profile:
            notes.append(
                "The app password works. The account's profile could not be read (no "
                "AppView answered), so its display name is not shown."
            )
        display_name = profile.get("displayName")
        return Account(
            remote_id=did,
            handle=f"@{handle}",
            display_name=display_name if isinstance(display_name, str) else "",
            url=profile_url(handle),
            permissions=["publish", "delete", "read"],
            notes=notes,
        )

    def _profile(self, did: str) -> dict[str, Any]:
        """The account's profile from an AppView, or {} where none answers.

        Asked once, not retried: the profile only adds a display name to the check, and
        a PDS without an AppView answers 502 however often it is asked.
        """
        appview = self._base("appview_url")
        try:
            response = self._call(
                "GET",
                "app.bsky.actor.getProfile",
                base=appview,
                auth=not appview,
                idempotent=False,
                params={"actor": did},
            )
            answer = self.http.json(response) if response.status_code == 200 else {}
        except ConnectorError:
            return {}
        return answer if isinstance(answer, dict) else {}
