"""The payment provider's webhook: verify first, store the event id once, hand it to the payment service."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from orders.payments import BadWebhook, gateway
from orders.services.payments import webhook_event_process

logger = logging.getLogger(__name__)


@csrf_exempt  # signed by the provider instead
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    try:
        event = gateway().parse_webhook(payload=request.body, signature=request.headers.get("Stripe-Signature", ""))
    except BadWebhook:
        return HttpResponseBadRequest("invalid signature")
    result = webhook_event_process(event=event)
    logger.info("stripe event %s %s: %s", event.get("id"), event.get("type"), result)
    return HttpResponse(result, content_type="text/plain")
