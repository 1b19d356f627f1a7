"""Hot parts of pages in Jinja2: the parts repeated per row of a signed-in page (cart lines, order rows).

Django's template language costs a Python call per node and variable, which
made a cart of a few lines or a page of orders several times slower than a
page without rows (``bench/pages.py``). Those repeated parts live in each
app's ``partials/`` folder as Jinja2 templates, which compile to Python and
render the same markup several times faster. Texts are translated with
Django's own catalogues (``_("...")``, extracted by ``makemessages`` like
any template's), links are reversed with ``url(name, *args)``, and the form
token comes in as ``csrf_input``. The rest of every page stays in Django's
templates.
"""

from __future__ import annotations

import datetime
import functools
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext, ngettext
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from orders.money import format_cents
from photoshop.context_processors import request_csrf_token


def _url(name: str, *args: Any) -> str:
    return reverse(name, args=args)


def _date(value, fmt: str = "j F Y") -> str:
    """Django's ``date`` filter: an aware moment in the current time zone, in the active language."""
    from django.utils import formats, timezone

    if value is None:
        return ""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return formats.date_format(value, fmt)


def _colon() -> str:
    return "\u00a0:" if (get_language() or "").startswith("fr") else ":"


@functools.cache
def environment() -> Environment:
    """The partials' Jinja2 environment: autoescaped, Django's translations, strict about unknown names."""
    folders = [Path(app.path) / "partials" for app in apps.get_app_configs()]
    env = Environment(
        loader=FileSystemLoader([str(f) for f in folders if f.is_dir()]),
        autoescape=True,
        auto_reload=settings.DEBUG,
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(gettext, ngettext, newstyle=False)
    env.globals.update(url=_url, colon=_colon)
    env.filters["cents"] = lambda value, currency="EUR": format_cents(int(value or 0), currency or "EUR")
    env.filters["date"] = _date
    return env


def render_partial(name: str, context: dict[str, Any], *, request=None) -> SafeString:
    """Render ``<app>/partials/<name>`` with ``context``; with a request, forms get ``csrf_input``."""
    if request is not None:
        token = request_csrf_token(request)
        context = {
            **context,
            "csrf_input": format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', token),
        }
    return SafeString(environment().get_template(name).render(context))
