"""The cart's choice lists (formats and finishes), rendered once per catalogue version and language.

Every cart line offers the same formats, and the same finishes per product;
only the selected option differs. Rendering those options for each line
was most of the cart page's time (``bench/pages.py``), so the markup is kept
under the catalogue version (``orders.selectors.catalogue``) and each line
marks its own choice in it.
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from orders.money import format_cents

register = template.Library()


def _mark(options: str, selected: object) -> SafeString:
    marker = f'<option value="{selected}">'
    # The markup is the catalogue's own, escaped when it was built.
    return mark_safe(options.replace(marker, f'<option value="{selected}" selected>', 1))  # noqa: S308


def _format_options() -> str:
    from orders.selectors.cart import orderable_formats

    return format_html_join(
        "",
        '<option value="{}">{} · {} — {}</option>',
        ((f.pk, f.product.name, f.name, format_cents(f.price_cents)) for f in orderable_formats()),
    )


def finish_options_by_product() -> dict[int, str]:
    """The finish options of each product on sale, as markup (a product without finishes is absent)."""
    from orders.models import Finish
    from orders.selectors.catalogue import catalogue_cached

    def build() -> dict[int, str]:
        found: dict[int, list[str]] = {}
        finishes = Finish.objects.filter(is_active=True, product__is_active=True).order_by(
            "product_id", "position", "id"
        )
        for finish in finishes:
            surcharge = f" (+ {format_cents(finish.surcharge_cents)})" if finish.surcharge_cents else ""
            found.setdefault(finish.product_id, []).append(
                format_html('<option value="{}">{}{}</option>', finish.pk, finish.name, surcharge)
            )
        return {product_id: "".join(options) for product_id, options in found.items()}

    return catalogue_cached(f"html:finish-options:{(get_language() or 'en')[:2]}", build)


@register.simple_tag
def format_options(selected_id: int) -> SafeString:
    """The options of every format a photo can be ordered in, ``selected_id`` selected."""
    from orders.selectors.catalogue import catalogue_cached

    return _mark(catalogue_cached(f"html:format-options:{(get_language() or 'en')[:2]}", _format_options), selected_id)


@register.simple_tag
def finish_options(options: str, selected_id: int | None) -> SafeString:
    """A product's finish options (from ``finish_options_by_product``), ``selected_id`` selected."""
    return _mark(options, selected_id)
