"""The Bluesky session and the XRPC calls made with it: sign-in, refresh, errors.

An XRPC error is ``{"error": "Name", "message": "words"}`` with a 4xx or 5xx status.
"""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import httpx

from houseboat.connectors.base import (
    AuthRevoked,
    Connector,
    ConnectorError,
    NetworkUnreachable,
    OutcomeUnknown,
    PayloadRejected,
    PermissionMissing,
    UnexpectedResponse,
)
from houseboat.connectors.bluesky.common import (
    INVALID_HANDLE,
    SIGN_IN_REFUSED,
    TAKEN_DOWN,
    as_dict,
)

REFRESH_MARGIN = 60  # seconds: renew an access token this close to its expiry before using it


def expires_soon(token: str, now: float | None = None) -> bool:
    """Whether a JWT's ``exp`` is past or close; False when the token cannot be read.

    Reading the expiry (without checking the signature: the server does that) spares a
    refused call, which matters most for a picture upload that would be sent twice.
    """
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        expiry = float(claims["exp"])
    except (IndexError, ValueError, KeyError, TypeError):
        return False
    return expiry - (time.time() if now is None else now) < REFRESH_MARGIN


class BlueskySession(Connector):
    """Sign in once, keep and renew the session, send XRPC calls and type their failures."""

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self._session_handle = ""

    # -- addresses

    def _base(self, name: str) -> str:
        url = self.setting(name).strip().rstrip("/")
        if url and not url.startswith(("https://", "http://")):
            raise ConnectorError(
                f"The Bluesky address “{url}” must start with https://. Correct it in the "
                "channel settings.",
                permanent=True,
            )
        return url

    def _handle(self) -> str:
        return self._session_handle or self.setting("handle").strip().lstrip("@")

    # -- the session

    def _ensure_session(self) -> str:
        """Return the account's DID, signing in or refreshing only when needed."""
        access = self.secrets.get("access_jwt")
        if not access or not self.secrets.get("did") or expires_soon(access):
            self._renew_session()
        return self.secrets["did"]

    def prove_app_password(self) -> str:
        """Sign in afresh with the stored app password; return the account's DID.

        A kept session outlives its app password: the PDS honours an access token for
        up to two hours after the password is revoked. So a check signs in anew, and
        when the password is refused it forgets the kept session, stored and here, so
        that nothing more goes out with it.
        """
        try:
            self._create_session()
        except (AuthRevoked, PermissionMissing):
            self.update_secrets(access_jwt="", refresh_jwt="")
            raise
        return self.secrets["did"]

    def _follow_stored_session(self) -> None:
        """Take over the stored session when it changed since this connector was built.

        A check in another process (the web page, the command line) may have found the
        app password revoked and forgotten the session; a worker that built this
        connector earlier must not go on posting with its own copy.
        """
        if self.store is None:
            return
        stored = self.store.read()
        if stored.get("access_jwt", "") != self.secrets.get("access_jwt", ""):
            self._take_over(stored)

    def _renew_session(self) -> None:
        """Refresh the session with the refresh token, or else sign in with the app password.

        Sign-ins are limited to 30 per 5 minutes and 300 a day per account, so the
        refresh token comes first and a new session is made only when it is refused.
        """
        refresh = self.secrets.get("refresh_jwt")
        if refresh:
            response = self._session_call(
                "com.atproto.server.refreshSession",
                headers={"Authorization": f"Bearer {refresh}"},
            )
            if response.status_code == 200:
                self._keep_session(response)
                return
            error, _ = self._error_of(response)
            if error == "AccountTakedown":
                raise PermissionMissing(TAKEN_DOWN, reason=self._reason(response))
            if response.status_code not in (400, 401):
                raise self._fail(response, "renew its sign-in")
            # ExpiredToken or InvalidToken: the refresh token is spent; sign in again.
        self._create_session()

    def _create_session(self) -> None:
        identifier = self.setting("handle").strip().lstrip("@")
        password = self.secrets.get("app_password", "")
        if not identifier or not password:
            raise AuthRevoked(
                "The Bluesky channel has no handle or app password. Add them on the "
                "Channels page (an app password, never the main password)."
            )
        response = self._session_call(
            "com.atproto.server.createSession",
            json={"identifier": identifier, "password": password},
        )
        if response.status_code == 200:
            self._keep_session(response)
            return
        error, _ = self._error_of(response)
        reason = self._reason(response)
        if error == "AccountTakedown":
            raise PermissionMissing(TAKEN_DOWN, reason=reason)
        if error == "AuthFactorTokenRequired":
            raise AuthRevoked(
                "Bluesky asked for a code sent by email, which happens when the account's "
                "main password is used. Create an app password (Settings → Privacy and "
                "security → App passwords) and reconnect the channel with it.",
                reason=reason,
            )
        if response.status_code in (400, 401):
            raise AuthRevoked(SIGN_IN_REFUSED, reason=reason)
        raise self._fail(response, "sign in")

    def _session_call(self, nsid: str, **kwargs: Any) -> httpx.Response:
        # Signing in or refreshing may be repeated safely: at worst it makes a second
        # session. A failure on the way is transient and posted nothing, so it must not
        # read as "the outcome is unknown", and never as a revoked password.
        try:
            return self.http.request(
                "POST", f"{self._base('service_url')}/xrpc/{nsid}", idempotent=True, **kwargs
            )
        except OutcomeUnknown as error:
            raise NetworkUnreachable(
                "Bluesky could not renew the channel's sign-in just now; nothing was posted. "
                "houseboat will try again.",
                reason=error.reason,
            ) from None

    def _keep_session(self, response: httpx.Response) -> None:
        body = as_dict(self.http.json(response))
        access, refresh, did = body.get("accessJwt"), body.get("refreshJwt"), body.get("did")
        if not all(isinstance(value, str) and value for value in (access, refresh, did)):
            raise UnexpectedResponse(
                "Bluesky answered the sign-in without the session tokens houseboat needs."
            )
        handle = body.get("handle")
        if isinstance(handle, str) and handle != INVALID_HANDLE:
            self._session_handle = handle
        self.update_secrets(access_jwt=access, refresh_jwt=refresh, did=did)

    # -- calls

    def _call(
        self,
        method: str,
        nsid: str,
        *,
        base: str = "",
        auth: bool = True,
        idempotent: bool | None = None,
        params: dict[str, Any] | None = None,
        body: Any = None,
        content: bytes | None = None,
        content_type: str = "",
    ) -> httpx.Response:
        """Send one XRPC call with the session, renewing the session once if it expired."""
        url = f"{base or self._base('service_url')}/xrpc/{nsid}"
        if auth:
            self._ensure_session()
        response: httpx.Response | None = None
        for attempt in (1, 2):
            headers = {"Content-Type": content_type} if content_type else {}
            if auth:
                headers["Authorization"] = f"Bearer {self.secrets['access_jwt']}"
            response = self.http.request(
                method,
                url,
                idempotent=idempotent,
                headers=headers,
                params=params,
                json=body,
                content=content,
            )
            # The PDS checks the token before doing anything, so a refused token means
            # nothing happened and the call may be sent again with a fresh one.
            if auth and attempt == 1 and self._session_expired(response):
                self._renew_session()
                continue
            break
        assert response is not None
        return response

    def _public_read(self, nsid: str, params: dict[str, Any]) -> httpx.Response:
        """Read through the AppView when one is set (without signing in), else the PDS."""
        appview = self._base("appview_url")
        if not appview:
            return self._call("GET", nsid, params=params)
        response = self._call("GET", nsid, base=appview, auth=False, params=params)
        if response.status_code in (401, 403):
            # Not the app password's fault: this AppView wants a signed-in reader.
            raise PermissionMissing(
                f"The AppView at {appview} does not answer this without signing in. Empty "
                "the “Public AppView address” in the channel settings to read through the "
                "account's server instead.",
                reason=self._reason(response),
            )
        return response

    def _session_expired(self, response: httpx.Response) -> bool:
        if response.status_code == 401:
            return True
        return response.status_code == 400 and self._error_of(response)[0] in (
            "ExpiredToken",
            "InvalidToken",
        )

    def _answer(self, response: httpx.Response, doing: str) -> dict[str, Any]:
        """The JSON object of a successful answer, or the typed error of a failed one."""
        if response.status_code != 200:
            raise self._fail(response, doing)
        answer = self.http.json(response)
        if not isinstance(answer, dict):
            raise UnexpectedResponse(
                f"Bluesky answered with something houseboat cannot read when asked to {doing}."
            )
        return answer

    @staticmethod
    def _list(answer: dict[str, Any], key: str) -> list[dict[str, Any]]:
        items = answer.get(key)
        if not isinstance(items, list):
            raise UnexpectedResponse(
                f"Bluesky's answer has no list of {key}; houseboat cannot read it."
            )
        return [item for item in items if isinstance(item, dict)]

    # -- errors

    @staticmethod
    def _error_of(response: httpx.Response) -> tuple[str, str]:
        """The XRPC error name and message, or empty strings when the body is not one."""
        try:
            body = response.json()
        except ValueError:
            return "", ""
        if not isinstance(body, dict):
            return "", ""
        error, message = body.get("error"), body.get("message")
        return (
            error if isinstance(error, str) else "",
            message if isinstance(message, str) else "",
        )

    def _reason(self, response: httpx.Response) -> str:
        error, message = self._error_of(response)
        words = f"{error}: {message}" if error and message else error or message
        return self.http.scrub(words or response.text[:300])

    def _fail(self, response: httpx.Response, doing: str) -> ConnectorError:
        """The typed error for a failed XRPC call, with Bluesky's own words beside it."""
        status = response.status_code
        error, _ = self._error_of(response)
        reason = self._reason(response)
        if error == "AccountTakedown":
            return PermissionMissing(TAKEN_DOWN, reason=reason)
        if status == 401:
            return AuthRevoked(
                "Bluesky refused the channel's sign-in even after renewing it. Create a new "
                "app password and reconnect the channel.",
                reason=reason,
            )
        if error in ("BlockedActor", "BlockedByActor"):
            return PermissionMissing(
                f"Bluesky will not let this account {doing}: one of the accounts blocks the other.",
                reason=reason,
            )
        if status == 403:
            return PermissionMissing(
                f"Bluesky does not allow this account to {doing}.", reason=reason
            )
        if status == 413 or error in ("PayloadTooLarge", "BlobTooLarge"):
            return PayloadRejected(
                "A picture is too large for Bluesky: make it smaller than 1 MB and try again.",
                reason=reason,
            )
        if status in (400, 409, 422):
            return PayloadRejected(f"Bluesky refused to {doing}.", reason=reason)
        try:
            self.http.raise_for_status(response, reason=reason)
        except ConnectorError as typed:
            return typed
        return UnexpectedResponse(
            f"Bluesky answered HTTP {status} when asked to {doing}.", reason=reason
        )
