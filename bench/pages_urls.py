"""The site's URLs plus ``/__hello__/``: the benchmark's baseline, behind the same middleware.

Used only by ``bench/pages.py`` (``pages_settings``); the shipped site has no such view.
"""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from photoshop.urls import urlpatterns as site_urlpatterns


def hello(request: HttpRequest) -> HttpResponse:
    """Return a fixed page: the cost of the stack without a view's own work."""
    return HttpResponse("<!doctype html><title>Hello</title><p>Hello, world.</p>")


urlpatterns = [path("__hello__/", hello, name="bench_hello"), *site_urlpatterns]
