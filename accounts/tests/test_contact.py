"""Contact form and customer service's answers (SMP-4, PIX-4): asked signed in or not, answered by e-mail."""

import datetime

import pytest
import time_machine
from dateutil.relativedelta import relativedelta
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.models import ContactMessage, ContactThread, MessageLog
from accounts.tests.factories import UserFactory
from privacy.sweep import run_sweep

T0 = datetime.datetime(2026, 4, 1, 10, 0, tzinfo=datetime.UTC)
DAY = datetime.timedelta(days=1)
QUESTION = {
    "name": "Lena Peeters",
    "email": "lena@example.be",
    "subject": "Matte prints?",
    "body": "Do you print matte?",
}


def _url(language="en") -> str:
    with translation.override(language):
        return reverse("contact")


@pytest.mark.django_db
def test_a_visitor_asks_a_question_without_an_account(client):
    response = client.post(_url("fr"), QUESTION)
    assert response.status_code == 302
    thread = ContactThread.objects.get()
    assert (thread.email, thread.name, thread.language, thread.user) == ("lena@example.be", "Lena Peeters", "fr", None)
    assert thread.messages.get().body == "Do you print matte?"
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.django_db
def test_a_signed_in_customer_is_answered_at_their_account_address(client):
    user = UserFactory(first_name="Tom", last_name="Claes")
    client.force_login(user)
    page = client.get(_url()).content.decode()
    assert 'name="email"' not in page
    client.post(_url(), {"subject": "Invoice", "body": "Where is my invoice?"})
    thread = ContactThread.objects.get()
    assert (thread.user, thread.email, thread.name) == (user, user.email, "Tom Claes")


@pytest.mark.django_db
def test_a_question_without_text_or_with_a_bad_address_is_refused_and_nothing_is_kept(client):
    response = client.post(_url(), {**QUESTION, "body": "", "email": "not-an-address"})
    assert response.status_code == 200
    assert response.context["form"].errors.keys() >= {"body", "email"}
    assert not ContactThread.objects.exists()


@pytest.mark.django_db
def test_more_than_five_questions_an_hour_from_one_address_are_refused(client):
    for _ in range(5):
        assert client.post(_url(), QUESTION).status_code == 302
    response = client.post(_url(), QUESTION)
    assert response.status_code == 200
    assert "several questions in a short time" in response.content.decode()
    assert ContactThread.objects.count() == 5


@pytest.mark.django_db
def test_support_answers_from_the_admin_and_the_answer_is_e_mailed_in_the_questions_language(
    client, staff_client, django_capture_on_commit_callbacks
):
    user = UserFactory()
    client.force_login(user)
    client.post(_url("fr"), {"subject": "Mat ou brillant ?", "body": "Que conseillez-vous ?"})
    thread = ContactThread.objects.get()
    support = staff_client("Support")
    change = reverse("admin:accounts_contactthread_change", args=[thread.pk])
    assert support.get(change).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = support.post(change, {"answer": "Le mat, pour les portraits.", **_inline_management()})
    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.to == [user.email]
    assert message.subject == "Re: Mat ou brillant ?"
    assert "Le mat, pour les portraits." in message.body
    assert "Service client" in message.body
    thread.refresh_from_db()
    assert thread.status == ContactThread.Status.ANSWERED
    assert ContactMessage.objects.filter(thread=thread, from_staff=True).count() == 1
    assert MessageLog.objects.filter(user=user, template="accounts/email/contact_answer").exists()
    # The print lab has no business with customers' questions.
    assert staff_client("Print lab").get(change).status_code == 403


def _inline_management() -> dict:
    prefix = "messages"
    return {
        f"{prefix}-TOTAL_FORMS": "1",
        f"{prefix}-INITIAL_FORMS": "1",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def _thread(resolved_at=None) -> ContactThread:
    with time_machine.travel(T0, tick=False):
        Client().post(_url(), QUESTION)
    thread = ContactThread.objects.get()
    if resolved_at:
        ContactThread.objects.filter(pk=thread.pk).update(status="resolved", resolved_at=resolved_at)
    return thread


def _sweep(moment, preset):
    with time_machine.travel(moment, tick=False):
        run_sweep(preset=preset)


@pytest.mark.django_db
@pytest.mark.parametrize("preset", ["pix", "default"])
def test_pix4_a_resolved_question_goes_3_months_after_it_was_resolved(preset):
    resolved = T0 + relativedelta(days=3)
    _thread(resolved_at=resolved)
    _sweep(resolved + relativedelta(months=3) - DAY, preset)
    assert ContactThread.objects.exists()
    _sweep(resolved + relativedelta(months=3) + DAY, preset)
    assert not ContactThread.objects.exists()
    assert not ContactMessage.objects.exists()


@pytest.mark.django_db
def test_smp4_a_question_goes_2_years_after_the_last_message():
    _thread()
    _sweep(T0 + relativedelta(years=2) - DAY, "smartphoto")
    assert ContactThread.objects.exists()
    _sweep(T0 + relativedelta(years=2) + DAY, "smartphoto")
    assert not ContactThread.objects.exists()
