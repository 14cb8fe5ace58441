"""Mastodon, on any server that speaks its REST API (docs.joinmastodon.org).

A thin client on houseboat's one HTTP wrapper rather than Mastodon.py: every call
then gets the same timeouts, private-address guard, retry rules and secret
scrubbing as the other networks, and the handful of endpoints used here are
simple form posts and JSON answers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NoReturn
from urllib.parse import quote, urlencode, urlsplit

import httpx
from django.utils.translation import gettext_noop

from houseboat.connectors.base import (
    Account,
    AuthRevoked,
    Connector,
    ConnectorError,
    Manifest,
    MediaFile,
    Metrics,
    NetworkUnreachable,
    OutcomeUnknown,
    OutgoingPost,
    PayloadRejected,
    PermissionMissing,
    Published,
    ReadPage,
    RemoteAuthor,
    RemoteItem,
    RemoteMedia,
    Source,
    UnexpectedResponse,
)
from houseboat.connectors.text import mastodon_length
from houseboat.core.text import html_to_text, parse_iso_time

MB = 1024 * 1024
# Mastodon's own defaults (16 and 99 "megabytes" in its Ruby code, so binary megabytes).
IMAGE_MAX_BYTES = 16 * MB
VIDEO_MAX_BYTES = 99 * MB
URL_LENGTH = 23
# What houseboat asks for: reading (listening, metrics) and writing (posts, media).
SCOPES = "read write"
VISIBILITIES = ("public", "unlisted", "private", "direct")
PAGE_SIZE = 40  # the most the timelines, notifications and search return at once
MAX_PAGES = 5  # per read: at most 200 statuses; a longer burst goes on at the next read
METRICS_BATCH = 20
# Seconds between checks on an uploaded video that is still processing (about 100 s in all).
MEDIA_WAITS = (1, 2, 3, 5, 8, *(10,) * 8)
MEDIA_KINDS = {"image": "image", "gifv": "video", "video": "video", "audio": "audio"}
# From GET /api/v2/instance on a stock server; check() replaces them with the server's own.
DEFAULT_MEDIA_TYPES = [
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/heic",
    "image/heif",
    "image/webp",
    "video/webm",
    "video/mp4",
    "video/quicktime",
    "video/ogg",
    "audio/wave",
    "audio/wav",
    "audio/x-wav",
    "audio/x-pn-wave",
    "audio/vnd.wave",
    "audio/ogg",
    "audio/vorbis",
    "audio/mpeg",
    "audio/mp3",
    "audio/webm",
    "audio/flac",
    "audio/aac",
    "audio/m4a",
    "audio/x-m4a",
    "audio/mp4",
    "audio/3gpp",
    "video/x-ms-asf",
]


class InvalidServerAddress(NetworkUnreachable):
    """The server address in the channel settings is not a usable web address."""

    permanent = True


class MediaStillProcessing(NetworkUnreachable):
    """The server has not finished an uploaded video yet; nothing was posted."""


# --- small helpers --------------------------------------------------------------------


def normalise_base_url(value: str) -> str:
    """Return ``https://host[:port]`` for what a person typed, or raise ValueError.

    "mastodon.social", "https://mastodon.social/" and a pasted profile address
    "https://mastodon.social/@someone" all become "https://mastodon.social".
    """
    value = (value or "").strip()
    if not value:
        raise ValueError(
            "Enter your Mastodon server's address, for example https://mastodon.social."
        )
    if "://" not in value:
        value = f"https://{value}"
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https"):
        raise ValueError(
            f"“{parts.scheme}” is not a web address. Enter your server as "
            "https://your.server, for example https://mastodon.social."
        )
    if not parts.hostname or parts.username or parts.password or " " in parts.netloc:
        raise ValueError(
            "That is not a server address. Enter it as https://your.server, "
            "for example https://mastodon.social."
        )
    try:
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        raise ValueError("The port in that address is not a number.") from None
    host = parts.hostname.lower()
    if ":" in host:  # an IPv6 literal keeps its brackets
        host = f"[{host}]"
    return f"{parts.scheme.lower()}://{host}{port}"


def newest_id(ids: Iterable[str]) -> str | None:
    """The highest of these ids: Mastodon's are numbers in strings, so compare as numbers.

    Servers that imitate Mastodon (Pleroma, Akkoma) use ids that sort as text.
    """
    found = [str(i) for i in ids if i]
    if not found:
        return None
    if all(i.isascii() and i.isdigit() for i in found):
        return max(found, key=int)
    return max(found)


def instance_limits(instance: Mapping[str, Any]) -> dict[str, Any]:
    """The limits a server states in its Instance entity (v2, or v1 since 3.4)."""
    configuration = instance.get("configuration")
    configuration = configuration if isinstance(configuration, dict) else {}
    statuses = configuration.get("statuses")
    statuses = statuses if isinstance(statuses, dict) else {}
    media = configuration.get("media_attachments")
    media = media if isinstance(media, dict) else {}

    def number(mapping: Mapping[str, Any], key: str) -> int | None:
        value = mapping.get(key)
        return (
            value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None
        )

    text: dict[str, Any] = {}
    if (most := number(statuses, "max_characters")) is not None:
        text["max"] = most
    if (url_length := number(statuses, "characters_reserved_per_url")) is not None:
        text["url_length"] = url_length
    files: dict[str, Any] = {}
    if (count := number(statuses, "max_media_attachments")) is not None:
        files["max_count"] = count
    types = media.get("supported_mime_types")
    if isinstance(types, list) and types:
        files["types"] = [str(kind) for kind in types]
    image, video = number(media, "image_size_limit"), number(media, "video_size_limit")
    if image:
        files["image_max_bytes"] = image
    if video:
        files["video_max_bytes"] = video
    if image or video:
        # The shared check has one size per file; the larger lets every allowed file
        # through there, and publish() checks each kind against its own limit.
        files["max_bytes"] = max(size for size in (image, video) if size)
    if (alt := number(media, "description_limit")) is not None:
        files["alt_max"] = alt
    return {part: value for part, value in (("text", text), ("media", files)) if value}


def _dedupe(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(value for value in values if value))


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def status_metrics(status: Mapping[str, Any]) -> Metrics:
    return Metrics(
        replies=_count(status.get("replies_count")),
        reposts=_count(status.get("reblogs_count")),
        likes=_count(status.get("favourites_count")),
    )


# --- the connector ------------------------------------------------------------------------


class MastodonConnector(Connector):
    manifest: Manifest = {
        "network": "mastodon",
        "label": "Mastodon",
        "can": ["publish", "delete", "read", "threads", "media", "metrics", "check"],
        "sources": ["hashtag", "mentions", "account", "list", "keyword"],
        "limits": {
            "text": {"max": 500, "counted": "mastodon", "url_length": URL_LENGTH},
            "media": {
                "max_count": 4,
                "max_bytes": VIDEO_MAX_BYTES,
                "types": DEFAULT_MEDIA_TYPES,
                "alt_max": 1500,
            },
        },
        "rate_limits": (
            "300 requests per 5 minutes per account, 30 media uploads and 30 deletions per "
            "30 minutes (Mastodon's defaults; a server's admin may change them)."
        ),
        "credentials": [
            {
                "name": "access_token",
                "label": gettext_noop("Access token"),
                "secret": True,
                "help": (
                    gettext_noop(
                        "From your server's Preferences → Development → New application, with "
                        "the read and write scopes. Or use “Sign in with Mastodon” instead."
                    )
                ),
            }
        ],
        "settings": [
            {
                "name": "base_url",
                "label": gettext_noop("Server address"),
                "secret": False,
                "help": gettext_noop(
                    "Where your account lives, for example https://mastodon.social."
                ),
                "required": True,
            }
        ],
        "notes": (
            gettext_noop(
                "Each server sets its own limits; houseboat reads them when it checks the "
                "channel. Images up to 16 MB and videos up to 99 MB on a stock server; one "
                "video per post. A content warning counts towards the character limit."
            )
        ),
    }

    # -- addresses and requests

    @property
    def base_url(self) -> str:
        try:
            return normalise_base_url(self.setting("base_url"))
        except ValueError as error:
            raise InvalidServerAddress(
                f"The Mastodon server address in this channel's settings does not work: {error}"
            ) from None

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).hostname or ""

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def auth_headers(self) -> dict[str, str]:
        token = str(self.secrets.get("access_token") or "").strip()
        if not token:
            raise AuthRevoked(
                "This Mastodon channel has no access token: reconnect it on the Channels page."
            )
        return {"Authorization": f"Bearer {token}"}

    def _send(
        self,
        method: str,
        path: str,
        *,
        auth: bool = True,
        idempotent: bool | None = None,
        headers: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        all_headers = {**(self.auth_headers() if auth else {}), **(headers or {})}
        return self.http.request(
            method, self.url(path), idempotent=idempotent, headers=all_headers, **kwargs
        )

    def _answer(
        self,
        response: httpx.Response,
        *,
        expect: Sequence[int] = (200,),
        after_publish: bool = False,
        refused: str = "",
        not_found: str = "",
    ) -> Any:
        if response.status_code not in expect:
            self._fail(response, refused=refused, not_found=not_found)
        return self.http.json(response, after_publish=after_publish)

    def _get(self, path: str, params: Mapping[str, Any] | None = None, **fail: str) -> Any:
        return self._answer(self._send("GET", path, params=params), **fail)

    @staticmethod
    def error_text(response: httpx.Response) -> str:
        """Mastodon's own words from an Error entity: ``error`` and ``error_description``."""
        try:
            body = response.json()
        except ValueError:
            return response.text[:300]
        if isinstance(body, dict):
            parts = [str(body[key]) for key in ("error", "error_description") if body.get(key)]
            if parts:
                return ": ".join(parts)
        return response.text[:300]

    def _fail(
        self, response: httpx.Response, *, refused: str = "", not_found: str = ""
    ) -> NoReturn:
        """Raise the typed error for a Mastodon error answer, with the server's reason."""
        status = response.status_code
        reason = self.http.scrub(self.error_text(response))
        if status in (401, 403, 410, 422):
            self._refused_for_who(status, reason, after_input=bool(response.request.content))
        if status == 404 and not_found:
            raise PayloadRejected(not_found, reason=reason)
        if status in (400, 413, 422):
            raise PayloadRejected(refused or "Mastodon refused the request.", reason=reason)
        if 300 <= status < 400:
            where = self.http.scrub(response.headers.get("location", "another address"))
            raise InvalidServerAddress(
                f"Mastodon at {self.host} answered from {where}: put the server's own "
                "address in the channel settings.",
            )
        self.http.raise_for_status(response, reason=reason)
        raise UnexpectedResponse(
            f"Mastodon answered HTTP {status}, which houseboat did not expect.", reason=reason
        )

    @staticmethod
    def _refused_for_who(status: int, reason: str, *, after_input: bool) -> None:
        """Raise what a refusal says about the token or the account, if it says anything.

        Mastodon's words (Doorkeeper's for tokens, Api::BaseController#require_user! for
        accounts) tell a wrong token from a revoked or expired one, and a missing scope
        from an account its server disabled. snac2 answers an unknown token with a bare
        422, so a 422 without words to a request that sent nothing is the token too.
        """
        said = reason.lower()
        reconnect = "reconnect the channel on the Channels page"
        if status == 401 and "revoked" in said:
            raise AuthRevoked(
                "The Mastodon token was revoked (on the server, under Authorized apps, or "
                f"by its moderators): {reconnect}.",
                reason=reason,
            )
        if status == 401 and "expired" in said:
            raise AuthRevoked(f"The Mastodon token has expired: {reconnect}.", reason=reason)
        if status == 401 or (status == 422 and not said and not after_input):
            raise AuthRevoked(
                "The Mastodon server does not accept this token (it is wrong, or was "
                f"revoked or deleted on the server): {reconnect}.",
                reason=reason,
            )
        if status == 422 and "authenticated user" in said:
            raise AuthRevoked(
                "The Mastodon server has no account behind this token (it was made for the "
                f"app alone, or the account was deleted): {reconnect}.",
                reason=reason,
            )
        if status == 403 and "scope" in said:
            raise PermissionMissing(
                "The Mastodon token may not do this (a scope is missing): reconnect the "
                "channel and allow both reading and writing.",
                reason=reason,
            )
        account = {
            "disabled": "The Mastodon account is disabled or suspended by its server: sign in "
            "on the server's website to see why, or ask its moderators. Nothing can be "
            "posted for it until they lift it.",
            "confirmed": "The Mastodon account's e-mail address is not confirmed yet: open the "
            "confirmation link the server sent, then check the channel again.",
            "pending approval": "The Mastodon account is waiting for the server's moderators "
            "to approve it: check the channel again once they have.",
            "two-factor": "The Mastodon server asks this account to turn on two-factor "
            "sign-in: do that on the server's website, then check the channel again.",
        }
        for words, message in account.items():
            if status == 403 and words in said:
                raise PermissionMissing(message, reason=reason)
        if status == 403:
            raise PermissionMissing(
                "Mastodon does not let this account do this. Sign in on the server's website "
                "to see why: the account may be disabled, unconfirmed or awaiting approval.",
                reason=reason,
            )
        if status == 410:
            raise PayloadRejected(
                "Mastodon answered that the account is suspended or gone (410 Gone).",
                reason=reason,
            )

    @staticmethod
    def _dict(value: Any, what: str, *, after_publish: bool = False) -> dict[str, Any]:
        if isinstance(value, dict):
            return value
        error = OutcomeUnknown if after_publish else UnexpectedResponse
        raise error(f"Mastodon answered {what} in a shape houseboat does not know.")

    @staticmethod
    def _list(value: Any, what: str) -> list[Any]:
        if isinstance(value, list):
            return value
        raise UnexpectedResponse(f"Mastodon answered {what} in a shape houseboat does not know.")

    # -- who am I

    def check(self) -> Account:
        """Verify the token, and learn the server's real limits and the token's scopes."""
        response = self._send("GET", "/api/v1/accounts/verify_credentials")
        if response.status_code == 404:
            raise self._not_mastodon()
        me = self._dict(self._answer(response), "the account check")
        instance = self._instance()
        limits = instance_limits(instance) if instance else {}
        # The handle's domain is the server's LOCAL_DOMAIN, which may differ from its web host.
        domain = str((instance or {}).get("domain") or (instance or {}).get("uri") or self.host)
        acct = str(me.get("acct") or me.get("username") or "")
        scopes = self._scopes()
        notes = []
        if scopes and not {"write", "write:statuses"} & set(scopes):
            notes.append("This token can read but not publish: reconnect it with write access.")
        most = limits.get("text", {}).get("max")
        if most and most != self.manifest["limits"]["text"]["max"]:  # type: ignore[index]
            notes.append(f"This server allows {most} characters per post.")
        return Account(
            remote_id=str(me.get("id") or ""),
            handle=f"@{acct}" if "@" in acct else f"@{acct}@{domain}",
            display_name=str(me.get("display_name") or ""),
            url=str(me.get("url") or ""),
            permissions=scopes,
            notes=notes,
            limits=limits,
        )

    def _not_mastodon(self) -> InvalidServerAddress:
        return InvalidServerAddress(
            f"{self.host} does not answer like a Mastodon server. Check the server address "
            "in the channel settings (for example https://mastodon.social)."
        )

    def _instance(self) -> dict[str, Any] | None:
        response = self._send("GET", "/api/v2/instance")
        if response.status_code in (404, 410):  # servers older than Mastodon 4.0
            response = self._send("GET", "/api/v1/instance")
        if response.status_code != 200:
            return None
        try:
            body = self.http.json(response)
        except UnexpectedResponse:
            return None
        return body if isinstance(body, dict) else None

    def _scopes(self) -> list[str]:
        """The scopes granted, where the server says (Mastodon 4.3 and later); else none."""
        try:
            response = self._send("GET", "/api/v1/apps/verify_credentials")
        except ConnectorError:
            return []  # optional: the account check already worked
        if response.status_code != 200:
            return []
        try:
            scopes = response.json().get("scopes")
        except (ValueError, AttributeError):
            return []
        return [str(scope) for scope in scopes] if isinstance(scopes, list) else []

    # -- publishing

    def publish(self, post: OutgoingPost) -> Published:
        """Upload the media, then post the status under the delivery's idempotency key."""
        options = post.options
        visibility = str(options.get("visibility") or "")
        if visibility and visibility not in VISIBILITIES:
            raise PayloadRejected(
                f"Mastodon has no visibility “{visibility}”: choose public, unlisted, private "
                "(followers only) or direct (mentioned people only)."
            )
        spoiler = str(options.get("content_warning") or "")
        if post.media:
            # Check before uploading: a refused post would waste the 30 uploads per 30 minutes.
            self._check_before_upload(post.text, spoiler, post.media)
        media_ids = [self._upload(item) for item in post.media]
        form: dict[str, Any] = {"status": post.text}
        if media_ids:
            form["media_ids[]"] = media_ids
        if post.reply_to is not None:
            form["in_reply_to_id"] = post.reply_to.remote_id
        if spoiler:
            form["spoiler_text"] = spoiler
        if options.get("sensitive"):
            form["sensitive"] = "true"
        if visibility:
            form["visibility"] = visibility
        if options.get("language"):
            form["language"] = str(options["language"])
        # Mastodon answers a repeated Idempotency-Key (kept for up to an hour) with the
        # status it already made, but other servers with its API ignore the key (snac2
        # does): never retried here; the dispatcher looks before it publishes again.
        response = self._send(
            "POST",
            "/api/v1/statuses",
            idempotent=False,
            headers={"Idempotency-Key": post.idempotency_key},
            data=form,
        )
        status = self._dict(
            self._answer(
                response,
                after_publish=True,
                refused="Mastodon refused the post.",
                not_found="The post this one replies to is gone from Mastodon (deleted, or "
                "not visible to this account).",
            ),
            "the new post",
            after_publish=True,
        )
        if not status.get("id"):
            raise OutcomeUnknown("Mastodon answered the post without an id; look for it first.")
        return Published(
            remote_id=str(status["id"]), url=str(status.get("url") or status.get("uri") or "")
        )

    def _check_before_upload(self, text: str, spoiler: str, media: Sequence[MediaFile]) -> None:
        limits = self.limits()
        rule = limits["text"]
        if rule is not None:
            used = mastodon_length(text, rule.get("url_length", URL_LENGTH), spoiler)
            if used > rule["max"]:
                raise PayloadRejected(
                    f"Too long for Mastodon: {used} characters with the content warning, the "
                    f"limit is {rule['max']}. Shorten it by {used - rule['max']} or split it "
                    "into a thread."
                )
        files: Mapping[str, Any] = limits["media"] or {}
        if len(media) > files.get("max_count", 4):
            raise PayloadRejected(
                f"Mastodon takes at most {files.get('max_count', 4)} files per post; this one "
                f"has {len(media)}."
            )
        for item in media:
            types = files.get("types") or DEFAULT_MEDIA_TYPES
            if item.mime_type not in types:
                raise PayloadRejected(
                    f"This Mastodon server does not take {item.mime_type} files ({item.path.name})."
                )
            if item.mime_type.startswith("image/"):
                ceiling = files.get("image_max_bytes", IMAGE_MAX_BYTES)
            else:  # Mastodon holds audio to the video limit
                ceiling = files.get("video_max_bytes", VIDEO_MAX_BYTES)
            if item.size > ceiling:
                raise PayloadRejected(
                    f"{item.path.name} is {item.size / MB:.1f} MB; this Mastodon server takes "
                    f"at most {ceiling / MB:.0f} MB for that kind of file."
                )

    def _upload(self, item: MediaFile) -> str:
        """Upload one file with its description; wait while the server still processes it."""
        name = item.path.name
        with item.path.open("rb") as handle:
            # Retrying an upload is safe: a duplicate is an unattached file that Mastodon
            # removes itself; nothing is posted twice. (httpx rewinds the file each time.)
            response = self._send(
                "POST",
                "/api/v2/media",
                idempotent=True,
                files={"file": (name, handle, item.mime_type)},
                data={"description": item.alt} if item.alt else None,
            )
            attachment = self._dict(
                self._answer(
                    response, expect=(200, 202), refused=f"Mastodon refused the file {name}."
                ),
                f"the upload of {name}",
            )
        media_id = str(attachment.get("id") or "")
        if not media_id:
            raise UnexpectedResponse(f"Mastodon answered the upload of {name} without an id.")
        if response.status_code == 202 or not attachment.get("url"):
            self._wait_for_media(media_id, name)
        return media_id

    def _wait_for_media(self, media_id: str, name: str) -> None:
        for seconds in MEDIA_WAITS:
            self.sleep(seconds)
            response = self._send("GET", f"/api/v1/media/{quote(media_id, safe='')}")
            if response.status_code == 206:  # still processing
                continue
            attachment = self._answer(
                response,
                refused=f"Mastodon could not process the file {name}.",
                not_found=f"Mastodon lost the upload of {name}; houseboat will upload it again.",
            )
            if isinstance(attachment, dict) and attachment.get("url"):
                return
        raise MediaStillProcessing(
            f"Mastodon is still processing {name} after {sum(MEDIA_WAITS)} seconds. Nothing "
            "was posted; houseboat will try again later."
        )

    def delete(self, published: Published) -> None:
        """Delete a status this account posted; one already gone (404) counts as done."""
        response = self._send("DELETE", self._status_path(published))
        if response.status_code in (200, 404):
            return
        self._fail(response)

    def exists(self, published: Published) -> bool:
        """Tell whether the status is still there (GET /api/v1/statuses/:id)."""
        response = self._send("GET", self._status_path(published))
        if response.status_code == 404:
            return False
        self._answer(response)
        return True

    @staticmethod
    def _status_path(published: Published) -> str:
        return f"/api/v1/statuses/{quote(published.remote_id, safe='')}"

    # -- reading

    def read(self, source: Source, cursor: str | None) -> ReadPage:
        """Return what is new at ``source`` since ``cursor`` (the highest id seen).

        ``min_id`` (not ``since_id``): it gives the statuses just after the cursor, so a
        burst is read oldest first, page after page (at most MAX_PAGES a read; ``more``
        says the rest waits for the next read) and never skipped. ``since_id`` would give
        the newest 40 and lose what lies between. A first read takes the newest page.
        """
        value = source.value.strip()
        if source.kind == "mentions":
            return self._read_mentions(cursor)
        if source.kind == "hashtag":
            tag = value.lstrip("#")
            if not tag:
                raise PayloadRejected("Name the hashtag to follow on Mastodon.")
            return self._read_timeline(
                f"/api/v1/timelines/tag/{quote(tag, safe='')}", cursor, unknown_is_empty=True
            )
        if source.kind == "account":
            account_id = self._account_id(value)
            return self._read_timeline(
                f"/api/v1/accounts/{quote(account_id, safe='')}/statuses", cursor
            )
        if source.kind == "list":
            return self._read_timeline(
                f"/api/v1/timelines/list/{quote(value, safe='')}",
                cursor,
                not_found=f"There is no Mastodon list {value} on this account.",
            )
        if source.kind == "keyword":
            return self._read_search(value, cursor)
        raise self._unsupported(f"read “{source.kind}”")

    def _pages(
        self, path: str, cursor: str | None, params: Mapping[str, Any] | None = None, **fail: str
    ) -> tuple[list[dict[str, Any]], str | None, bool]:
        """Read a timeline oldest page first from ``cursor``; return entries, cursor, more.

        Each page is the PAGE_SIZE entries just after ``min_id``; the next page's
        ``min_id`` is the newest id of this one (what the answer's Link "prev" holds).
        A short page is the last there is now.
        """
        entries: list[dict[str, Any]] = []
        newest = cursor
        for _ in range(MAX_PAGES if cursor else 1):
            query = {**(params or {}), "limit": str(PAGE_SIZE)}
            if newest:
                query["min_id"] = newest
            response = self._send("GET", path, params=query)
            if response.status_code == 404 and fail.get("unknown_is_empty"):
                return [], None, False  # nobody on this server has used the hashtag yet
            page = [e for e in self._list(self._answer(response, **_fail_words(fail)), path)]
            page = [e for e in page if isinstance(e, dict) and e.get("id")]
            entries.extend(page)
            newest = self._prev_min_id(response) or _newest_of_page(page) or newest
            if len(page) < PAGE_SIZE or not cursor:
                return entries, newest if newest != cursor else None, False
        return entries, newest if newest != cursor else None, True

    @staticmethod
    def _prev_min_id(response: httpx.Response) -> str | None:
        """The ``min_id`` of the Link header's "prev" page: where the next page starts.

        Servers that imitate Mastodon may order ids their own way; the link says it
        for them. None when there is no such link (an empty page has none).
        """
        prev = response.links.get("prev", {}).get("url", "")
        if not prev:
            return None
        try:
            return httpx.URL(prev).params.get("min_id") or None
        except httpx.InvalidURL:
            return None

    def _read_timeline(self, path: str, cursor: str | None, **fail: Any) -> ReadPage:
        statuses, next_cursor, more = self._pages(path, cursor, **fail)
        return ReadPage(items=self._items(statuses), cursor=next_cursor, more=more)

    def _read_search(self, words: str, cursor: str | None) -> ReadPage:
        """Search statuses for words: one page a read, newest first.

        Mastodon finds words in posts only on servers that run full-text search
        (Elasticsearch or OpenSearch), only for a signed-in token, and (before 4.2, or
        where posts are not opted into search) only among posts this account wrote,
        liked, bookmarked or was mentioned in. Its search does not page oldest first,
        so more than 40 new matches between two reads keeps only the newest 40: follow
        a hashtag where you can.
        """
        if not words:
            raise PayloadRejected("Give the words to search for on Mastodon.")
        params: dict[str, Any] = {"q": words, "type": "statuses", "limit": str(PAGE_SIZE)}
        if cursor:
            params["min_id"] = cursor
        found = self._dict(self._get("/api/v2/search", params), "the search")
        statuses = self._list(found.get("statuses"), "the keyword search")
        items = self._items(statuses)
        newest = newest_id([item.remote_id for item in items])
        return ReadPage(items=items, cursor=newest if newest != cursor else None)

    def _read_mentions(self, cursor: str | None) -> ReadPage:
        # The cursor here is a notification id, not a status id.
        notifications, next_cursor, more = self._pages(
            "/api/v1/notifications", cursor, {"types[]": "mention"}
        )
        statuses = [n["status"] for n in notifications if isinstance(n.get("status"), dict)]
        return ReadPage(items=self._items(statuses), cursor=next_cursor, more=more)

    def gone(self, remote_ids: Sequence[str]) -> dict[str, str]:
        """Say which statuses were deleted or belong to a suspended account.

        Mastodon 4.3+ gives 20 statuses a call (``GET /api/v1/statuses?id[]=``) and
        leaves out those it no longer shows; each of those (or each status, on older
        servers) is then asked for alone: ``GET /api/v1/statuses/:id`` answers 404 for
        a status deleted and 410 for one whose account is suspended. A status still
        shown whose account carries ``suspended: true`` counts as suspended too. A
        status this token may not see (403, a private one) is left out: houseboat
        cannot tell.
        """
        ids = _dedupe(str(i) for i in remote_ids)
        found: dict[str, str] = {}
        unseen: list[str] = []
        for start in range(0, len(ids), METRICS_BATCH):
            chunk = ids[start : start + METRICS_BATCH]
            response = self._send("GET", "/api/v1/statuses", params={"id[]": chunk})
            if response.status_code == 404:  # no GET /api/v1/statuses before Mastodon 4.3
                unseen = list(ids)
                break
            shown = {
                str(status["id"]): status
                for status in self._list(self._answer(response), "the posts")
                if isinstance(status, dict) and status.get("id")
            }
            unseen += [remote_id for remote_id in chunk if remote_id not in shown]
            found.update(
                {
                    remote_id: "suspended"
                    for remote_id, status in shown.items()
                    if _suspended(status)
                }
            )
        for remote_id in unseen:
            response = self._send("GET", f"/api/v1/statuses/{quote(remote_id, safe='')}")
            if response.status_code == 404:
                found[remote_id] = "deleted"
            elif response.status_code == 410:
                found[remote_id] = "suspended"
            elif response.status_code == 200:
                if _suspended(self._dict(self.http.json(response), "the status")):
                    found[remote_id] = "suspended"
            elif response.status_code != 403:
                self._fail(response)
        return found

    def _account_id(self, handle: str) -> str:
        acct = handle.strip().lstrip("@")
        if not acct:
            raise PayloadRejected("Name the Mastodon account to follow, like @someone@server.")
        account = self._dict(
            self._get(
                "/api/v1/accounts/lookup",
                {"acct": acct},
                not_found=(
                    f"Mastodon at {self.host} does not know @{acct}. If the account lives on "
                    "another server, search for it once in Mastodon so this server learns of "
                    "it, then try again."
                ),
            ),
            "the account lookup",
        )
        return str(account.get("id") or "")

    def _items(self, statuses: Iterable[Any]) -> list[RemoteItem]:
        return [
            self.to_item(status)
            for status in statuses
            if isinstance(status, dict) and status.get("id")
        ]

    def _full_acct(self, acct: Any, url: Any) -> str:
        """``user@domain`` for an acct, which leaves the domain out for local accounts."""
        acct = str(acct or "").lstrip("@")
        if not acct or "@" in acct:
            return acct
        domain = urlsplit(str(url or "")).hostname or self.host
        return f"{acct}@{domain}"

    def to_item(self, status: Mapping[str, Any]) -> RemoteItem:
        """One Status entity as houseboat's RemoteItem; a boost carries the boosted text."""
        reblog = status.get("reblog") if isinstance(status.get("reblog"), dict) else None
        shown: Mapping[str, Any] = reblog or status
        text, links = html_to_text(str(shown.get("content") or ""))
        spoiler = str(shown.get("spoiler_text") or "")
        if spoiler:  # the content warning is what readers see first
            text = f"{spoiler}\n\n{text}" if text else spoiler
        card = shown.get("card")
        if isinstance(card, dict) and card.get("url"):
            links.append(str(card["url"]))
        account = status.get("account")
        author = None
        if isinstance(account, dict):
            author = RemoteAuthor(
                remote_id=str(account.get("id") or ""),
                handle="@" + self._full_acct(account.get("acct"), account.get("url")),
                display_name=str(account.get("display_name") or ""),
                url=str(account.get("url") or ""),
            )
        quote_of = ""
        quoted = shown.get("quote")
        if isinstance(quoted, dict):  # Mastodon 4.4+: a Quote or a ShallowQuote
            inner = quoted.get("quoted_status")
            quote_of = str(
                (inner.get("id") if isinstance(inner, dict) else None)
                or quoted.get("quoted_status_id")
                or ""
            )
        return RemoteItem(
            network="mastodon",
            remote_id=str(status.get("id") or ""),
            text=text,
            created_at=parse_iso_time(status.get("created_at")),
            author=author,
            url=str(status.get("url") or shown.get("url") or status.get("uri") or ""),
            language=str(shown.get("language") or ""),
            reply_to_id=str(shown.get("in_reply_to_id") or ""),
            repost_of_id=str(reblog.get("id") or "") if reblog else "",
            quote_of_id=quote_of,
            hashtags=_dedupe(str(tag.get("name") or "") for tag in _dicts(shown.get("tags"))),
            mentions=_dedupe(
                self._full_acct(m.get("acct"), m.get("url")) for m in _dicts(shown.get("mentions"))
            ),
            links=_dedupe(links),
            media=[
                RemoteMedia(
                    url=str(a.get("url") or a.get("remote_url") or a.get("preview_url") or ""),
                    kind=MEDIA_KINDS.get(str(a.get("type")), "file"),
                    alt=str(a.get("description") or ""),
                )
                for a in _dicts(shown.get("media_attachments"))
            ],
            metrics=status_metrics(status),
            raw=dict(status),
        )

    # -- metrics and own posts

    def metrics(self, posts: Sequence[Published]) -> dict[str, Metrics]:
        """Current counts, 20 posts per call on Mastodon 4.3+, one by one on older servers.

        A post that is gone (deleted, or no longer visible) is left out.
        """
        ids = _dedupe(post.remote_id for post in posts)
        found: dict[str, Metrics] = {}
        for start in range(0, len(ids), METRICS_BATCH):
            chunk = ids[start : start + METRICS_BATCH]
            response = self._send("GET", "/api/v1/statuses", params={"id[]": chunk})
            if response.status_code == 404:  # no GET /api/v1/statuses before Mastodon 4.3
                return self._metrics_one_by_one(ids)
            for status in self._list(self._answer(response), "the posts"):
                if isinstance(status, dict) and status.get("id"):
                    found[str(status["id"])] = status_metrics(status)
        return found

    def _metrics_one_by_one(self, ids: Sequence[str]) -> dict[str, Metrics]:
        found: dict[str, Metrics] = {}
        for remote_id in ids:
            response = self._send("GET", f"/api/v1/statuses/{quote(remote_id, safe='')}")
            if response.status_code == 404:
                continue
            status = self._dict(self._answer(response), "the post")
            found[remote_id] = status_metrics(status)
        return found

    def recent_posts(self, limit: int = 20) -> list[RemoteItem]:
        """The account's own latest posts (boosts left out), newest first.

        More than a page (40) is read page by page, older each time (``max_id``), so
        a busy account's post from a few minutes ago is still found.
        """
        me = self._dict(self._get("/api/v1/accounts/verify_credentials"), "the account check")
        path = f"/api/v1/accounts/{quote(str(me.get('id') or ''), safe='')}/statuses"
        items: list[RemoteItem] = []
        params = {"limit": str(max(1, min(limit, PAGE_SIZE))), "exclude_reblogs": "true"}
        seen: set[str] = set()
        while len(items) < limit:
            page = self._items(self._list(self._get(path, params), "the account's posts"))
            fresh = [item for item in page if item.remote_id not in seen]
            items.extend(fresh)
            seen.update(item.remote_id for item in fresh)
            # A short page is the last; a page of nothing new: the server ignores max_id.
            if len(page) < int(params["limit"]) or not fresh:
                break
            params = {**params, "max_id": page[-1].remote_id}
        return items[:limit]

    # -- signing in (the OAuth app flow behind "Sign in with Mastodon")

    def register_app(self, redirect_uri: str) -> dict[str, str]:
        """Register houseboat as an app on this server; return its client id and secret."""
        response = self._send(
            "POST",
            "/api/v1/apps",
            auth=False,
            json={
                "client_name": "houseboat",
                "redirect_uris": redirect_uri,
                "scopes": SCOPES,
                "website": "",
            },
        )
        if response.status_code == 404:
            raise self._not_mastodon()
        app = self._dict(
            self._answer(response, refused="Mastodon refused to register houseboat as an app."),
            "the app registration",
        )
        if not app.get("client_id") or not app.get("client_secret"):
            raise UnexpectedResponse("Mastodon registered the app but sent no client id.")
        return {"client_id": str(app["client_id"]), "client_secret": str(app["client_secret"])}

    def authorize_url(self, *, client_id: str, redirect_uri: str, state: str) -> str:
        """Where to send the person to approve houseboat on their server."""
        query = urlencode(
            {
                "response_type": "code",
                "client_id": client_id,
                "redirect_uri": redirect_uri,
                "scope": SCOPES,
                "state": state,
                "force_login": "true",
            }
        )
        return f"{self.base_url}/oauth/authorize?{query}"

    def exchange_code(
        self, *, client_id: str, client_secret: str, redirect_uri: str, code: str
    ) -> str:
        """Trade the authorisation code for an access token (a code works once)."""
        response = self._send(
            "POST",
            "/oauth/token",
            auth=False,
            data={
                "grant_type": "authorization_code",
                "code": code,
                "client_id": client_id,
                "client_secret": client_secret,
                "redirect_uri": redirect_uri,
                "scope": SCOPES,
            },
        )
        if response.status_code in (400, 401):
            raise PayloadRejected(
                "Mastodon did not accept this sign-in (it expired or was used already). "
                "Start again from the Channels page.",
                reason=self.http.scrub(self.error_text(response)),
            )
        token = self._dict(self._answer(response), "the sign-in").get("access_token")
        if not token:
            raise UnexpectedResponse("Mastodon answered the sign-in without an access token.")
        return str(token)


def _newest_of_page(page: Sequence[Mapping[str, Any]]) -> str | None:
    """The newest id of a page that came without a Link header.

    Mastodon's ids are numbers and compare as such. Servers that imitate it (snac2's
    ids start with a time and end in a hash) may not sort at all, but they list a
    page newest first, as Mastodon does, so the first entry is the newest.
    """
    ids = [str(entry["id"]) for entry in page]
    if not ids:
        return None
    if all(i.isascii() and i.isdigit() for i in ids):
        return max(ids, key=int)
    return ids[0]


def _suspended(status: Mapping[str, Any]) -> bool:
    """Whether a Status entity's account carries ``suspended: true``."""
    account = status.get("account")
    return isinstance(account, dict) and account.get("suspended") is True


def _fail_words(fail: Mapping[str, Any]) -> dict[str, str]:
    return {key: fail[key] for key in ("refused", "not_found") if key in fail}


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []
