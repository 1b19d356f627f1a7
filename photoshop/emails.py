"""E-mails of every app: links on the shop's own domain, and a message rendered in the recipient's language."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from photoshop.sites import site_domain


def absolute_url(path: str) -> str:
    """Return ``path`` on the shop's own domain, as links in e-mails need."""
    scheme = getattr(settings, "ACCOUNT_DEFAULT_HTTP_PROTOCOL", "http")
    return f"{scheme}://{site_domain()}{path}"


def render_email(
    *, template: str, context: dict[str, Any], language: str, to: str, headers: dict[str, str] | None = None
) -> EmailMultiAlternatives:
    """Render ``<template>_subject.txt``, ``<template>.txt`` and ``<template>.html`` in ``language`` to ``to``.

    The HTML extends ``email/base.html``, the shop's one e-mail layout.
    """
    with translation.override(language):
        context = {"site_name": settings.SITE_NAME, "language": language, **context}
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        text = render_to_string(f"{template}.txt", context)
        html = render_to_string(f"{template}.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[to], headers=headers or {})
    message.attach_alternative(html, "text/html")
    message.template_name = template
    return message


def send_email(message: EmailMultiAlternatives, *, user=None, kind: str) -> None:
    """Send a rendered message and, for an account, log it (kind, which, when): SMP-4 counts from it."""
    message.send()
    if user is not None and user.pk is not None:
        from accounts.models import MessageLog

        MessageLog.objects.create(user=user, kind=kind, template=getattr(message, "template_name", "")[:100])
