"""Data breaches (SMP-12): link the people a breach concerns and tell each of them, in their language."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from photoshop.outbox import enqueue
from privacy.models import Breach, BreachNotice

BATCH = 200


def breach_link_people(*, breach: Breach, emails: Iterable[str]) -> tuple[int, list[str]]:
    """Link the customers with these e-mail addresses to the breach; return how many were new and the unknown ones.

    Set-based: one query to find the accounts, one insert; a person linked
    already is not linked twice.
    """
    from accounts.models import User

    wanted = {e.strip().lower() for e in emails if e.strip()}
    found = dict(
        User.objects.filter(email__in=wanted, is_staff=False, anonymised_at__isnull=True).values_list("email", "pk")
    )
    before = BreachNotice.objects.filter(breach=breach).count()
    BreachNotice.objects.bulk_create(
        [BreachNotice(breach=breach, user_id=pk) for pk in found.values()], ignore_conflicts=True
    )
    linked = BreachNotice.objects.filter(breach=breach).count() - before
    return linked, sorted(wanted - {e.lower() for e in found})


def _check_notice_texts(breach: Breach) -> None:
    missing = [
        code
        for code, _name in settings.LANGUAGES
        if not getattr(breach, f"impact_{code}").strip() or not getattr(breach, f"advice_{code}").strip()
    ]
    if missing:
        raise ValidationError(
            _("Write the likely impact and the advice in every language before notifying (missing: %(langs)s).")
            % {"langs": ", ".join(missing)}
        )


def breach_notify(*, breach: Breach) -> int:
    """Start telling every linked person not told yet (a task); return how many will be told."""
    _check_notice_texts(breach)
    waiting = BreachNotice.objects.filter(breach=breach, notified_at__isnull=True).count()
    if not waiting:
        raise ValidationError(_("Everyone linked to this breach has been told already."))
    Breach.objects.filter(pk=breach.pk, notify_started_at__isnull=True).update(notify_started_at=timezone.now())

    from privacy.tasks import notify_breach

    enqueue(notify_breach, breach.pk)
    return waiting


def breach_send_notices(*, breach_id: int, progress=None) -> int:
    """Send the notice to each person not told yet, in batches; safe to run again (each person once)."""
    from privacy.emails import send_breach_email

    breach = Breach.objects.get(pk=breach_id)
    sent = 0
    last = 0
    while True:
        batch: QuerySet[BreachNotice] = (
            BreachNotice.objects.select_related("user")
            .filter(breach=breach, notified_at__isnull=True, pk__gt=last)
            .order_by("pk")[:BATCH]
        )
        notices = list(batch)
        if not notices:
            return sent
        for notice in notices:
            with transaction.atomic():
                # Claimed first: a second worker on the same breach skips this person.
                claimed = BreachNotice.objects.filter(pk=notice.pk, notified_at__isnull=True).update(
                    notified_at=timezone.now()
                )
                if claimed:
                    send_breach_email(breach=breach, user=notice.user)
                    sent += 1
        last = notices[-1].pk
        if progress is not None:
            progress(sent)
