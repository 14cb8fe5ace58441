"""X (formerly Twitter) through API v2: posts and threads, media, searches, mentions, metrics.

A channel signs in one of two ways, chosen by the credentials it holds:

- OAuth 2.0 user context: an access token, a refresh token and the app's client id (plus
  its client secret for a confidential app). Access tokens last two hours; on a 401 the
  connector renews them once at ``POST /2/oauth2/token``. X rotates refresh tokens, so the
  new pair is saved at once, before the call is repeated, and one renewal per channel
  runs at a time (``Connector.renewal``).
- OAuth 1.0a user context: the app's API key and secret and the account's access token and
  secret. Each request is signed (HMAC-SHA1) by oauthlib; JSON and multipart bodies are not
  part of the signature base string, so only the URL and its query are signed.

X has no idempotency key: ``POST /2/tweets`` is never repeated after an ambiguous failure.
Media uploads may be: an upload that went through twice only leaves an unused file at X,
which expires.
"""

from __future__ import annotations

import base64
import hashlib
import html
import itertools
import json
import re
import secrets
import time
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import httpx
import oauthlib.oauth1
from django.utils.translation import gettext_noop

from houseboat.connectors import text
from houseboat.connectors.base import (
    Account,
    AuthRevoked,
    Connector,
    Manifest,
    MediaFile,
    Metrics,
    NetworkUnreachable,
    NotSupported,
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
from houseboat.connectors.http import retry_after
from houseboat.core.text import parse_iso_time

API_BASE_URL = "https://api.x.com"
AUTHORIZE_URL = "https://x.com/i/oauth2/authorize"
# What houseboat asks for when it signs in: post, read, upload, and stay signed in.
SCOPES = ("tweet.read", "tweet.write", "users.read", "media.write", "offline.access")
NEEDED_SCOPES = {
    "tweet.write": "posting",
    "media.write": "uploading pictures and video",
    "offline.access": "staying connected for more than two hours",
}

MB = 1024 * 1024
IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp")
GIF_TYPE = "image/gif"
VIDEO_TYPES = ("video/mp4",)
IMAGE_MAX_BYTES = 5 * MB
GIF_MAX_BYTES = 15 * MB
# X accepts bigger videos (8 GB per its best-practice page); 512 MB is the figure on its
# media overview page and keeps a worker's upload within reason.
VIDEO_MAX_BYTES = 512 * MB
CHUNK_BYTES = 4 * MB  # X takes segments of up to 5 MB
ALT_TEXT_MAX = 1000

# What a read asks for, so that one call brings authors, media and quoted posts with it.
TWEET_FIELDS = (
    "created_at,author_id,lang,public_metrics,entities,referenced_tweets,conversation_id,"
    "attachments,note_tweet"
)
READ_FIELDS = {
    "tweet.fields": TWEET_FIELDS,
    "expansions": "author_id,attachments.media_keys,referenced_tweets.id",
    "user.fields": "username,name",
    "media.fields": "url,type,alt_text,preview_image_url",
}
MAX_READ_PAGES = 5  # per read: at most 500 posts; a longer burst goes on at the next read
USERNAME_RE = re.compile(r"^[A-Za-z0-9_]{1,15}$")
OAUTH1_FIELDS = ("consumer_key", "consumer_secret", "access_token", "access_token_secret")
OAUTH1_LABELS = {
    "consumer_key": "API Key",
    "consumer_secret": "API Key Secret",
    "access_token": "Access Token",
    "access_token_secret": "Access Token Secret",
}
# The part of a read that an access level may lack, in the words of the message.
READ_WHAT = {
    "search": "search",
    "mentions": "reading mentions",
    "account": "reading other accounts' posts",
    "metrics": "reading post metrics",
    "recent": "reading the account's own posts",
    "gone": "looking up posts",
}
CREDITS_MESSAGE = (
    "Your X API credits are used up: add credits (or raise the spending limit) in the X "
    "developer console at console.x.com. houseboat carries on as soon as there are credits."
)
READ_ONLY_APP_MESSAGE = (
    "The X app may only read. In the X developer console open the app's “User authentication "
    "settings”, set App permissions to “Read and write”, then regenerate the Access Token and "
    "Secret (old tokens keep the old permission) and paste them in the channel settings."
)


def _secret(name: str, label: str, help_text: str) -> dict[str, Any]:
    return {"name": name, "label": label, "secret": True, "help": help_text, "required": False}


class XConnector(Connector):
    manifest: Manifest = {
        "network": "x",
        "label": "X",
        "can": ["publish", "delete", "read", "threads", "media", "metrics", "check"],
        "sources": ["keyword", "hashtag", "mentions", "account"],
        "limits": {
            "text": {"max": 280, "counted": "weighted", "url_length": 23},
            "media": {
                "max_count": 4,
                "max_bytes": VIDEO_MAX_BYTES,
                "types": [*IMAGE_TYPES, GIF_TYPE, *VIDEO_TYPES],
                "alt_max": ALT_TEXT_MAX,
            },
        },
        "rate_limits": (
            "Per account: 100 posts per 15 minutes, 50 deletions per 15 minutes, 300 searches "
            "per 15 minutes. Each call may also cost credits on X's pay-per-use plans."
        ),
        "credentials": [
            _secret(
                "access_token",
                gettext_noop("Access token"),
                gettext_noop(
                    "OAuth 2.0: filled in by “Sign in with X”. OAuth 1.0a: the Access Token from "
                    "the app's “Keys and tokens” page."
                ),
            ),
            _secret(
                "refresh_token",
                gettext_noop("Refresh token (OAuth 2.0)"),
                gettext_noop(
                    "Lets houseboat renew the two-hour access token. Filled in by “Sign in with X”."
                ),
            ),
            _secret(
                "client_secret",
                gettext_noop("Client Secret (OAuth 2.0)"),
                gettext_noop("Only for a confidential app (Web App, Automated App or bot)."),
            ),
            _secret(
                "consumer_key",
                gettext_noop("API Key (OAuth 1.0a)"),
                gettext_noop("From the app's “Keys and tokens” page."),
            ),
            _secret(
                "consumer_secret",
                gettext_noop("API Key Secret (OAuth 1.0a)"),
                gettext_noop("From the app's “Keys and tokens” page."),
            ),
            _secret(
                "access_token_secret",
                gettext_noop("Access Token Secret (OAuth 1.0a)"),
                gettext_noop(
                    "From the app's “Keys and tokens” page, generated with “Read and write” "
                    "permission."
                ),
            ),
        ],
        "settings": [
            {
                "name": "client_id",
                "label": gettext_noop("Client ID (OAuth 2.0)"),
                "secret": False,
                "help": gettext_noop("From the app's “Keys and tokens” page, under OAuth 2.0."),
                "required": False,
            },
            {
                "name": "read_page_size",
                "label": gettext_noop("Posts per read"),
                "secret": False,
                "help": gettext_noop(
                    "At most this many posts per search or mentions read (10 to 100). On "
                    "pay-per-use plans each post read costs credits."
                ),
                "default": "100",
            },
            {
                "name": "api_base_url",
                "label": gettext_noop("API address"),
                "secret": False,
                "help": gettext_noop("Leave as it is unless you know why."),
                "default": API_BASE_URL,
            },
        ],
        "notes": gettext_noop(
            "Posting needs a user-context sign-in. Search and reading mentions need an "
            "X API access level that includes reading."
        ),
    }

    # How long a publish waits for X to process a video before giving up for now (seconds).
    max_processing_wait: float = 600.0

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self._me: dict[str, Any] | None = None

    # --- signing in ------------------------------------------------------------------

    def auth_mode(self) -> str:
        """Return "oauth1" or "oauth2" by the credentials present; refuse a half-filled set."""
        if any(self.secrets.get(name) for name in OAUTH1_FIELDS if name != "access_token"):
            missing = [OAUTH1_LABELS[n] for n in OAUTH1_FIELDS if not self.secrets.get(n)]
            if missing:
                raise AuthRevoked(
                    f"The X channel has only part of an OAuth 1.0a key set ({', '.join(missing)} "
                    "missing). Fill in all four keys from the app's “Keys and tokens” page in "
                    "the channel settings, or remove them and sign in with X instead."
                )
            return "oauth1"
        if self.secrets.get("access_token"):
            return "oauth2"
        raise AuthRevoked(
            "The X channel has no credentials yet. Sign in with X on the Channels page, or "
            "fill in the four OAuth 1.0a keys from the app's “Keys and tokens” page."
        )

    @property
    def base_url(self) -> str:
        return self.setting("api_base_url").rstrip("/")

    def _can_refresh(self) -> bool:
        return bool(self.secrets.get("refresh_token") and self.config.get("client_id"))

    def _authorize(self, method: str, url: str, headers: dict[str, str]) -> str:
        """Add the Authorization header; return the URL exactly as it was signed."""
        if self.auth_mode() == "oauth2":
            headers["Authorization"] = f"Bearer {self.secrets['access_token']}"
            return url
        signer = oauthlib.oauth1.Client(
            self.secrets["consumer_key"],
            client_secret=self.secrets["consumer_secret"],
            resource_owner_key=self.secrets["access_token"],
            resource_owner_secret=self.secrets["access_token_secret"],
        )
        # No body: X leaves JSON and multipart bodies out of the signature base string.
        signed_url, signed, _ = signer.sign(url, http_method=method)
        headers["Authorization"] = signed["Authorization"]
        return signed_url

    def _token_expired(self) -> bool:
        try:
            expires_at = float(self.secrets.get("expires_at") or 0)
        except (TypeError, ValueError):
            return False  # unknown: the 401 will tell
        return bool(expires_at) and time.time() >= expires_at - 60

    # --- calling X ---------------------------------------------------------------------

    def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        """Send one API call, renewing an OAuth 2.0 token once if X says it expired."""
        url = str(httpx.URL(self.base_url + path, params=params or None))
        mode = self.auth_mode()
        if mode == "oauth2" and self._can_refresh() and self._token_expired():
            self.renew_token()
        response = self._send(method, url, idempotent, kwargs)
        # A 401 means X did nothing with the request, so even a post may be sent again.
        if response.status_code == 401 and mode == "oauth2" and self._can_refresh():
            self.renew_token()
            response = self._send(method, url, idempotent, kwargs)
        return response

    def _send(
        self, method: str, url: str, idempotent: bool | None, kwargs: dict[str, Any]
    ) -> httpx.Response:
        headers: dict[str, str] = {}
        signed_url = self._authorize(method, url, headers)
        return self.http.request(
            method, signed_url, idempotent=idempotent, headers=headers, **kwargs
        )

    def _body(self, response: httpx.Response, *, after_publish: bool = False) -> dict[str, Any]:
        body = self.http.json(response, after_publish=after_publish)
        if not isinstance(body, dict):
            error = OutcomeUnknown if after_publish else UnexpectedResponse
            raise error("X answered with something houseboat cannot read (not a JSON object).")
        return body

    def rate_limit_until(self, response: httpx.Response) -> datetime | None:
        """When to come back: the 24-hour limit's reset when that one ran out, else the window's."""
        for scope in ("user", "app"):
            if response.headers.get(f"x-{scope}-limit-24hour-remaining", "").strip() == "0":
                reset = response.headers.get(f"x-{scope}-limit-24hour-reset", "").strip()
                if reset.isdigit():
                    return datetime.fromtimestamp(int(reset), UTC)
        return retry_after(response)

    # --- errors ------------------------------------------------------------------------

    def _reason(self, response: httpx.Response) -> tuple[str, dict[str, Any]]:
        """X's own words for a failure, and its first problem object (title, detail, type...)."""
        try:
            body = response.json()
        except ValueError:
            return self.http.scrub(response.text[:300]), {}
        if not isinstance(body, dict):
            return self.http.scrub(str(body)[:300]), {}
        problems = [body] if ("title" in body or "detail" in body) else []
        problems += [e for e in body.get("errors") or [] if isinstance(e, dict)]
        texts: list[str] = []
        for problem in problems:
            said = problem.get("detail") or problem.get("message") or problem.get("title")
            if said and str(said) not in texts:
                texts.append(str(said))
        return self.http.scrub("; ".join(texts)), (problems[0] if problems else {})

    def _raise_for(self, response: httpx.Response, action: str) -> None:
        """Turn X's refusal into the typed error a person can act on."""
        status = response.status_code
        if status < 400:
            return
        reason, problem = self._reason(response)
        kind = str(problem.get("type") or "").rstrip("/").rsplit("/", 1)[-1]
        said = f"{problem.get('title', '')} {reason}".lower()
        if status == 402 or kind.startswith("credits") or "creditsdepleted" in said:
            raise PermissionMissing(CREDITS_MESSAGE, reason=reason)
        if status == 401:
            raise AuthRevoked(self._auth_refused_message(), reason=reason)
        if status == 403:
            self._raise_forbidden(action, kind, problem, said, reason)
        if status == 400 and action in READ_WHAT:
            raise PayloadRejected("X refused this read: check the search words.", reason=reason)
        self.http.raise_for_status(response, reason=reason)

    def _raise_forbidden(
        self, action: str, kind: str, problem: Mapping[str, Any], said: str, reason: str
    ) -> None:
        if kind == "client-forbidden" or problem.get("reason") == "client-not-enrolled":
            if action in READ_WHAT:
                raise NotSupported(
                    f"Your X API access level does not include {READ_WHAT[action]}; posting "
                    "still works. The Free level only posts: reading needs the Basic level "
                    "or higher (or pay-per-use credits), and the app must belong to a "
                    "project. See the app's project in the X developer console.",
                    reason=reason,
                )
            raise PermissionMissing(
                "Your X API access level does not allow this app to post. In the X developer "
                "console, check that the app belongs to a project and that its plan includes "
                "posting.",
                reason=reason,
            )
        if kind == "oauth1-permissions":
            raise PermissionMissing(READ_ONLY_APP_MESSAGE, reason=reason)
        if action == "publish" and ("duplicate" in said or "not allowed to post a video" in said):
            raise PayloadRejected("X refused this post.", reason=reason)
        raise PermissionMissing(
            "X does not let this account do this. If the app was set up for reading only, set "
            "“Read and write” in the X developer console and sign in again.",
            reason=reason,
        )

    def _auth_refused_message(self) -> str:
        if self.auth_mode() == "oauth1":
            return (
                "X refused the channel's OAuth 1.0a keys: they were regenerated or revoked. Paste "
                "the current four keys from the app's “Keys and tokens” page in the channel "
                "settings."
            )
        if not self._can_refresh():
            return (
                "X refused the channel's access token (these expire after two hours) and "
                "houseboat has no refresh token and client id to renew it. Sign in with X again "
                "on the Channels page."
            )
        return "X refused the channel's credentials. Sign in with X again on the Channels page."

    # --- OAuth 2.0 tokens ----------------------------------------------------------------

    @property
    def token_url(self) -> str:
        return f"{self.base_url}/2/oauth2/token"

    def _token_request(self, data: dict[str, str]) -> dict[str, Any]:
        """POST to the token endpoint as a public or a confidential client; return the answer."""
        client_id = str(self.config.get("client_id") or "")
        client_secret = str(self.secrets.get("client_secret") or "")
        headers: dict[str, str] = {}
        if client_secret:
            pair = f"{client_id}:{client_secret}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
        else:
            data = {**data, "client_id": client_id}
        try:
            # Not idempotent: a refresh token works once, so a lost answer must not be replayed.
            response = self.http.request(
                "POST", self.token_url, idempotent=False, data=data, headers=headers
            )
        except OutcomeUnknown as error:
            raise NetworkUnreachable(
                "houseboat could not renew the X access token just now (X did not answer "
                "properly). The channel stays connected; the work will be tried again.",
                reason=error.reason,
            ) from None
        if response.status_code >= 400:
            self._raise_token_refused(response)
        body = self._body(response)
        if not body.get("access_token"):
            raise UnexpectedResponse("X's token answer has no access token.")
        return body

    def _raise_token_refused(self, response: httpx.Response) -> None:
        try:
            body = response.json()
        except ValueError:
            body = {}
        body = body if isinstance(body, dict) else {}
        error = str(body.get("error") or "")
        reason = self.http.scrub(f"{error}: {body.get('error_description', '')}".strip(": "))
        if response.status_code in (400, 401) and error in (
            "invalid_client",
            "unauthorized_client",
        ):
            raise AuthRevoked(
                "X refused the app's Client ID or Client Secret while renewing the access token. "
                "Check them in the channel settings (a confidential app needs its Client "
                "Secret), or sign in with X again.",
                reason=reason,
            )
        if response.status_code in (400, 401) and error in ("invalid_grant", "invalid_request"):
            raise AuthRevoked(
                "X no longer accepts this channel's refresh token: access was revoked in X, or "
                "the token was already used. Sign in with X again on the Channels page.",
                reason=reason,
            )
        raise UnexpectedResponse(
            f"X answered HTTP {response.status_code} when houseboat renewed the access token; "
            "the channel stays connected and houseboat will try again.",
            reason=reason,
        )

    def renew_token(self) -> None:
        """Trade the refresh token for a new access token and save both (X rotates them).

        One renewal per channel at a time: X accepts a refresh token once, so a second
        sender that renewed with the same one would be refused and the channel marked for
        reconnecting. Under the channel's lock, a token already renewed by another thread
        or process is taken over instead; a refused one is looked up once more before the
        channel is called revoked.
        """
        with self.renewal("refresh_token") as ours:
            if not ours:
                return
            used = str(self.secrets["refresh_token"])
            try:
                body = self._token_request({"grant_type": "refresh_token", "refresh_token": used})
            except AuthRevoked:
                if self.stored_secrets_changed("refresh_token"):
                    return
                raise
            self.update_secrets({"refresh_token": used}, **self._token_secrets(body))

    @staticmethod
    def _token_secrets(body: Mapping[str, Any]) -> dict[str, Any]:
        changes: dict[str, Any] = {"access_token": body["access_token"]}
        if body.get("refresh_token"):
            changes["refresh_token"] = body["refresh_token"]
        if body.get("scope"):
            changes["scope"] = body["scope"]
        if str(body.get("expires_in", "")).isdigit():
            changes["expires_at"] = int(time.time()) + int(body["expires_in"])
        return changes

    def exchange_code(self, *, code: str, code_verifier: str, redirect_uri: str) -> dict[str, Any]:
        """Finish "Sign in with X": trade the authorization code for tokens (see views.py)."""
        body = self._token_request(
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri,
                "code_verifier": code_verifier,
            }
        )
        return self._token_secrets(body)

    # --- who am I ------------------------------------------------------------------------

    def me(self) -> dict[str, Any]:
        """The signed-in account (id, name, username), asked once per connector."""
        if self._me is None:
            response = self._call("GET", "/2/users/me")
            self._raise_for(response, "check")
            data = self._body(response).get("data")
            if not isinstance(data, dict) or not data.get("id") or not data.get("username"):
                raise UnexpectedResponse("X's answer about the account has no id or username.")
            self._me = data
        return self._me

    def check(self) -> Account:
        me = self.me()
        username = str(me["username"])
        scopes = str(self.secrets.get("scope") or self.config.get("scope") or "").split()
        return Account(
            remote_id=str(me["id"]),
            handle=f"@{username}",
            display_name=str(me.get("name") or ""),
            url=f"https://x.com/{username}",
            permissions=scopes,
            notes=self._account_notes(scopes),
        )

    def _account_notes(self, scopes: Sequence[str]) -> list[str]:
        if self.auth_mode() == "oauth1":
            return []
        notes = [
            f"The sign-in lacks the {scope} permission, needed for {what}: sign in with X again."
            for scope, what in NEEDED_SCOPES.items()
            if scopes and scope not in scopes
        ]
        if not self._can_refresh():
            notes.append(
                "houseboat cannot renew this access token (no refresh token or Client ID), so "
                "the channel stops working within two hours. Use “Sign in with X” instead."
            )
        return notes

    def post_url(self, remote_id: str) -> str:
        username = (self._me or {}).get("username") or self.config.get("username")
        if username:
            return f"https://x.com/{username}/status/{remote_id}"
        # X redirects this to the post under its author's name.
        return f"https://x.com/i/web/status/{remote_id}"

    # --- publishing --------------------------------------------------------------------

    def publish(self, post: OutgoingPost) -> Published:
        problems = self.post_problems(post)
        if problems:
            raise PayloadRejected(" ".join(problems))
        media_ids = [self._upload(item) for item in post.media]
        body: dict[str, Any] = {}
        if post.text:
            body["text"] = post.text
        parent = post.reply_to or post.thread_root
        if parent is not None:
            body["reply"] = {"in_reply_to_tweet_id": parent.remote_id}
        if media_ids:
            body["media"] = {"media_ids": media_ids}
        response = self._call("POST", "/2/tweets", idempotent=False, json=body)
        self._raise_for(response, "publish")
        data = self._body(response, after_publish=True).get("data")
        remote_id = str(data.get("id") or "") if isinstance(data, dict) else ""
        if not remote_id:
            raise OutcomeUnknown(
                "X answered the post without its id: it may or may not be online. Look at the "
                "account before sending it again."
            )
        return Published(
            remote_id=remote_id, url=self.post_url(remote_id), extra={"media_ids": media_ids}
        )

    def post_problems(self, post: OutgoingPost) -> list[str]:
        """Every way this post breaks X's rules (length, media mix and sizes); empty: fine."""
        found = text.check(self.limits(), post.text, post.media, label=self.label)
        return [problem.message for problem in found] + media_problems(post.media)

    def _upload(self, media: MediaFile) -> str:
        if media.mime_type in IMAGE_TYPES:
            media_id = self._upload_image(media)
        else:
            category = "tweet_gif" if media.mime_type == GIF_TYPE else "tweet_video"
            media_id = self._upload_chunked(media, category)
        if media.alt:
            self._describe(media_id, media.alt)
        return media_id

    def _media_id(self, response: httpx.Response) -> tuple[str, dict[str, Any]]:
        self._raise_for(response, "upload")
        data = self._body(response).get("data")
        if not isinstance(data, dict) or not data.get("id"):
            raise UnexpectedResponse("X's answer to a media upload has no media id.")
        return str(data["id"]), data

    def _upload_image(self, media: MediaFile) -> str:
        """One request for a picture: POST /2/media/upload as multipart."""
        response = self._call(
            "POST",
            "/2/media/upload",
            idempotent=True,
            data={"media_category": "tweet_image", "media_type": media.mime_type},
            files={"media": (media.path.name, media.path.read_bytes(), media.mime_type)},
        )
        return self._media_id(response)[0]

    def _upload_chunked(self, media: MediaFile, category: str) -> str:
        """Initialize, append 4 MB segments, finalize, then wait while X processes the file."""
        response = self._call(
            "POST",
            "/2/media/upload/initialize",
            idempotent=True,
            json={
                "media_type": media.mime_type,
                "total_bytes": media.size,
                "media_category": category,
            },
        )
        media_id, _ = self._media_id(response)
        with media.path.open("rb") as handle:
            for index in itertools.count():
                chunk = handle.read(CHUNK_BYTES)
                if not chunk:
                    break
                response = self._call(
                    "POST",
                    f"/2/media/upload/{media_id}/append",
                    idempotent=True,
                    data={"segment_index": str(index)},
                    files={"media": (media.path.name, chunk, "application/octet-stream")},
                )
                self._raise_for(response, "upload")
        response = self._call("POST", f"/2/media/upload/{media_id}/finalize", idempotent=True)
        _, data = self._media_id(response)
        self._wait_for_processing(media_id, data.get("processing_info"))
        return media_id

    def _wait_for_processing(self, media_id: str, info: Any) -> None:
        waited = 0.0
        while isinstance(info, dict) and info.get("state") != "succeeded":
            if info.get("state") == "failed":
                error = info.get("error") if isinstance(info.get("error"), dict) else {}
                raise PayloadRejected(
                    "X could not process this file (a video must be MP4 with H.264 video and "
                    "AAC audio, between 0.5 seconds and 20 minutes long).",
                    reason=self.http.scrub(str(error.get("message") or "")),
                )
            wait = max(1.0, float(info.get("check_after_secs") or 1))
            if waited + wait > self.max_processing_wait:
                raise NetworkUnreachable(
                    f"X was still processing the video after {int(waited)} seconds. Nothing was "
                    "posted; houseboat will try again later."
                )
            self.sleep(wait)
            waited += wait
            response = self._call(
                "GET", "/2/media/upload", params={"command": "STATUS", "media_id": media_id}
            )
            info = self._media_id(response)[1].get("processing_info")

    def _describe(self, media_id: str, alt: str) -> None:
        """Attach the picture's description (alt text) with POST /2/media/metadata."""
        response = self._call(
            "POST",
            "/2/media/metadata",
            idempotent=True,  # setting the same description twice changes nothing
            json={"id": media_id, "metadata": {"alt_text": {"text": alt}}},
        )
        self._raise_for(response, "upload")

    def delete(self, published: Published) -> None:
        response = self._call("DELETE", f"/2/tweets/{published.remote_id}")
        if response.status_code == 404:
            return  # already gone: what was asked for is done
        self._raise_for(response, "delete")
        data = self._body(response).get("data")
        if not isinstance(data, dict) or data.get("deleted") is not True:
            raise UnexpectedResponse("X did not confirm that the post was deleted.")

    def exists(self, published: Published) -> bool:
        """Tell whether the post is still on X (GET /2/tweets/:id).

        X answers a deleted post with 200 and a "resource-not-found" problem, not a 404.
        """
        response = self._call("GET", f"/2/tweets/{published.remote_id}")
        if response.status_code == 404:
            return False
        self._raise_for(response, "look up")
        body = self._body(response)
        if isinstance(body.get("data"), dict):
            return True
        for problem in body.get("errors") or []:
            if isinstance(problem, dict) and str(problem.get("type", "")).endswith(
                "/resource-not-found"
            ):
                return False
        raise UnexpectedResponse(
            "X's answer about the post says neither that it is there nor gone."
        )

    # --- reading -----------------------------------------------------------------------

    def read(self, source: Source, cursor: str | None) -> ReadPage:
        """Return the posts newer than ``cursor`` at a search, the mentions or an account.

        With ``since_id`` X answers newest first and pages back (``next_token``) towards
        it. A burst of more than MAX_READ_PAGES pages stops there: the cursor then keeps
        the old ``since_id``, the page token to go on from and the newest id seen, and
        ``more`` is set, so the next read finishes the burst before moving on.
        """
        path, params, action = self._read_target(source)
        since_id, token, newest = _read_state(cursor)
        if not since_id:  # a first read starts now: the newest page only
            body = self._get_page(path, {**params, **READ_FIELDS}, action)
            return ReadPage(items=self._items(body), cursor=_meta(body).get("newest_id"))
        token_name = "next_token" if action == "search" else "pagination_token"
        items: list[RemoteItem] = []
        for _ in range(MAX_READ_PAGES):
            query = {**params, **READ_FIELDS, "since_id": since_id}
            if token:
                query[token_name] = token
            body = self._get_page(path, query, action)
            items.extend(self._items(body))
            newest = newest or _meta(body).get("newest_id")
            token = _meta(body).get("next_token")
            if not token:
                return ReadPage(items=items, cursor=newest if newest != since_id else None)
        state = {"since_id": since_id, "next_token": token, "newest_id": newest}
        return ReadPage(items=items, cursor=json.dumps(state, sort_keys=True), more=True)

    def gone(self, remote_ids: Sequence[str]) -> dict[str, str]:
        """Ask X for these posts (100 a call); say which were deleted or whose author is suspended.

        X lists a post it no longer has under ``errors`` with the type
        ``resource-not-found``; a suspended author's posts come back as errors whose
        detail says so. A post hidden for another reason (a protected account) is left
        out: houseboat cannot tell whether it is still there.
        """
        found: dict[str, str] = {}
        ids = [str(remote_id) for remote_id in remote_ids if str(remote_id).isdigit()]
        for start in range(0, len(ids), 100):
            body = self._get_page("/2/tweets", {"ids": ",".join(ids[start : start + 100])}, "gone")
            for error in body.get("errors") or []:
                if not isinstance(error, dict):
                    continue
                post_id = str(error.get("resource_id") or error.get("value") or "")
                kind = str(error.get("type") or "").rstrip("/").rsplit("/", 1)[-1]
                detail = str(error.get("detail") or "").lower()
                if post_id not in ids:
                    continue
                if "suspended" in detail:
                    found[post_id] = "suspended"
                elif kind == "resource-not-found":
                    found[post_id] = "deleted"
        return found

    def _read_target(self, source: Source) -> tuple[str, dict[str, str], str]:
        size = self._page_size()
        value = source.value.strip()
        if source.kind in ("keyword", "hashtag"):
            query = f"#{value.lstrip('#')}" if source.kind == "hashtag" and value else value
            if not query.strip("#"):
                raise PayloadRejected("An X search needs a word or a hashtag to look for.")
            return "/2/tweets/search/recent", {"query": query, "max_results": size}, "search"
        if source.kind == "mentions":
            return f"/2/users/{self.me()['id']}/mentions", {"max_results": size}, "mentions"
        if source.kind == "account":
            user = self._user_by_username(value)
            return f"/2/users/{user['id']}/tweets", {"max_results": size}, "account"
        raise self._unsupported(f"read {source.kind} sources")

    def _page_size(self) -> str:
        try:
            size = int(self.setting("read_page_size"))
        except ValueError:
            size = 100
        return str(min(max(size, 10), 100))

    def _get_page(self, path: str, params: Mapping[str, str], action: str) -> dict[str, Any]:
        response = self._call("GET", path, params=params)
        self._raise_for(response, action)
        body = self._body(response)
        if not isinstance(body.get("data", []), list):
            raise UnexpectedResponse("X's list of posts is not a list.")
        return body

    def _user_by_username(self, value: str) -> dict[str, Any]:
        username = value.strip().lstrip("@")
        if not USERNAME_RE.match(username):
            raise PayloadRejected(f"“{value}” is not an X username (letters, digits and _).")
        response = self._call("GET", f"/2/users/by/username/{username}")
        self._raise_for(response, "account")
        body = self._body(response)
        data = body.get("data")
        if not isinstance(data, dict) or not data.get("id"):
            raise PayloadRejected(
                f"X has no account called @{username}, or it is suspended.",
                reason=self._reason(response)[0],
            )
        return data

    def _items(self, body: Mapping[str, Any]) -> list[RemoteItem]:
        includes = body.get("includes") if isinstance(body.get("includes"), dict) else {}
        users = _by_key(includes.get("users"), "id")
        media = _by_key(includes.get("media"), "media_key")
        return [
            self._item(post, users, media)
            for post in body.get("data") or []
            if isinstance(post, dict) and post.get("id")
        ]

    def _item(
        self, post: Mapping[str, Any], users: Mapping[str, Any], media: Mapping[str, Any]
    ) -> RemoteItem:
        author_data = users.get(str(post.get("author_id")))
        author = None
        if author_data and author_data.get("username"):
            username = str(author_data["username"])
            author = RemoteAuthor(
                remote_id=str(author_data["id"]),
                handle=username,
                display_name=str(author_data.get("name") or ""),
                url=f"https://x.com/{username}",
            )
        remote_id = str(post["id"])
        references = {
            ref.get("type"): str(ref.get("id"))
            for ref in post.get("referenced_tweets") or []
            if isinstance(ref, dict)
        }
        entities = post.get("entities") if isinstance(post.get("entities"), dict) else {}
        note = post.get("note_tweet") if isinstance(post.get("note_tweet"), dict) else {}
        return RemoteItem(
            network="x",
            remote_id=remote_id,
            # X sends &amp; &lt; &gt; escaped in post text; the archive keeps the words.
            text=html.unescape(str(note.get("text") or post.get("text") or "")),
            created_at=parse_iso_time(post.get("created_at")),
            author=author,
            url=(
                f"https://x.com/{author.handle}/status/{remote_id}"
                if author
                else f"https://x.com/i/web/status/{remote_id}"
            ),
            language=str(post.get("lang") or ""),
            reply_to_id=references.get("replied_to", ""),
            repost_of_id=references.get("retweeted", ""),
            quote_of_id=references.get("quoted", ""),
            hashtags=_entity_values(entities, "hashtags", "tag"),
            mentions=_entity_values(entities, "mentions", "username"),
            links=[
                str(url.get("expanded_url") or url.get("url"))
                for url in entities.get("urls") or []
                if isinstance(url, dict) and (url.get("expanded_url") or url.get("url"))
            ],
            media=_media_of(post, media),
            metrics=_metrics(post.get("public_metrics")),
            raw=dict(post),
        )

    # --- numbers and own posts -----------------------------------------------------------

    def metrics(self, posts: Sequence[Published]) -> dict[str, Metrics]:
        ids = [post.remote_id for post in posts]
        found: dict[str, Metrics] = {}
        for start in range(0, len(ids), 100):
            body = self._get_page(
                "/2/tweets",
                {"ids": ",".join(ids[start : start + 100]), "tweet.fields": "public_metrics"},
                "metrics",
            )
            # Deleted or hidden posts come back under "errors", next to the others.
            for post in body.get("data") or []:
                if isinstance(post, dict) and post.get("id"):
                    found[str(post["id"])] = _metrics(post.get("public_metrics"))
        return found

    def recent_posts(self, limit: int = 20) -> list[RemoteItem]:
        params = {"max_results": str(min(max(limit, 5), 100)), **READ_FIELDS}
        body = self._get_page(f"/2/users/{self.me()['id']}/tweets", params, "recent")
        return self._items(body)[:limit]


# --- helpers -------------------------------------------------------------------------------


def media_problems(media: Sequence[MediaFile]) -> list[str]:
    """X's rules that one size limit cannot say: 4 pictures, or 1 GIF, or 1 video; sizes by kind."""
    problems = []
    moving = [m for m in media if m.mime_type == GIF_TYPE or m.mime_type in VIDEO_TYPES]
    if moving and len(media) > 1:
        problems.append(
            "X takes up to 4 pictures, or a single GIF or video, per post; not both. Move the "
            "GIF or video to a post of its own."
        )
    for item in media:
        if item.mime_type in IMAGE_TYPES:
            ceiling = IMAGE_MAX_BYTES
        elif item.mime_type == GIF_TYPE:
            ceiling = GIF_MAX_BYTES
        else:
            continue  # videos: the manifest's limit; other types: text.check names them
        if item.size > ceiling:
            problems.append(
                f"{item.path.name} is {item.size / MB:.1f} MB; X takes pictures up to "
                f"{IMAGE_MAX_BYTES // MB} MB and GIFs up to {GIF_MAX_BYTES // MB} MB."
            )
    return problems


def _meta(body: Mapping[str, Any]) -> dict[str, str]:
    """The answer's ``meta`` (newest_id, next_token...), its values as plain strings."""
    meta = body.get("meta") if isinstance(body.get("meta"), dict) else {}
    return {str(key): str(value) for key, value in meta.items() if value}


def _read_state(cursor: str | None) -> tuple[str, str, str]:
    """Split a read cursor into since_id, the page token mid-burst, and the newest id seen."""
    if not cursor:
        return "", "", ""
    state: Any = None
    if cursor.isascii() and cursor.isdigit():
        return cursor, "", ""
    if cursor.startswith("{"):
        try:
            state = json.loads(cursor)
        except json.JSONDecodeError:
            state = None
    since_id = str(state.get("since_id") or "") if isinstance(state, dict) else ""
    if not (since_id.isascii() and since_id.isdigit()):
        raise PayloadRejected(
            "The stored X reading position is damaged; remove the column's position so it "
            "starts again from now."
        )
    return (
        since_id,
        str(state.get("next_token") or ""),
        str(state.get("newest_id") or ""),
    )


def _by_key(items: Any, key: str) -> dict[str, dict[str, Any]]:
    if not isinstance(items, list):
        return {}
    return {str(i[key]): i for i in items if isinstance(i, dict) and i.get(key)}


def _entity_values(entities: Mapping[str, Any], kind: str, field: str) -> list[str]:
    return [
        str(entity[field])
        for entity in entities.get(kind) or []
        if isinstance(entity, dict) and entity.get(field)
    ]


def _media_of(post: Mapping[str, Any], media: Mapping[str, Any]) -> list[RemoteMedia]:
    attachments = post.get("attachments") if isinstance(post.get("attachments"), dict) else {}
    found = []
    for key in attachments.get("media_keys") or []:
        item = media.get(str(key))
        if not item:
            continue
        kind = {"photo": "image", "video": "video", "animated_gif": "video"}.get(
            str(item.get("type")), "file"
        )
        url = item.get("url") or item.get("preview_image_url") or ""
        found.append(RemoteMedia(url=str(url), kind=kind, alt=str(item.get("alt_text") or "")))
    return found


def _metrics(public: Any) -> Metrics:
    if not isinstance(public, dict):
        return Metrics()

    def number(name: str) -> int | None:
        value = public.get(name)
        return value if isinstance(value, int) else None

    return Metrics(
        replies=number("reply_count"),
        reposts=number("retweet_count"),
        likes=number("like_count"),
        quotes=number("quote_count"),
        views=number("impression_count"),
    )


# --- "Sign in with X" (OAuth 2.0 with PKCE), used by views.py ----------------------------


def pkce_pair() -> tuple[str, str]:
    """A fresh code verifier and its S256 challenge."""
    verifier = secrets.token_urlsafe(64)[:128]
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def authorize_url(
    *, client_id: str, redirect_uri: str, state: str, challenge: str, scopes: Iterable[str] = SCOPES
) -> str:
    """The page at X where the account holder approves houseboat."""
    query = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "scope": " ".join(scopes),
        "state": state,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    return f"{AUTHORIZE_URL}?{urlencode(query)}"
