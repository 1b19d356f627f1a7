"""Template filters of the order pages and e-mails."""

from __future__ import annotations

from django import template

from orders.money import format_cents

register = template.Library()


@register.filter
def cents(value: int | None, currency: str = "EUR") -> str:
    """Show an amount in cents as the customer reads it, e.g. "€ 12,50"."""
    return format_cents(int(value or 0), currency or "EUR")
