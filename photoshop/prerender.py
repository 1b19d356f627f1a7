"""Markup rendered once and filled in per request: for parts of pages that differ only in a few values.

A part is rendered with placeholder tokens where its per-request values go
(a CSRF token, a path, a photo's id and name), split at those tokens and
kept; each request joins the kept pieces with its own values, already
escaped by the caller. Joining costs microseconds where rendering the part
with Django's template language costs a large share of a page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from django.utils.safestring import SafeString, mark_safe


def split_at(markup: str, tokens: Iterable[str]) -> tuple[str, ...]:
    """Split rendered markup at the placeholder tokens: markup at even positions, tokens at odd ones."""
    pattern = re.compile("({})".format("|".join(re.escape(token) for token in tokens)))
    return tuple(pattern.split(markup))


def fill(parts: tuple[str, ...], values: Mapping[str, str]) -> SafeString:
    """Join the kept pieces with each token's value; ``values`` must be escaped HTML."""
    pieces = list(parts)
    pieces[1::2] = [values[token] for token in parts[1::2]]
    # The pieces are a template's output and every value is escaped by the caller.
    return mark_safe("".join(pieces))  # noqa: S308
