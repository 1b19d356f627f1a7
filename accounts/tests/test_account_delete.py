"""A customer closes their own account (SMP-9): keep the data for the policy's periods, or erase it (ALB-3, STX-4)."""

import datetime
import html
import re

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from accounts.models import AccountEvent, Address, User
from accounts.tasks import erase_requested_accounts
from accounts.tests.factories import AddressFactory, UserFactory
from orders.models import Invoice, Order
from orders.tests.test_privacy_rules import delivered_order
from photos.models import Photo
from photos.tests.factories import PhotoFactory

URL = "accounts:delete"
T0 = datetime.datetime(2026, 3, 10, 3, 16, tzinfo=datetime.UTC)  # 03:16: just after a nightly job would have run


@pytest.fixture
def customer(password):
    user = UserFactory(language="fr", first_name="Emma", last_name="Janssens")
    user.set_password(password)
    user.save()
    AddressFactory(user=user)
    return user


@pytest.fixture
def signed_in(client, customer):
    client.force_login(customer)
    return client


@pytest.fixture
def no_worker(monkeypatch):
    """The queue lost the erasure task (a worker down): only the periodic run is left to do it."""
    monkeypatch.setattr(erase_requested_accounts, "delay", lambda *args, **kwargs: None)


def nl(text: str) -> str:
    """The page's text as a Dutch visitor reads it (the default language), escaped as in HTML."""
    with translation.override("nl"):
        return html.escape(gettext(text))


def _post(client, choice: str, password: str):
    return client.post(reverse(URL), {"choice": choice, "password": password})


@pytest.mark.django_db
def test_the_page_is_for_signed_in_customers_and_says_what_happens(client, signed_in, django_assert_max_num_queries):
    assert Client().get(reverse(URL)).status_code == 302
    with django_assert_max_num_queries(8):
        page = signed_in.get(reverse(URL)).content.decode()
    assert "48" in page  # STX-4 in the default preset: closed account data goes 48 hours after closing
    assert 'value="close"' in page
    assert 'value="erase"' in page
    assert 'type="password"' in page


@pytest.mark.django_db
def test_a_wrong_password_closes_nothing_and_says_so(signed_in, customer):
    response = _post(signed_in, "erase", "not-my-password")
    assert response.status_code == 200
    assert nl("That is not your password.") in response.content.decode()
    customer.refresh_from_db()
    assert customer.is_active
    assert customer.closed_at is None
    assert mail.outbox == []


@pytest.mark.django_db
def test_no_choice_is_a_clear_error(signed_in, customer, password):
    response = signed_in.post(reverse(URL), {"password": password})
    assert response.status_code == 200
    customer.refresh_from_db()
    assert customer.is_active


@pytest.mark.django_db
def test_closing_signs_out_everywhere_confirms_by_mail_and_keeps_the_data_for_the_policy_periods(
    signed_in, customer, password
):
    elsewhere = Client()
    elsewhere.force_login(customer)
    response = _post(signed_in, "close", password)
    assert response.status_code == 302
    customer.refresh_from_db()
    assert not customer.is_active
    assert customer.closed_at is not None
    assert customer.erasure_requested_at is None
    # Signed out here and on the other device.
    assert signed_in.get(reverse("accounts:profile")).status_code == 302
    assert elsewhere.get(reverse("accounts:profile")).status_code == 302
    assert not Client().login(email=customer.email, password=password)
    # Kept for the policy's periods: the sweep ends it 48 hours after closing (STX-4).
    assert Address.objects.filter(user=customer).exists()
    event = AccountEvent.objects.get(user=customer, kind=AccountEvent.Kind.CLOSED)
    assert event.detail["reason"] == "customer_request"
    assert event.actor is None
    # One confirmation, in the customer's language, saying what happens to the data.
    (message,) = mail.outbox
    assert message.to == [customer.email]
    assert message.subject == "Votre compte est fermé"
    assert "48 heures" in message.body


@pytest.mark.django_db
def test_erasing_mails_the_address_first_then_erases_photos_files_and_profile_and_restricts_the_invoice(
    client, password, django_capture_on_commit_callbacks
):
    order = delivered_order()
    user = order.user
    user.set_password(password)
    user.language = "nl"
    user.save()
    email = user.email
    photo = PhotoFactory(user=user)
    original, storage = photo.original.name, photo.original.storage
    photos = Photo.objects.filter(user=user).count()  # the ordered one and this one
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, "erase", password)
    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.to == [email]
    assert "gewist" in message.subject
    user.refresh_from_db()
    assert user.anonymised_at is not None
    assert user.email.endswith("@anonymised.invalid")
    assert not Photo.objects.filter(pk=photo.pk).exists()
    assert not storage.exists(original)
    assert not User.objects.filter(email__iexact=email).exists()
    assert not Order.objects.filter(email__iexact=email).exists()
    invoice = Invoice.objects.get(order=order)
    assert invoice.restricted_at is not None  # PIX-1: kept for the tax law, restricted
    # The earlier records went with the account's data; the erasure's own record says when it was asked for.
    erased = AccountEvent.objects.get(user=user, kind=AccountEvent.Kind.ERASED)
    assert erased.detail["erasure_requested_at"] is not None
    assert erased.detail["records"]["photos.Photo"]["erased"] == photos


@pytest.mark.django_db
def test_a_lost_erasure_task_is_caught_by_the_next_run_and_never_late_whatever_the_hour(
    client, customer, password, no_worker, django_capture_on_commit_callbacks
):
    client.force_login(customer)
    with time_machine.travel(T0, tick=False):
        _post(client, "erase", password)
    customer.refresh_from_db()
    assert customer.closed_at is not None
    assert customer.anonymised_at is None  # queued, not done: the task was lost
    # The beat runs the erasures every sweep interval (15 minutes), any time of day.
    with (
        time_machine.travel(T0 + datetime.timedelta(minutes=15), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert erase_requested_accounts() == 1
    customer.refresh_from_db()
    assert customer.anonymised_at <= T0 + datetime.timedelta(hours=48)
    assert not Address.objects.filter(user=customer).exists()
    assert erase_requested_accounts() == 0  # done once


@pytest.mark.django_db
def test_asking_twice_changes_nothing_more(customer):
    from accounts.services import account_delete_request

    with time_machine.travel(T0, tick=False):
        account_delete_request(user=customer, erase=False)
    with time_machine.travel(T0 + datetime.timedelta(hours=1), tick=False):
        account_delete_request(user=customer, erase=False)
    assert AccountEvent.objects.filter(user=customer, kind=AccountEvent.Kind.CLOSED).count() == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_an_account_without_a_password_confirms_through_an_e_mailed_link(
    client, customer, django_capture_on_commit_callbacks
):
    customer.set_unusable_password()  # signed up through a social login
    customer.save()
    client.force_login(customer)
    page = client.get(reverse(URL)).content.decode()
    assert 'type="password"' not in page
    assert client.post(reverse(URL), {"choice": "erase"}).status_code == 302
    customer.refresh_from_db()
    assert customer.is_active  # nothing happens before the link is used
    (message,) = mail.outbox
    assert message.to == [customer.email]
    path = re.search(r"https?://[^/\s]+(/\S+/close/confirm/\S+/)", message.body).group(1)
    # Another account cannot use it.
    other = Client()
    other.force_login(UserFactory())
    assert other.post(path).status_code == 404
    # Opening the link asks once more (a mail scanner's GET changes nothing); the POST closes and erases.
    assert client.get(path).status_code == 200
    customer.refresh_from_db()
    assert customer.is_active
    with django_capture_on_commit_callbacks(execute=True):  # the erasure is queued once the closing commits
        assert client.post(path).status_code == 302
    customer.refresh_from_db()
    assert customer.anonymised_at is not None


@pytest.mark.django_db
def test_the_e_mailed_link_expires_after_an_hour_and_a_forged_one_does_nothing(client, customer):
    customer.set_unusable_password()
    customer.save()
    client.force_login(customer)
    with time_machine.travel(T0, tick=False):
        client.post(reverse(URL), {"choice": "close"})
    path = re.search(r"https?://[^/\s]+(/\S+/close/confirm/\S+/)", mail.outbox[0].body).group(1)
    with time_machine.travel(T0 + datetime.timedelta(minutes=61), tick=False):
        expired = client.post(path)
    assert expired.status_code == 400
    assert client.post(path[:-3] + "xx/").status_code == 400
    customer.refresh_from_db()
    assert customer.is_active


@pytest.mark.django_db
def test_a_staff_account_is_not_closed_here(client, password):
    staff = UserFactory(is_staff=True)
    staff.set_password(password)
    staff.save()
    client.force_login(staff)
    response = _post(client, "erase", password)
    assert response.status_code == 200
    assert nl("Staff accounts are not closed or erased here.") in response.content.decode()
    staff.refresh_from_db()
    assert staff.is_active


# ---- staff: the list of pending and late erasures


@pytest.mark.django_db
def test_the_privacy_officer_sees_pending_and_late_erasures_and_support_does_not(
    customer, staff_client, no_worker, django_capture_on_commit_callbacks
):
    from accounts.services import account_delete_request

    with time_machine.travel(T0, tick=False):
        account_delete_request(user=customer, erase=True)
    changelist = reverse("admin:accounts_accountdeletion_changelist")
    officer = staff_client("Privacy officer")
    with time_machine.travel(T0 + datetime.timedelta(hours=47, minutes=59), tick=False):
        page = officer.get(changelist).content.decode()
    with translation.override("nl"):
        assert html.escape(gettext("account #%(number)s") % {"number": customer.pk}) in page
    assert nl("pending") in page
    assert customer.email not in page
    with time_machine.travel(T0 + datetime.timedelta(hours=48, minutes=1), tick=False):
        late = officer.get(changelist + "?state=late").content.decode()
    assert nl("LATE: not erased within 48 hours") in late
    assert staff_client("Support").get(changelist).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        officer.post(changelist, {"action": "erase_now", "_selected_action": [customer.pk]})
    customer.refresh_from_db()
    assert customer.anonymised_at is not None


# ---- the operators' command


@pytest.mark.django_db
def test_privacy_erase_refuses_an_unknown_address():
    with pytest.raises(CommandError, match="No account has the e-mail address"):
        call_command("privacy_erase", "nobody@example.com")


@pytest.mark.django_db
def test_privacy_erase_now_erases_and_says_what(customer, capsys, django_capture_on_commit_callbacks):
    email = customer.email
    with django_capture_on_commit_callbacks(execute=True):
        call_command("privacy_erase", email.upper(), "--now")
    out = capsys.readouterr().out
    assert f"Account #{customer.pk} closed and erased" in out
    assert "accounts.Address: 1 erased" in out
    assert mail.outbox[0].to == [email]
    assert not User.objects.filter(email__iexact=email).exists()


@pytest.mark.django_db
def test_privacy_erase_without_now_queues_within_48_hours(customer, capsys, no_worker):
    call_command("privacy_erase", customer.email)
    out = capsys.readouterr().out
    assert "its erasure is queued" in out
    customer.refresh_from_db()
    assert customer.erasure_requested_at is not None
    assert customer.anonymised_at is None
