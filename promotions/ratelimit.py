"""Guessing codes is rate-limited per client address and per account (a window in the cache).

Only refused codes count: a guess is a code that does not work. Valid codes
never do, so a student council's campus network (one address for hundreds
of students) or a shopper using several codes is never held up, while ten
wrong codes from one address or account stop further tries for ten minutes.
"""

from __future__ import annotations

from django.core.cache import cache
from django.http import HttpRequest

from accounts.adapters import client_address

ATTEMPTS = 10
WINDOW_SECONDS = 10 * 60


def _keys(request: HttpRequest) -> list[str]:
    keys = [f"promo-attempts:ip:{client_address(request)}"]
    if request.user.is_authenticated:
        keys.append(f"promo-attempts:user:{request.user.pk}")
    return keys


def too_many_attempts(request: HttpRequest) -> bool:
    """Return whether the request's address or account has had too many codes refused lately."""
    counts = cache.get_many(_keys(request))
    return any(count >= ATTEMPTS for count in counts.values())


def attempt_failed(request: HttpRequest) -> None:
    """Count one refused code for the request's address and account."""
    for key in _keys(request):
        cache.add(key, 0, WINDOW_SECONDS)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, WINDOW_SECONDS)
