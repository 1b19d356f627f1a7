"""Notice before we delete: one e-mail, some weeks ahead, before the schedule ends a person's account or photos.

Found set-based, like the sweep: per rule, the rows that fall due within the
notice period and not yet, grouped per person in the database (how many,
and the earliest clock). One notice per person, kind of data and deadline
(a unique constraint), sent in the person's language, never to someone who
turned service messages off (STX-7), nor to a closed account (its owner
asked for the ending), nor to an address its owner never confirmed.
"""

from __future__ import annotations

import datetime

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db.models import Count, Exists, Min, OuterRef
from django.utils import timezone, translation

from accounts.models import MessageLog, User
from accounts.selectors import wants_service_messages
from privacy.models import RetentionNotice
from privacy.registry import Category, registry
from privacy.schedule import Action, effective_schedule
from privacy.sweep import _effective_action, applicable, deadline_cutoff, due_queryset

# The kinds of data a notice is sent about, and the model whose rows end.
NOTICE_MODELS = {Category.ACCOUNT: "accounts.user", Category.IMAGE: "photos.photo"}
CHUNK = 1000


def notice_period() -> datetime.timedelta:
    return datetime.timedelta(days=settings.PRIVACY_NOTICE_DAYS)


def _reachable_users():
    return User.objects.filter(
        is_active=True, closed_at__isnull=True, anonymised_at__isnull=True, is_staff=False
    ).filter(
        wants_service_messages(OuterRef("pk")),
        Exists(EmailAddress.objects.filter(user=OuterRef("pk"), verified=True, primary=True)),
    )


def retention_notices_plan(*, now: datetime.datetime | None = None, preset: str | None = None) -> int:
    """Record the notices due now (each once per person, kind of data and deadline); return how many are new."""
    now = now or timezone.now()
    horizon = now + notice_period()
    created = 0
    for rule in effective_schedule(preset):
        model = NOTICE_MODELS.get(rule.category)
        if model is None:
            continue
        for entry in registry.for_category(rule.category):
            if entry.label != model or not applicable(rule, entry):
                continue
            if _effective_action(rule, entry) not in (Action.DELETE, Action.ANONYMISE):
                continue
            person = "pk" if entry.subject == "" else entry.subject
            soon = (
                due_queryset(rule, entry, horizon)
                .filter(_since__gte=deadline_cutoff(rule, now))  # not already due: the sweep takes those
                .filter(**{f"{person}__in": _reachable_users().values("pk")})
                .order_by()
                .values(person)
                .annotate(first=Min("_since"), n=Count("pk"))
            )
            batch = []
            for row in soon.iterator(chunk_size=CHUNK):
                due_on = timezone.localtime(row["first"] + rule.period.delta()).date()
                batch.append(
                    RetentionNotice(user_id=row[person], category=rule.category, due_on=due_on, count=row["n"])
                )
                if len(batch) >= CHUNK:
                    created += _insert(batch)
                    batch = []
            created += _insert(batch)
    return created


def _insert(notices: list[RetentionNotice]) -> int:
    if not notices:
        return 0
    before = RetentionNotice.objects.count()
    RetentionNotice.objects.bulk_create(notices, ignore_conflicts=True)
    return RetentionNotice.objects.count() - before


def retention_notices_send(*, now: datetime.datetime | None = None) -> int:
    """Send the notices not sent yet, each marked sent once its e-mail went; return how many went."""
    now = now or timezone.now()
    sent = 0
    pending = RetentionNotice.objects.filter(sent_at__isnull=True, due_on__gte=now.date()).select_related("user")
    for notice in pending.iterator(chunk_size=CHUNK):
        _send(notice)
        RetentionNotice.objects.filter(pk=notice.pk).update(sent_at=timezone.now())
        sent += 1
    return sent


def _send(notice: RetentionNotice) -> None:
    from django.urls import reverse

    # The one-click unsubscribe of service messages (STX-7, RFC 8058) lives with the shop's reminders.
    from orders.emails import unsubscribe_headers
    from orders.services.reminders import unsubscribe_url
    from photoshop.emails import absolute_url, render_email, send_email

    user = notice.user
    language = user.language if user.language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    with translation.override(language):
        link = unsubscribe_url(user)
        context = {
            "notice": notice,
            "images": notice.category == Category.IMAGE,
            "login_url": absolute_url(reverse("account_login")),
            "my_data_url": absolute_url(reverse("privacy:my_data")),
            "unsubscribe_url": link,
        }
    message = render_email(
        template="privacy/email/retention_notice",
        context=context,
        language=language,
        to=user.email,
        headers=unsubscribe_headers(link),
    )
    send_email(message, user=user, kind=MessageLog.Kind.SERVICE)
