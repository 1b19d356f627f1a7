"""The host names the shop answers on: the configured ones, and a microsite's for the request on it."""

from __future__ import annotations

from collections.abc import Iterator
from contextvars import ContextVar

# The host name of the microsite the current request is on, found by microsites.middleware
# among the microsites on line before anything asks for the request's host.
microsite_host: ContextVar[str | None] = ContextVar("microsite_host", default=None)


class AllowedHosts(list):
    """``ALLOWED_HOSTS`` that also holds the host name of the microsite the current request is on.

    Django checks a request's host by iterating over ``ALLOWED_HOSTS``
    (``HttpRequest.get_host``). The microsites' middleware, first of all,
    looks the request's host name up among the microsites on line and, if it
    is one, allows it for that request only: a site's host name works from the
    moment staff put it on line and stops when they take it off, and no other
    host is let in. Outside a request the list is the configured hosts only.
    """

    def __iter__(self) -> Iterator[str]:
        yield from super().__iter__()
        host = microsite_host.get()
        if host:
            yield host
