"""Guessing codes is rate-limited per client address and per account (a sliding window in the cache)."""

from __future__ import annotations

from django.core.cache import cache
from django.http import HttpRequest

from accounts.adapters import client_address

ATTEMPTS = 10
WINDOW_SECONDS = 10 * 60


def too_many_attempts(request: HttpRequest) -> bool:
    """Count one attempt for the request's address and account; return whether either is over the limit."""
    keys = [f"promo-attempts:ip:{client_address(request)}"]
    if request.user.is_authenticated:
        keys.append(f"promo-attempts:user:{request.user.pk}")
    over = False
    for key in keys:
        cache.add(key, 0, WINDOW_SECONDS)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, WINDOW_SECONDS)
            count = 1
        over = over or count > ATTEMPTS
    return over
