"""WhatsApp's webhook: Meta subscribes with a GET and reports statuses with POSTs."""

from __future__ import annotations

import logging

from django.http import Http404, HttpRequest, HttpResponse
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


@csrf_exempt  # Meta's servers call this; they carry an HMAC signature, not a CSRF token
@require_http_methods(["GET", "POST"])
def webhook(request: HttpRequest, channel_id: int) -> HttpResponse:
    """Answer Meta's subscription check, or record the statuses of a signed report."""
    channel = Channel.objects.filter(pk=channel_id, network=Network.WHATSAPP).first()
    if channel is None:
        raise Http404
    secrets = channel.secrets or {}
    if request.method == "GET":
        challenge = verify_subscription(request.GET, str(secrets.get("verify_token") or ""))
        if challenge is None:
            logger.info("WhatsApp webhook check refused for channel %s.", channel.pk)
            return HttpResponse(
                "Verify token does not match.", status=403, content_type="text/plain"
            )
        return HttpResponse(challenge, content_type="text/plain")
    try:
        statuses = parse_status_webhook(
            request.body,
            request.headers.get("X-Hub-Signature-256", ""),
            str(secrets.get("app_secret") or ""),
        )
    except WebhookRejected as error:
        # The message names what was wrong, never what the body said.
        logger.warning("WhatsApp webhook refused for channel %s: %s", channel.pk, error.message)
        status = 403 if isinstance(error, SignatureMismatch) else 400
        return HttpResponse(error.message, status=status, content_type="text/plain")
    counted = record_statuses(channel, statuses)
    logger.info("WhatsApp webhook for channel %s: %d statuses.", channel.pk, counted)
    return HttpResponse("ok", content_type="text/plain")
