"""Template filters of the order pages and e-mails."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language

from orders.money import format_cents

register = template.Library()


@register.filter
def cents(value: int | None, currency: str = "EUR") -> str:
    """Show an amount in cents as the customer reads it, e.g. "€ 12,50"."""
    return format_cents(int(value or 0), currency or "EUR")


@register.simple_tag
def colon() -> str:
    """Return a colon as the active language writes it: French puts a no-break space before it."""
    return "\u00a0:" if (get_language() or "").startswith("fr") else ":"
