"""What visitors without an account may store: per client address in a rolling window, and in total.

A visitor's quota is per session, and a new session costs nothing, so the
quota alone bounds nobody. The bytes each address stored are counted in
the shared cache in hourly buckets (summed over the window); the address
is kept there only as a keyed hash (IPv6 by its /64, which one subscriber
holds), and the counts expire with the window. The total is the sum of the
visitors' stored photos.
"""

from __future__ import annotations

import ipaddress
import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.template.defaultfilters import filesizeformat
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from photos.models import Photo
from photos.selectors import Owner

BUCKET_SECONDS = 3600
KEY_PREFIX = "photos:visitor-bytes"


def _network(address: str) -> str:
    """Return the address as counted: an IPv4 address, or the /64 an IPv6 address is in."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return "unknown"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _keys(address: str) -> tuple[str, list[str]]:
    """Return the current bucket's key and the keys of every bucket in the window (current first)."""
    digest = salted_hmac(KEY_PREFIX, _network(address), algorithm="sha256").hexdigest()[:32]
    hour = int(time.time() // BUCKET_SECONDS)
    keys = [f"{KEY_PREFIX}:{digest}:{hour - age}" for age in range(settings.PHOTOS_VISITOR_WINDOW_HOURS)]
    return keys[0], keys


def _stored_from(address: str) -> int:
    """Return how many bytes visitors stored from this address within the window."""
    _current, keys = _keys(address)
    return sum(int(value) for value in cache.get_many(keys).values())


def _add(address: str, size: int) -> int:
    """Add ``size`` bytes (negative to give them back) to the address's count; return the window's total."""
    current, keys = _keys(address)
    cache.add(current, 0, timeout=(settings.PHOTOS_VISITOR_WINDOW_HOURS + 1) * BUCKET_SECONDS)
    try:
        cache.incr(current, size)
    except ValueError:  # expired between the two calls
        cache.set(current, max(size, 0), timeout=(settings.PHOTOS_VISITOR_WINDOW_HOURS + 1) * BUCKET_SECONDS)
    return sum(int(value) for value in cache.get_many(keys).values())


def _address_full() -> ValidationError:
    hours = settings.PHOTOS_VISITOR_WINDOW_HOURS
    return ValidationError(
        _(
            "Without an account you can upload %(limit)s of photos per %(hours)s hours from one connection. "
            "Create a free account or sign in to upload more."
        )
        % {"limit": filesizeformat(settings.PHOTOS_VISITOR_MAX_BYTES_PER_ADDRESS), "hours": hours},
        code="visitor_address_limit",
    )


def _visitors_full() -> ValidationError:
    return ValidationError(
        _("Uploading without an account is not possible at the moment. Create a free account or sign in to upload."),
        code="visitors_full",
    )


def visitors_stored() -> int:
    """Return how many bytes all visitors' photos take together."""
    return Photo.objects.filter(user__isnull=True).aggregate(total=Sum("size_bytes"))["total"] or 0


def visitor_check(*, owner: Owner, address: str, size: int) -> None:
    """Raise ValidationError if a visitor storing ``size`` more bytes would pass a visitors' limit.

    Advisory (nothing is counted): ``visitor_reserve`` counts the bytes
    when the photo is inserted. Accounts are not limited here.
    """
    if owner.user_id:
        return
    if _stored_from(address) + size > settings.PHOTOS_VISITOR_MAX_BYTES_PER_ADDRESS:
        raise _address_full()
    if visitors_stored() + size > settings.PHOTOS_VISITORS_TOTAL_BYTES:
        raise _visitors_full()


def visitor_reserve(*, owner: Owner, address: str, size: int) -> bool:
    """Count ``size`` bytes against the visitor's address, or raise ValidationError past a limit.

    The count goes up first and is checked after, so parallel uploads from
    one address cannot pass the limit together (at worst both are refused).
    Return whether bytes were counted (to give back with ``visitor_release``
    if the photo is not stored after all).
    """
    if owner.user_id:
        return False
    if _add(address, size) > settings.PHOTOS_VISITOR_MAX_BYTES_PER_ADDRESS:
        _add(address, -size)
        raise _address_full()
    if visitors_stored() + size > settings.PHOTOS_VISITORS_TOTAL_BYTES:
        _add(address, -size)
        raise _visitors_full()
    return True


def visitor_release(*, address: str, size: int) -> None:
    """Give back bytes counted by ``visitor_reserve`` for a photo that was not stored."""
    _add(address, -size)
