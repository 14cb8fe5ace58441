"""WhatsApp Business Cloud API: approved template messages to supporters who opted in.

WhatsApp is not a broadcast channel. Outside the 24 hours after a supporter last
wrote to the campaign's number, WhatsApp lets a business send only a template that
Meta approved beforehand, and only to people who agreed to hear from it. So this
connector sends templates to one person at a time (``send_template``), lists the
approved templates, checks the number's quality and messaging limit, and reads
the delivery statuses WhatsApp posts to houseboat's webhook.

Recipients' phone numbers are personal data: nothing here logs them, and error
messages never contain them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from django.utils.translation import gettext_noop

from houseboat.connectors.base import (
    Account,
    AuthRevoked,
    ConnectorError,
    Manifest,
    NotSupported,
    PayloadRejected,
    PermissionMissing,
    Published,
    RateLimited,
    UnexpectedResponse,
)
from houseboat.connectors.facebook.graph import (
    GraphConnector,
    GraphError,
    graph_settings,
    regain_access_after,
)

E164_RE = re.compile(r"^\+?([1-9]\d{6,14})$")
SEPARATORS_RE = re.compile(r"[\s\-.()/]")
NON_DIGITS_RE = re.compile(r"\D")
AUTH_CODES = frozenset({0, 190})
TEMPORARY_CODES = frozenset({1, 2, 131000, 131016, 133004})
# How long each throttle lasts, from Meta's throughput and rate-limit documents:
# 80 messages a second per number; one message every 6 seconds to the same person;
# a business-use-case limit (with its wait in a usage header) otherwise.
THROTTLE_WAITS = {
    130429: timedelta(seconds=1),
    131056: timedelta(seconds=6),
    131057: timedelta(minutes=1),  # the number is being upgraded, "up to 1 minute"
    4: timedelta(minutes=5),
    80007: timedelta(minutes=5),
    # Too many earlier messages were blocked or reported as spam. Meta gives no time;
    # an hour keeps houseboat from making the number's standing worse.
    131048: timedelta(hours=1),
}
REJECTIONS = {
    131047: "This supporter has not written to you in the last 24 hours: WhatsApp only "
    "allows an approved template now",
    131026: "WhatsApp could not deliver this message: the number is not on WhatsApp, has "
    "blocked your number, or uses a WhatsApp too old for it",
    131051: "WhatsApp does not support this type of message",
    131049: "WhatsApp held this marketing message back to protect the supporter from too "
    "many business messages; try again another day or send a utility template",
    131050: "This supporter has turned off marketing messages from you on WhatsApp; do not "
    "send them marketing templates",
    131021: "The recipient is the campaign's own number",
    132000: "The number of values does not match the template's placeholders: give one "
    "value for each {{…}} in the approved template",
    132001: "The template does not exist in that language (or is not approved yet): check "
    "its name and language code in WhatsApp Manager",
    132005: "The template's text becomes too long with these values: shorten them",
    132007: "The values break WhatsApp's formatting rules for templates (no new lines, tabs "
    "or more than four spaces in a row)",
    132012: "A value has the wrong format for its placeholder in the template",
    132015: "The template is paused because recipients reported it or ignored it: edit it or "
    "use another one",
    132016: "The template was disabled after repeated pauses: create a new one",
}
ACCOUNT_PROBLEMS = {
    133010: "The campaign's number is not registered on the WhatsApp Business Platform yet: "
    "register it in WhatsApp Manager",
    131031: "WhatsApp has locked the business account, usually for a policy violation: see "
    "the account's notices in WhatsApp Manager",
    368: "WhatsApp has temporarily blocked the business account for a policy violation: see "
    "the account's notices in WhatsApp Manager",
    130497: "The business account may not message people in this country",
    131042: "There is a problem with the business account's payment method: fix it in "
    "WhatsApp Manager under Payment settings",
    131037: "The number's display name needs approval before it can send messages",
    131005: "The access token may not send messages for this number",
}
PERMISSIONS = ("whatsapp_business_messaging", "whatsapp_business_management")
QUALITY_NOTES = {
    "GREEN": "Quality rating: high. Recipients are happy with your messages.",
    "YELLOW": "Quality rating: medium. Some recipients blocked or reported your messages; "
    "send fewer, more wanted ones.",
    "RED": "Quality rating: low. WhatsApp may soon limit this number: pause and send "
    "only what supporters asked for.",
}
TIER_NOTES = {
    "TIER_50": "50",
    "TIER_250": "250",
    "TIER_1K": "1,000",
    "TIER_2K": "2,000",
    "TIER_10K": "10,000",
    "TIER_100K": "100,000",
}
PHONE_FIELDS = (
    "display_phone_number,verified_name,quality_rating,messaging_limit_tier,"
    "whatsapp_business_manager_messaging_limit,code_verification_status"
)


class WebhookRejected(PayloadRejected):
    """A webhook call houseboat cannot use: unsigned, forged or unreadable."""


class SignatureMismatch(WebhookRejected):
    """The webhook was not signed with the channel's app secret: not provably from Meta."""


@dataclass(frozen=True)
class MessageStatus:
    """One status of a message houseboat sent, as WhatsApp's webhook reports it.

    ``recipient_id`` is the supporter's number: it stays out of ``repr`` so that a
    status printed to a log does not carry it.
    """

    message_id: str
    recipient_id: str = field(repr=False)
    status: str  # sent, delivered, read, failed (or played, for voice)
    timestamp: datetime
    error_code: int | None = None
    error_title: str = ""
    pricing_category: str = ""
    phone_number_id: str = ""  # the business number that sent it
    callback_data: str = ""  # what houseboat passed as biz_opaque_callback_data


@dataclass(frozen=True)
class MessageTemplate:
    """An approved (or pending) template of the WhatsApp Business Account."""

    name: str
    language: str
    status: str
    category: str
    components: list[dict[str, Any]]


class WhatsAppConnector(GraphConnector):
    manifest: Manifest = {
        "network": "whatsapp",
        "label": "WhatsApp",
        "can": ["message", "check"],
        "sources": [],
        # The template fixes the text; houseboat only fills in its placeholders.
        "limits": {"text": None, "media": None},
        "rate_limits": (
            "80 messages a second per number; one message every 6 seconds to the same "
            "person; and a daily messaging limit (250, 2,000, 10,000, 100,000 people or "
            "unlimited) for conversations the campaign starts."
        ),
        "credentials": [
            {
                "name": "access_token",
                "label": gettext_noop("System user access token"),
                "secret": True,
                "required": True,
                "help": gettext_noop(
                    "A permanent token of a system user with whatsapp_business_messaging "
                    "and whatsapp_business_management. See the help for the steps."
                ),
            },
            {
                "name": "app_secret",
                "label": gettext_noop("App secret"),
                "secret": True,
                "required": False,
                "help": gettext_noop(
                    "From the Meta app's Settings → Basic. Needed to accept delivery "
                    "reports: houseboat checks each one was signed with it."
                ),
            },
            {
                "name": "verify_token",
                "label": gettext_noop("Webhook verify token"),
                "secret": True,
                "required": False,
                "help": gettext_noop(
                    "Leave empty and houseboat makes one when it checks the channel; "
                    "paste it in the app's WhatsApp → Configuration → Verify token."
                ),
            },
        ],
        "settings": graph_settings(
            required=[
                {
                    "name": "phone_number_id",
                    "label": gettext_noop("Phone number ID"),
                    "secret": False,
                    "required": True,
                    "help": gettext_noop(
                        "In the Meta app: WhatsApp → API Setup → Phone number ID (a long "
                        "number, not the phone number itself)."
                    ),
                },
                {
                    "name": "waba_id",
                    "label": gettext_noop("WhatsApp Business Account ID"),
                    "secret": False,
                    "required": False,
                    "help": gettext_noop(
                        "Shown beside the phone number ID; needed to list your templates."
                    ),
                },
            ]
        ),
        "notes": (
            gettext_noop(
                "For supporters who opted in, not for broadcast posts: WhatsApp lets houseboat "
                "send them templates Meta approved beforehand, one person at a time."
            )
        ),
    }
    token_name = "access_token"  # noqa: S105 - the name of the secret, not a secret

    def phone_number_id(self) -> str:
        number_id = str(self.config.get("phone_number_id") or "").strip()
        if not number_id:
            raise PayloadRejected(
                "This WhatsApp channel has no phone number ID. Add it in the channel settings."
            )
        return number_id

    # -- the account

    def check(self) -> Account:
        """Describe the campaign's number: its name, quality rating and messaging limit."""
        number_id = self.phone_number_id()
        phone = self.call("GET", self.graph_url(number_id), params={"fields": PHONE_FIELDS})
        self.webhook_verify_token()
        tier = str(
            phone.get("whatsapp_business_manager_messaging_limit")
            or phone.get("messaging_limit_tier")
            or ""
        )
        display = str(phone.get("display_phone_number") or "")
        return Account(
            remote_id=number_id,
            handle=display or number_id,
            display_name=str(phone.get("verified_name") or ""),
            url=f"https://wa.me/{NON_DIGITS_RE.sub('', display)}" if display else "",
            permissions=["message"],
            notes=_account_notes(phone, tier),
            limits={"messaging_limit_tier": tier} if tier else {},
        )

    def webhook_verify_token(self) -> str:
        """The token Meta must echo to subscribe houseboat's webhook; made once if empty."""
        token = str(self.secrets.get("verify_token") or "")
        if not token:
            token = secrets.token_urlsafe(24)
            self.update_secrets(verify_token=token)
        return token

    def list_templates(self) -> list[MessageTemplate]:
        """The WhatsApp Business Account's templates, with their status and language."""
        waba_id = str(self.config.get("waba_id") or "").strip()
        if not waba_id:
            raise NotSupported(
                "Add the WhatsApp Business Account ID in the channel settings to list its "
                "templates."
            )
        params = {"fields": "name,status,language,category,components"}
        return [
            MessageTemplate(
                name=str(item.get("name") or ""),
                language=str(item.get("language") or ""),
                status=str(item.get("status") or ""),
                category=str(item.get("category") or ""),
                components=list(item.get("components") or []),
            )
            for item in self.pages(self.graph_url(waba_id, "message_templates"), params)
        ]

    # -- sending

    def _unsupported(self, what: str) -> NotSupported:
        # publish() stays the base's refusal (WhatsApp declares no "publish"); the
        # refusal explains what WhatsApp is for instead.
        if what == "publish":
            return NotSupported(
                "WhatsApp is not for broadcast posts. It sends approved template messages "
                "to individual supporters who opted in to hear from you; send a template "
                "to them from the supporters' page instead."
            )
        return super()._unsupported(what)

    def send_template(
        self,
        to: str,
        template: str,
        language: str,
        components: list | None = None,
        *,
        idempotency_key: str,
    ) -> Published:
        """Send an approved template to one supporter and return WhatsApp's message id.

        WhatsApp takes no idempotency key, so a send whose outcome is unknown must not
        be repeated blindly. The key travels as ``biz_opaque_callback_data`` and comes
        back in every status webhook of the message, so a delivery can be matched.
        """
        digits = e164_digits(to)
        body: dict[str, Any] = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": f"+{digits}",
            "type": "template",
            "template": {"name": template, "language": {"code": language}},
            "biz_opaque_callback_data": idempotency_key[:512],
        }
        if components:
            body["template"]["components"] = components
        try:
            answer = self.call(
                "POST",
                self.graph_url(self.phone_number_id(), "messages"),
                json=body,
                after_publish=True,
            )
        except ConnectorError as error:
            raise _without_number(error, digits) from None
        messages = answer.get("messages") if isinstance(answer, dict) else None
        if not messages or not isinstance(messages[0], dict) or not messages[0].get("id"):
            raise UnexpectedResponse(
                "WhatsApp accepted the request but gave no message id, so houseboat cannot "
                "follow the message. Do not send it again before checking with the supporter."
            )
        return Published(
            remote_id=str(messages[0]["id"]),
            extra={"message_status": str(messages[0].get("message_status") or "accepted")},
        )

    # -- errors

    def throttled(self, error: GraphError, response: httpx.Response) -> RateLimited | None:
        wait = THROTTLE_WAITS.get(error.code or -1)
        if wait is None:
            return None
        if error.code in (4, 80007):
            wait = regain_access_after(response) or wait
        what = {
            131056: "WhatsApp allows about one message every 6 seconds to the same person.",
            130429: "WhatsApp's limit of messages a second for this number was reached.",
            131048: "WhatsApp restricted how many messages this number may send, because "
            "earlier messages were blocked or reported as spam.",
            131057: "WhatsApp is upgrading this number and it cannot send for about a minute.",
        }.get(error.code or -1, "WhatsApp is limiting how often houseboat may call it.")
        return self.rate_limited(wait, what, error.reason)

    def error_for(self, error: GraphError, *, after_publish: bool) -> ConnectorError:
        code = error.code if error.code is not None else -1
        if code in AUTH_CODES:
            return AuthRevoked(
                "The WhatsApp access token expired or was revoked: create a new system user "
                "token in Meta Business settings and reconnect the channel.",
                reason=error.reason,
            )
        if code in REJECTIONS:
            return PayloadRejected(REJECTIONS[code] + ".", reason=error.reason)
        if code in ACCOUNT_PROBLEMS:
            return PermissionMissing(ACCOUNT_PROBLEMS[code] + ".", reason=error.reason)
        if code == 10 or 200 <= code <= 299:
            permission = " and ".join(error.mentions(*PERMISSIONS)) or "whatsapp_business_messaging"
            return PermissionMissing(
                f"The WhatsApp token lacks the {permission} permission, or the system user "
                "was not given this number's WhatsApp account. Fix it in Meta Business "
                "settings → System users and reconnect.",
                reason=error.reason,
            )
        if code in TEMPORARY_CODES:
            return self.unknown_error(error, after_publish=after_publish)
        return PayloadRejected(
            f"WhatsApp refused the request: {error.reason or 'no reason given'}",
            reason=error.reason,
        )


def e164_digits(number: str) -> str:
    """The digits of an international (E.164) phone number, or PayloadRejected.

    Spaces, dashes, dots and brackets people type are dropped; a leading 00 is read
    as +. The number itself never goes into the error message.
    """
    compact = SEPARATORS_RE.sub("", str(number or ""))
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    match = E164_RE.match(compact)
    if not match:
        raise PayloadRejected(
            "The supporter's WhatsApp number is not in international format: it must start "
            "with the country code (for example +44 7700 900123) and have 7 to 15 digits."
        )
    return match.group(1)


def _without_number(error: ConnectorError, digits: str) -> ConnectorError:
    """Take a recipient's number out of an error Meta's words may have put it in."""
    error.message = error.message.replace(digits, "[number]")
    error.reason = error.reason.replace(digits, "[number]")
    error.args = (error.message,)
    return error


def _account_notes(phone: Mapping[str, Any], tier: str) -> list[str]:
    notes = []
    quality = str(phone.get("quality_rating") or "").upper()
    notes.append(QUALITY_NOTES.get(quality, "Quality rating: not known yet."))
    if tier == "TIER_UNLIMITED":
        notes.append("Messaging limit: no daily limit on conversations you start.")
    elif tier in TIER_NOTES:
        notes.append(
            f"Messaging limit ({tier}): you may start conversations with {TIER_NOTES[tier]} "
            "different people a day; supporters who write first do not count."
        )
    else:
        notes.append("Messaging limit: not set yet; it rises as you send wanted messages.")
    if str(phone.get("code_verification_status") or "") not in ("", "VERIFIED"):
        notes.append("The number is not verified yet: verify it in WhatsApp Manager.")
    return notes


# -- webhooks -------------------------------------------------------------------------


def verify_subscription(params: Mapping[str, Any], verify_token: str) -> str | None:
    """Return ``hub.challenge`` when Meta's subscription request carries our token.

    Meta sends ``hub.mode=subscribe``, ``hub.verify_token`` and ``hub.challenge``
    when someone saves the callback URL; echoing the challenge proves the URL is ours.
    """
    if not verify_token or params.get("hub.mode") != "subscribe":
        return None
    given = str(params.get("hub.verify_token") or "")
    if not hmac.compare_digest(given.encode(), verify_token.encode()):
        return None
    challenge = str(params.get("hub.challenge") or "")
    return challenge[:200] or None


def parse_status_webhook(
    body: bytes, signature_header: str, app_secret: str
) -> list[MessageStatus]:
    """Check the webhook's signature, then return the message statuses it carries.

    Meta signs the raw body with HMAC-SHA256 keyed with the app secret and sends it
    as ``X-Hub-Signature-256: sha256=<hex>``. Nothing is read before that matches.
    """
    if not app_secret:
        raise SignatureMismatch(
            "The WhatsApp channel has no app secret, so houseboat cannot tell a delivery "
            "report from a forgery. Add the app secret in the channel settings."
        )
    expected = "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), (signature_header or "").strip().encode()):
        raise SignatureMismatch("The webhook's signature does not match the app secret.")
    try:
        payload = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise WebhookRejected("The webhook's body is not JSON.") from None
    if not isinstance(payload, dict) or payload.get("object") != "whatsapp_business_account":
        raise WebhookRejected("The webhook is not about a WhatsApp Business Account.")
    return [_status(raw, number_id) for raw, number_id in _raw_statuses(payload)]


def _raw_statuses(payload: Mapping[str, Any]) -> Iterator[tuple[Mapping[str, Any], str]]:
    for entry in _dicts(payload.get("entry")):
        for change in _dicts(entry.get("changes")):
            value = change.get("value")
            if change.get("field") != "messages" or not isinstance(value, dict):
                continue
            number_id = str((value.get("metadata") or {}).get("phone_number_id") or "")
            for status in _dicts(value.get("statuses")):
                yield status, number_id


def _dicts(value: Any) -> list[Mapping[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _status(raw: Mapping[str, Any], number_id: str) -> MessageStatus:
    errors = _dicts(raw.get("errors"))
    error = errors[0] if errors else {}
    try:
        timestamp = datetime.fromtimestamp(int(raw.get("timestamp") or 0), UTC)
    except (TypeError, ValueError, OverflowError):
        raise WebhookRejected("A status in the webhook has no readable time.") from None
    code = error.get("code")
    return MessageStatus(
        message_id=str(raw.get("id") or ""),
        # Numbers may give way to business-scoped user ids; keep whichever Meta sent.
        recipient_id=str(raw.get("recipient_id") or raw.get("recipient_user_id") or ""),
        status=str(raw.get("status") or ""),
        timestamp=timestamp,
        error_code=code if isinstance(code, int) else None,
        error_title=str(error.get("title") or error.get("message") or ""),
        pricing_category=str((raw.get("pricing") or {}).get("category") or ""),
        phone_number_id=number_id,
        callback_data=str(raw.get("biz_opaque_callback_data") or ""),
    )
