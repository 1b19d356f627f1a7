"""Staff close and erase accounts in the admin through confirmed actions; nobody deletes a user row.

The admin has no language prefix in its URLs, so it answers in the default language, Dutch.
"""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from accounts.models import AccountEvent, Address, Session, User
from accounts.tests.factories import AddressFactory, UserFactory

CHANGELIST = reverse("admin:accounts_user_changelist")
ROLES = ["Support", "Privacy officer", "Marketing", "Print lab"]


def customer(email: str) -> User:
    user = UserFactory(email=email)
    AddressFactory(user=user)
    Session.objects.create(
        session_key=f"{email[:20]}".ljust(32, "x"), session_data="{}", expire_date="2099-01-01T00:00Z", account=user
    )
    return user


def texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def action_choices(client) -> set[str]:
    page = client.get(CHANGELIST)
    assert page.status_code == 200
    return {name for name, _label in page.context["action_form"].fields["action"].choices if name}


@pytest.mark.django_db
@pytest.mark.parametrize("role", [*ROLES, None])
def test_no_staff_role_and_no_superuser_deletes_a_user_in_the_admin(client, staff_login, role):
    staff_login(role, superuser=role is None)
    shopper = customer("emma@example.com")

    assert client.get(reverse("admin:accounts_user_delete", args=[shopper.pk])).status_code in (302, 403)
    response = client.post(reverse("admin:accounts_user_delete", args=[shopper.pk]), {"post": "yes"})
    assert response.status_code in (302, 403)
    client.post(CHANGELIST, {"action": "delete_selected", ACTION_CHECKBOX_NAME: [shopper.pk], "post": "yes"})

    assert User.objects.filter(pk=shopper.pk, anonymised_at__isnull=True).exists()
    if role in ("Support", "Privacy officer", None):
        assert "delete_selected" not in action_choices(client)


@pytest.mark.django_db
def test_privacy_officer_closes_accounts_after_a_confirmation_page(client, staff_login):
    officer = staff_login("Privacy officer")
    emma, jan = customer("emma@example.com"), customer("jan@example.com")
    colleague = UserFactory(is_staff=True, email="colleague@staff.example")
    selected = {ACTION_CHECKBOX_NAME: [emma.pk, jan.pk, colleague.pk]}

    page = client.post(CHANGELIST, {"action": "close_accounts", **selected})

    assert page.status_code == 200
    html = page.content.decode()
    assert "emma@example.com" in html
    assert "jan@example.com" in html
    # A staff role does not see staff accounts (a superuser's): a colleague's key is ignored.
    assert "colleague@staff.example" not in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert not User.objects.filter(closed_at__isnull=False).exists()

    done = client.post(
        CHANGELIST, {"action": "close_accounts", "post": "yes", "reason": "customer_request", **selected}
    )

    assert done.status_code == 302
    assert set(User.objects.filter(closed_at__isnull=False)) == {emma, jan}
    assert not Session.objects.filter(account__in=[emma, jan]).exists()
    assert {(e.user, e.actor, e.kind) for e in AccountEvent.objects.all()} == {
        (emma, officer, "closed"),
        (jan, officer, "closed"),
    }
    colleague.refresh_from_db()
    assert colleague.closed_at is None
    assert colleague.is_active
    assert texts(done) == ["2 accounts gesloten."]


@pytest.mark.django_db
def test_privacy_officer_erases_an_account_from_its_change_page(client, staff_login):
    officer = staff_login("Privacy officer")
    emma = customer("emma@example.com")
    erase_url = reverse("admin:accounts_user_erase", args=[emma.pk])

    change_page = client.get(reverse("admin:accounts_user_change", args=[emma.pk]))
    assert erase_url in change_page.content.decode()
    assert reverse("admin:accounts_user_close", args=[emma.pk]) in change_page.content.decode()
    confirm = client.get(erase_url)
    assert confirm.status_code == 200
    assert "Dit kan niet ongedaan worden gemaakt." in confirm.content.decode()
    emma.refresh_from_db()
    assert emma.anonymised_at is None

    done = client.post(erase_url, {"post": "yes"})

    assert done.status_code == 302
    assert done.url == reverse("admin:accounts_user_change", args=[emma.pk])
    emma.refresh_from_db()
    assert emma.anonymised_at is not None
    assert emma.closed_at is not None
    assert not Address.objects.filter(user=emma).exists()
    assert AccountEvent.objects.filter(user=emma, actor=officer, kind="erased").exists()
    assert any(message.startswith("Persoonsgegevens van 1 account gewist: ") for message in texts(done))
    # Done once: the page no longer offers it.
    page = client.get(reverse("admin:accounts_user_change", args=[emma.pk])).content.decode()
    assert erase_url not in page


@pytest.mark.django_db
def test_support_may_close_an_account_but_not_erase_it(client, staff_login):
    staff_login("Support")
    emma = customer("emma@example.com")

    assert {"close_accounts"} == action_choices(client) & {"close_accounts", "erase_accounts"}
    assert client.get(reverse("admin:accounts_user_erase", args=[emma.pk])).status_code == 403
    assert client.post(reverse("admin:accounts_user_erase", args=[emma.pk]), {"post": "yes"}).status_code == 403
    client.post(CHANGELIST, {"action": "erase_accounts", "post": "yes", ACTION_CHECKBOX_NAME: [emma.pk]})
    emma.refresh_from_db()
    assert emma.anonymised_at is None
    page = client.get(reverse("admin:accounts_user_change", args=[emma.pk])).content.decode()
    assert reverse("admin:accounts_user_erase", args=[emma.pk]) not in page

    done = client.post(reverse("admin:accounts_user_close", args=[emma.pk]), {"post": "yes", "reason": "duplicate"})

    assert done.status_code == 302
    emma.refresh_from_db()
    assert emma.closed_at is not None
    assert emma.anonymised_at is None
    assert AccountEvent.objects.get(user=emma).detail["reason"] == "duplicate"


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["Marketing", "Print lab"])
def test_other_roles_can_neither_close_nor_erase(client, staff_login, role):
    staff_login(role)
    emma = customer("emma@example.com")
    for name in ("admin:accounts_user_close", "admin:accounts_user_erase"):
        assert client.post(reverse(name, args=[emma.pk]), {"post": "yes"}).status_code == 403
    emma.refresh_from_db()
    assert emma.closed_at is None


@pytest.mark.django_db
def test_a_superuser_closes_and_erases_through_the_same_actions(client, staff_login):
    staff_login(superuser=True)
    emma, jan = customer("emma@example.com"), customer("jan@example.com")

    assert {"close_accounts", "erase_accounts"} <= action_choices(client)
    client.post(
        CHANGELIST, {"action": "close_accounts", "post": "yes", "reason": "fake", ACTION_CHECKBOX_NAME: [emma.pk]}
    )
    client.post(CHANGELIST, {"action": "erase_accounts", "post": "yes", ACTION_CHECKBOX_NAME: [jan.pk]})

    emma.refresh_from_db()
    jan.refresh_from_db()
    assert emma.closed_at is not None
    assert emma.anonymised_at is None
    assert jan.anonymised_at is not None


@pytest.mark.django_db
def test_the_close_button_on_a_staff_account_changes_nothing(client, staff_login):
    staff_login(superuser=True)
    colleague = UserFactory(is_staff=True, email="colleague@staff.example")

    page = client.get(reverse("admin:accounts_user_change", args=[colleague.pk])).content.decode()
    assert reverse("admin:accounts_user_close", args=[colleague.pk]) not in page
    done = client.post(reverse("admin:accounts_user_close", args=[colleague.pk]), {"post": "yes", "reason": "fake"})

    assert done.status_code == 302
    colleague.refresh_from_db()
    assert colleague.closed_at is None
    assert colleague.is_active
    assert "1 personeelsaccount ongemoeid gelaten: personeelsaccounts worden hier niet gesloten of gewist." in texts(
        done
    )


@pytest.mark.django_db
def test_closing_again_reports_already_closed_accounts(client, staff_login):
    staff_login("Privacy officer")
    emma = customer("emma@example.com")
    close_url = reverse("admin:accounts_user_close", args=[emma.pk])
    client.post(close_url, {"post": "yes", "reason": "customer_request"})

    again = client.post(close_url, {"post": "yes", "reason": "customer_request"})

    assert "1 account was al gesloten." in texts(again)
    assert AccountEvent.objects.count() == 1


@pytest.mark.django_db
def test_unknown_accounts_and_bad_reasons_give_no_server_error(client, staff_login):
    staff_login("Privacy officer")
    emma = customer("emma@example.com")

    assert client.get(reverse("admin:accounts_user_close", args=[987654])).status_code == 404
    page = client.post(reverse("admin:accounts_user_close", args=[emma.pk]), {"post": "yes", "reason": "<script>"})

    assert page.status_code == 200  # the confirmation page again, with the error
    emma.refresh_from_db()
    assert emma.closed_at is None


@pytest.mark.django_db
def test_the_confirmation_needs_the_csrf_token(activate_totp):
    officer = UserFactory(is_staff=True, is_superuser=True)
    activate_totp(officer)
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)
    emma = customer("emma@example.com")

    response = client.post(reverse("admin:accounts_user_erase", args=[emma.pk]), {"post": "yes"})

    assert response.status_code == 403
    emma.refresh_from_db()
    assert emma.anonymised_at is None


@pytest.mark.django_db
def test_privacy_officer_reads_the_account_records_but_cannot_change_them(client, staff_login):
    officer = staff_login("Privacy officer")
    emma = customer("emma@example.com")
    client.post(reverse("admin:accounts_user_close", args=[emma.pk]), {"post": "yes", "reason": "customer_request"})
    event = AccountEvent.objects.get()

    listing = client.get(reverse("admin:accounts_accountevent_changelist"))
    assert listing.status_code == 200
    assert officer.email in listing.content.decode()
    assert client.get(reverse("admin:accounts_accountevent_add")).status_code == 403
    assert client.post(
        reverse("admin:accounts_accountevent_delete", args=[event.pk]), {"post": "yes"}
    ).status_code in (
        302,
        403,
    )
    assert AccountEvent.objects.filter(pk=event.pk).exists()
    # The account's page shows its records too.
    change_page = client.get(reverse("admin:accounts_user_change", args=[emma.pk])).content.decode()
    assert "account gesloten" in change_page
