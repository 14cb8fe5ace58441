"""WhatsApp's webhook: Meta subscribes with a GET and reports statuses with POSTs."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from houseboat.connectors.constants import Network
from houseboat.connectors.models import Channel
from houseboat.connectors.whatsapp.connector import (
    SignatureMismatch,
    WebhookRejected,
    parse_status_webhook,
    verify_subscription,
)
from houseboat.connectors.whatsapp.services import record_statuses

logger = logging.getLogger(__name__)

NOT_META_CHECK = "Verify token does not match."
NOT_META_REPORT = "The webhook's signature does not match."


@csrf_exempt  # Meta's servers call this; they carry an HMAC signature, not a CSRF token
@require_http_methods(["GET", "POST"])
def webhook(request: HttpRequest, channel_id: int) -> HttpResponse:
    """Answer Meta's subscription check, or record the statuses of a signed report.

    Whoever cannot prove to be Meta gets the same refusal for every channel number, a
    WhatsApp channel's or not, with a secret or without: the answer must not tell a
    stranger which numbers are WhatsApp channels. The reason goes to the log.
    """
    channel = Channel.objects.filter(pk=channel_id, network=Network.WHATSAPP).first()
    secrets = (channel.secrets if channel else None) or {}
    if request.method == "GET":
        challenge = verify_subscription(request.GET, str(secrets.get("verify_token") or ""))
        if challenge is None:
            if channel is not None:
                logger.info("WhatsApp webhook check refused for channel %s.", channel.pk)
            return HttpResponse(NOT_META_CHECK, status=403, content_type="text/plain")
        return HttpResponse(challenge, content_type="text/plain")
    try:
        statuses = parse_status_webhook(
            request.body,
            request.headers.get("X-Hub-Signature-256", ""),
            str(secrets.get("app_secret") or ""),
        )
    except SignatureMismatch as error:
        if channel is not None:
            logger.warning("WhatsApp webhook refused for channel %s: %s", channel_id, error.message)
        return HttpResponse(NOT_META_REPORT, status=403, content_type="text/plain")
    except WebhookRejected as error:
        # Signed with the channel's own secret: Meta, who may read the reason. The message
        # names what was wrong, never what the body said.
        logger.warning("WhatsApp webhook refused for channel %s: %s", channel_id, error.message)
        return HttpResponse(error.message, status=400, content_type="text/plain")
    assert channel is not None  # a signature matched, so the channel has its secret
    counted = record_statuses(channel, statuses)
    logger.info("WhatsApp webhook for channel %s: %d statuses.", channel.pk, counted)
    return HttpResponse("ok", content_type="text/plain")
