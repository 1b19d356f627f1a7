"""E-mails about the account itself: the confirmation that it is closed, and what happens to its data."""

from __future__ import annotations

from django.urls import reverse
from django.utils import translation

from accounts.models import ERASURE_WITHIN, MessageLog, User
from accounts.selectors import closing_consequences
from photoshop.emails import absolute_url, render_email, send_email


def send_account_closed_email(*, user: User, erase: bool) -> None:
    """Confirm to the owner, in their language, that the account is closed and what happens to their data.

    Sent at once, before the erasure: the address is still there to write to.
    A transactional message (STX-7): never held back by a preference.
    """
    language = user.language or "nl"
    context = {
        "erase": erase,
        "closed_at": user.closed_at,
        "erase_by": user.erasure_requested_at and user.erasure_requested_at + ERASURE_WITHIN,
        "consequences": closing_consequences(language=language),
        "policy_url": absolute_url(reverse("privacy:policy")),
    }
    message = render_email(template="accounts/email/account_closed", context=context, language=language, to=user.email)
    send_email(message, user=user, kind=MessageLog.Kind.TRANSACTIONAL)


def send_close_confirmation_email(*, user: User, url: str) -> None:
    """Send the link that confirms closing an account without a password (valid for an hour)."""
    language = user.language or "nl"
    context = {"url": absolute_url(url)}
    message = render_email(template="accounts/email/close_confirm", context=context, language=language, to=user.email)
    send_email(message, user=user, kind=MessageLog.Kind.TRANSACTIONAL)


def send_contact_answer_email(*, message_id: int) -> bool:
    """E-mail customer service's answer to the address the question came from, in its language."""
    from accounts.models import ContactMessage

    message = ContactMessage.objects.select_related("thread__user").filter(pk=message_id).first()
    if message is None:
        return False
    thread = message.thread
    with translation.override(thread.language):
        contact_url = absolute_url(reverse("contact"))
    context = {"thread": thread, "answer": message, "contact_url": contact_url}
    email = render_email(
        template="accounts/email/contact_answer", context=context, language=thread.language, to=thread.email
    )
    send_email(email, user=thread.user, kind=MessageLog.Kind.TRANSACTIONAL)
    return True
