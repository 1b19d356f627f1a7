"""The payment gateway seam: one small base class and the Stripe implementation (``PAYMENT_GATEWAY``).

Services in ``orders.services.payments`` talk to a gateway, never to Stripe
directly, so another provider (or a test double) is a new class and a setting.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string


class PaymentsUnavailable(Exception):
    """The gateway is not configured or cannot be reached; the shopper is told to try again later."""


class PaymentDeclined(Exception):
    """The provider refused the payment (e.g. ``card_declined``)."""

    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(message or code)
        self.code = code


class BadWebhook(Exception):
    """A webhook delivery whose signature, timestamp or body does not verify."""


@dataclass(frozen=True)
class Intent:
    """A payment intent as the shop needs it."""

    id: str
    status: str  # requires_payment_method, requires_confirmation, processing, succeeded, canceled, ...
    amount: int
    currency: str
    client_secret: str = ""
    failure_code: str = ""


@dataclass(frozen=True)
class RefundResult:
    id: str
    status: str
    amount: int


def intent_from_object(obj: Any) -> Intent:
    """Return the Intent of a Stripe PaymentIntent object (from the API or from a webhook's ``data.object``)."""
    if hasattr(obj, "to_dict"):
        obj = obj.to_dict()
    error = obj.get("last_payment_error") or {}
    return Intent(
        id=str(obj["id"]),
        status=str(obj["status"]),
        amount=int(obj["amount"]),
        currency=str(obj["currency"]),
        client_secret=obj.get("client_secret") or "",
        failure_code=(error.get("decline_code") or error.get("code") or "") if error else "",
    )


class PaymentGateway:
    """What the shop asks of a payment provider."""

    def available(self) -> bool:
        raise NotImplementedError

    def create_intent(self, *, amount: int, currency: str, reference: str, idempotency_key: str) -> Intent:
        raise NotImplementedError

    def retrieve_intent(self, intent_id: str) -> Intent:
        raise NotImplementedError

    def cancel_intent(self, intent_id: str) -> Intent:
        raise NotImplementedError

    def refund(self, *, intent_id: str, amount: int, idempotency_key: str) -> RefundResult:
        raise NotImplementedError

    def parse_webhook(self, *, payload: bytes, signature: str) -> dict[str, Any]:
        raise NotImplementedError


class StripeGateway(PaymentGateway):
    """Stripe PaymentIntents over the official SDK (``STRIPE_API_BASE`` may point it at localstripe)."""

    def _client(self):
        import stripe

        if not settings.STRIPE_SECRET_KEY:
            raise PaymentsUnavailable("STRIPE_SECRET_KEY is not set")
        base = {"api": settings.STRIPE_API_BASE} if settings.STRIPE_API_BASE else {}
        return stripe.StripeClient(settings.STRIPE_SECRET_KEY, base_addresses=base, max_network_retries=2)

    def available(self) -> bool:
        return bool(settings.STRIPE_SECRET_KEY and settings.STRIPE_PUBLISHABLE_KEY)

    @staticmethod
    def _intent(obj: Any) -> Intent:
        return intent_from_object(obj)

    def _call(self, fn, *args, **kwargs):
        import stripe

        try:
            return fn(*args, **kwargs)
        except stripe.CardError as exc:
            raise PaymentDeclined(exc.code or "card_declined", exc.user_message or "") from exc
        except (stripe.APIConnectionError, stripe.AuthenticationError, stripe.RateLimitError) as exc:
            raise PaymentsUnavailable(str(exc)) from exc
        except stripe.StripeError as exc:
            raise PaymentsUnavailable(str(exc)) from exc

    def create_intent(self, *, amount: int, currency: str, reference: str, idempotency_key: str) -> Intent:
        client = self._client()
        obj = self._call(
            client.v1.payment_intents.create,
            params={
                "amount": amount,
                "currency": currency.lower(),
                "payment_method_types": list(settings.STRIPE_PAYMENT_METHOD_TYPES),
                "metadata": {"order": reference},
            },
            options={"idempotency_key": idempotency_key},
        )
        return self._intent(obj)

    def retrieve_intent(self, intent_id: str) -> Intent:
        return self._intent(self._call(self._client().v1.payment_intents.retrieve, intent_id))

    def cancel_intent(self, intent_id: str) -> Intent:
        return self._intent(self._call(self._client().v1.payment_intents.cancel, intent_id))

    def refund(self, *, intent_id: str, amount: int, idempotency_key: str) -> RefundResult:
        obj = self._call(
            self._client().v1.refunds.create,
            params={"payment_intent": intent_id, "amount": amount},
            options={"idempotency_key": idempotency_key},
        )
        return RefundResult(id=str(obj["id"]), status=str(obj["status"]), amount=int(obj["amount"]))

    def parse_webhook(self, *, payload: bytes, signature: str) -> dict[str, Any]:
        import stripe

        secret = settings.STRIPE_WEBHOOK_SECRET
        if not secret:
            raise BadWebhook("STRIPE_WEBHOOK_SECRET is not set")
        try:
            event = stripe.Webhook.construct_event(payload, signature, secret, settings.STRIPE_WEBHOOK_TOLERANCE)
        except (ValueError, UnicodeDecodeError, stripe.SignatureVerificationError) as exc:
            raise BadWebhook(str(exc)) from exc
        return event.to_dict() if hasattr(event, "to_dict") else dict(event)


@lru_cache(maxsize=4)
def _gateway_class(path: str) -> type[PaymentGateway]:
    return import_string(path)


def gateway() -> PaymentGateway:
    """Return the configured payment gateway."""
    return _gateway_class(settings.PAYMENT_GATEWAY)()
