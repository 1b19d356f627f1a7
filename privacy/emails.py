"""E-mails of the privacy app: a data export is ready."""

from __future__ import annotations

from django.urls import reverse

from accounts.models import MessageLog
from photoshop.emails import absolute_url, render_email, send_email
from privacy.models import DataExport


def send_export_ready_email(*, export: DataExport) -> None:
    """Tell the owner, in their language, that their copy is ready, with a link valid for 7 days."""
    from privacy.services import EXPORT_KEPT, export_link_token

    user = export.user
    language = user.language or "nl"
    context = {
        "url": absolute_url(reverse("privacy:export_download", args=[export_link_token(export)])),
        "until": export.finished_at + EXPORT_KEPT,
    }
    message = render_email(template="privacy/email/export_ready", context=context, language=language, to=user.email)
    send_email(message, user=user, kind=MessageLog.Kind.TRANSACTIONAL)


def send_request_email(*, request_id: int, step: str) -> None:
    """Tell the requester, in their language, where their privacy request stands (one e-mail per step)."""
    from django.utils import translation

    from privacy.dsar import confirm_url, document_rule
    from privacy.models import PrivacyRequest

    request = PrivacyRequest.objects.select_related("user").filter(pk=request_id).first()
    if request is None or not request.email:
        return
    with translation.override(request.language):  # the link opens the page in their language
        kind = str(request.get_kind_display())
        link = confirm_url(request) if step == "confirm" else ""
    context = {"request": request, "step": step, "kind": kind, "confirm_url": link, "document_rule": document_rule()}
    message = render_email(
        template="privacy/email/request", context=context, language=request.language, to=request.email
    )
    send_email(message, user=request.user, kind=MessageLog.Kind.TRANSACTIONAL)


def send_breach_email(*, breach, user) -> None:
    """Tell one person about a breach that concerns them (SMP-12): likely impact and advice, in their language."""
    language = user.language if user.language in ("nl", "fr", "en") else "nl"
    context = {"impact": getattr(breach, f"impact_{language}"), "advice": getattr(breach, f"advice_{language}")}
    message = render_email(template="privacy/email/breach", context=context, language=language, to=user.email)
    send_email(message, user=user, kind=MessageLog.Kind.TRANSACTIONAL)
