"""The breach register (SMP-12): link the people a breach concerns and tell each of them in their language."""

from __future__ import annotations

import datetime
import html

import pytest
import time_machine
from dateutil.relativedelta import relativedelta
from django.core import mail
from django.urls import reverse
from django.utils import translation

from accounts.models import MessageLog
from accounts.tests.factories import UserFactory
from privacy.models import Breach, BreachNotice
from privacy.services import erase_subject
from privacy.sweep import run_sweep

T0 = datetime.datetime(2026, 4, 1, 10, 0, tzinfo=datetime.UTC)
DAY = datetime.timedelta(days=1)
TEXTS = {
    "impact_nl": "Je naam en adres waren zichtbaar.",
    "advice_nl": "Let op verdachte brieven.",
    "impact_fr": "Votre nom et votre adresse étaient visibles.",
    "advice_fr": "Méfiez-vous des courriers suspects.",
    "impact_en": "Your name and address were visible.",
    "advice_en": "Watch out for suspicious letters.",
}


def _says(text: str, **values) -> str:
    with translation.override("nl"):  # the admin speaks the site's default language
        return translation.gettext(text) % values if values else translation.gettext(text)


def _post(client, breach, step, **data):
    response = client.post(reverse("admin:privacy_breach_step", args=[breach.pk, step]), data, follow=True)
    return html.unescape(response.content.decode())


def _breach(**texts) -> Breach:
    return Breach.objects.create(
        title="Label printer sent the wrong list",
        description="Internal",
        created_by=UserFactory(is_staff=True),
        **texts,
    )


@pytest.mark.django_db
def test_smp12_the_officer_links_the_people_and_each_is_told_once_in_their_language(
    staff_client, django_capture_on_commit_callbacks
):
    dutch = UserFactory(email="an@example.com", language="nl")
    french = UserFactory(email="luc@example.com", language="fr")
    UserFactory(email="staff@example.com", is_staff=True)
    breach = _breach()
    officer = staff_client("Privacy officer")
    page = _post(officer, breach, "link", emails="AN@example.com\nluc@example.com\nwho@example.com staff@example.com")
    assert _says("%(count)d people linked.", count=2) in page
    assert "who@example.com, staff@example.com" in page or "staff@example.com, who@example.com" in page
    assert _says("%(count)d people linked.", count=0) in _post(officer, breach, "link", emails="an@example.com")

    page = _post(officer, breach, "notify")
    assert "(ontbreekt: nl, fr, en)" in page
    assert not mail.outbox
    Breach.objects.filter(pk=breach.pk).update(**TEXTS)
    with django_capture_on_commit_callbacks(execute=True):
        page = _post(officer, breach, "notify")
    assert _says("%(count)d people are being told, each in their language.", count=2) in page
    by_address = {m.to[0]: m for m in mail.outbox}
    assert "Je naam en adres waren zichtbaar." in by_address["an@example.com"].body
    assert "Let op verdachte brieven." in by_address["an@example.com"].body
    assert "Méfiez-vous des courriers suspects." in by_address["luc@example.com"].body
    assert by_address["luc@example.com"].subject == "Important : un incident de sécurité concerne vos données"
    assert not BreachNotice.objects.filter(notified_at__isnull=True).exists()
    assert MessageLog.objects.filter(user__in=[dutch, french], template="privacy/email/breach").count() == 2
    assert _says("Everyone linked to this breach has been told already.") in _post(officer, breach, "notify")
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_only_the_privacy_officer_keeps_the_breach_register(staff_client):
    breach = _breach()
    support = staff_client("Support")
    assert support.get(reverse("admin:privacy_breach_changelist")).status_code == 403
    assert support.post(reverse("admin:privacy_breach_step", args=[breach.pk, "notify"])).status_code == 403
    officer = staff_client("Privacy officer")
    assert officer.get(reverse("admin:privacy_breach_change", args=[breach.pk])).status_code == 200


@pytest.mark.django_db
def test_who_was_told_is_kept_2_years_and_goes_with_an_erasure():
    first, second = UserFactory(), UserFactory()
    breach = _breach(**TEXTS)
    with time_machine.travel(T0, tick=False):
        BreachNotice.objects.create(breach=breach, user=first, linked_at=T0, notified_at=T0)
        BreachNotice.objects.create(breach=breach, user=second, linked_at=T0, notified_at=T0)
    erase_subject(second)
    assert list(BreachNotice.objects.values_list("user", flat=True)) == [first.pk]
    with time_machine.travel(T0 + relativedelta(years=2) - DAY, tick=False):
        run_sweep(preset="default")
    assert BreachNotice.objects.exists()
    with time_machine.travel(T0 + relativedelta(years=2) + DAY, tick=False):
        run_sweep(preset="default")
    assert not BreachNotice.objects.exists()
    assert Breach.objects.filter(pk=breach.pk).exists()  # the register itself stays (GDPR article 33(5))
