"""A staff role changes customers only; staff accounts are a superuser's; an e-mail change in the admin is confirmed.

Support or the privacy officer could set a superuser's password or e-mail address in the
admin and sign in as them. Each test makes the request such a member would make and checks
the account afterwards. The admin has no language prefix in its URLs, so it answers in Dutch.
"""

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.tests.admin_helpers import change_form_data
from accounts.tests.factories import UserFactory

CHANGELIST = reverse("admin:accounts_user_changelist")
STAFF_ROLES = ["Support", "Privacy officer"]
NEW_PASSWORD = "a-stolen-Password-2026"
PENDING = (
    "Het e-mailadres is nog niet gewijzigd: er is een bevestigingslink naar het nieuwe adres gestuurd, "
    "en het nieuwe adres vervangt het huidige zodra de eigenaar die link volgt."
)


def change_url(user: User) -> str:
    return reverse("admin:accounts_user_change", args=[user.pk])


def password_url(user: User) -> str:
    return reverse("admin:auth_user_password_change", args=[user.pk])


def texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def not_there(response) -> bool:
    """Tell whether the admin answered as for an account that does not exist: a 404, or back to its index."""
    return response.status_code == 404 or (response.status_code == 302 and response.url == reverse("admin:index"))


@pytest.fixture
def superuser_form(activate_totp):
    """Return the change form of an account as a superuser's browser fills it in: what an attacker would post."""

    def form(user: User) -> dict:
        root = UserFactory(is_staff=True, is_superuser=True, email="form-boss@staff.example")
        activate_totp(root)
        browser = Client()
        browser.force_login(root)
        page = browser.get(change_url(user))
        assert page.status_code == 200
        return change_form_data(page)

    return form


def targets() -> dict[str, User]:
    return {
        "superuser": UserFactory(is_staff=True, is_superuser=True, email="boss@staff.example"),
        "colleague": UserFactory(is_staff=True, email="colleague@staff.example"),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("role", STAFF_ROLES)
@pytest.mark.parametrize("target", ["superuser", "colleague", "self"])
def test_a_staff_role_cannot_set_the_password_of_a_staff_account(client, staff_login, role, target):
    member = staff_login(role)
    account = member if target == "self" else targets()[target]

    page = client.get(password_url(account))
    response = client.post(
        password_url(account), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"}
    )

    assert not_there(page)
    assert not_there(response)
    account.refresh_from_db()
    assert not account.check_password(NEW_PASSWORD)


@pytest.mark.django_db
@pytest.mark.parametrize("role", STAFF_ROLES)
def test_a_staff_role_cannot_change_the_superusers_email_or_deactivate_it(client, staff_login, superuser_form, role):
    staff_login(role)
    root = targets()["superuser"]
    data = superuser_form(root) | {"email": "attacker@example.com"}
    data.pop("is_active", None)  # unticked: deactivate

    assert not_there(client.get(change_url(root)))
    response = client.post(change_url(root), data)

    assert not_there(response)
    root.refresh_from_db()
    assert root.email == "boss@staff.example"
    assert root.is_active
    assert root.is_superuser
    assert not EmailAddress.objects.filter(email="attacker@example.com").exists()
    assert mail.outbox == []


@pytest.mark.django_db
def test_the_privacy_officer_cannot_change_close_erase_or_delete_a_staff_account(client, staff_login, superuser_form):
    staff_login("Privacy officer")
    colleague = targets()["colleague"]
    data = superuser_form(colleague) | {"first_name": "Changed"}
    data.pop("is_active", None)

    assert not_there(client.post(change_url(colleague), data))
    assert client.post(reverse("admin:accounts_user_delete", args=[colleague.pk]), {"post": "yes"}).status_code in (
        403,
        404,
    )
    for name in ("admin:accounts_user_close", "admin:accounts_user_erase"):
        assert client.post(reverse(name, args=[colleague.pk]), {"post": "yes"}).status_code == 404
    for action in ("close_accounts", "erase_accounts", "delete_selected"):
        client.post(
            CHANGELIST, {"action": action, "post": "yes", "reason": "fake", ACTION_CHECKBOX_NAME: [colleague.pk]}
        )

    colleague.refresh_from_db()
    assert colleague.first_name == "Emma"
    assert colleague.is_active
    assert colleague.closed_at is None
    assert colleague.anonymised_at is None


@pytest.mark.django_db
@pytest.mark.parametrize("role", STAFF_ROLES)
def test_the_user_list_of_a_staff_role_shows_customers_only(client, staff_login, role):
    member = staff_login(role)
    targets()
    UserFactory(email="emma@example.com")

    page = client.get(CHANGELIST).content.decode()

    assert "emma@example.com" in page
    for staff_email in ("boss@staff.example", "colleague@staff.example", member.email):
        assert staff_email not in page
    history = reverse("admin:accounts_user_history", args=[User.objects.get(is_superuser=True).pk])
    assert not_there(client.get(history))


@pytest.mark.django_db
def test_a_superuser_still_looks_after_staff_accounts(client, staff_login):
    staff_login(superuser=True)
    colleague = targets()["colleague"]
    colleague.groups.add(Group.objects.get(name="Support"))

    assert colleague.email in client.get(CHANGELIST).content.decode()
    done = client.post(
        password_url(colleague), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"}
    )
    assert done.status_code == 302
    data = change_form_data(client.get(change_url(colleague)))
    data.pop("is_active")
    assert client.post(change_url(colleague), data).status_code == 302

    colleague.refresh_from_db()
    assert colleague.check_password(NEW_PASSWORD)
    assert not colleague.is_active


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["Support", None])
def test_an_email_change_in_the_admin_waits_for_the_new_address_to_confirm(
    client, staff_login, django_capture_on_commit_callbacks, role
):
    staff_login(role, superuser=role is None)
    emma = UserFactory(email="emma@example.com", language="fr")
    data = change_form_data(client.get(change_url(emma))) | {"email": "Emma.New@Example.com"}

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(change_url(emma), data)

    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    assert PENDING in texts(response)
    emma.refresh_from_db()
    assert emma.email == "emma@example.com"  # still signs in with it
    assert EmailAddress.objects.get(user=emma, email="emma@example.com").verified
    pending = EmailAddress.objects.get(user=emma, email="emma.new@example.com")
    assert not pending.verified
    assert not pending.primary
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["emma.new@example.com"]
    assert "Confirmez" in mail.outbox[0].subject  # in the customer's language
    link = re.search(r"https?://testserver(/fr/\S+)", mail.outbox[0].body)
    assert link, mail.outbox[0].body

    # The owner of the new address follows the link: now it is the account's address.
    owner = Client()
    assert owner.post(link.group(1)).status_code == 302

    emma.refresh_from_db()
    assert emma.email == "emma.new@example.com"
    assert list(EmailAddress.objects.filter(user=emma).values_list("email", "verified", "primary")) == [
        ("emma.new@example.com", True, True)
    ]
    assert mail.outbox[-1].to == ["emma@example.com"]  # the old address is told


@pytest.mark.django_db
def test_an_email_change_for_an_account_made_by_hand_still_tells_the_old_address(
    client, staff_login, django_capture_on_commit_callbacks
):
    staff_login("Support")
    jan = UserFactory(email="jan@example.com", verified=False)
    data = change_form_data(client.get(change_url(jan))) | {"email": "jan.new@example.com"}

    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(change_url(jan), data).status_code == 302

    jan.refresh_from_db()
    assert jan.email == "jan@example.com"
    assert [message.to for message in mail.outbox] == [["jan.new@example.com"]]
    Client().post(re.search(r"https?://testserver(/\S+)", mail.outbox[0].body).group(1))
    jan.refresh_from_db()
    assert jan.email == "jan.new@example.com"
    assert mail.outbox[-1].to == ["jan@example.com"]


@pytest.mark.django_db
def test_changing_the_email_twice_keeps_one_pending_address_and_other_edits_apply_at_once(
    client, staff_login, django_capture_on_commit_callbacks
):
    staff_login("Support")
    emma = UserFactory(email="emma@example.com")
    for new in ("emma.typo@example.com", "emma.new@example.com"):
        data = change_form_data(client.get(change_url(emma))) | {"email": new, "first_name": "Emmy"}
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(change_url(emma), data).status_code == 302

    emma.refresh_from_db()
    assert emma.email == "emma@example.com"
    assert emma.first_name == "Emmy"
    assert set(EmailAddress.objects.filter(user=emma).values_list("email", "verified")) == {
        ("emma@example.com", True),
        ("emma.new@example.com", False),
    }
    assert [message.to for message in mail.outbox] == [["emma.typo@example.com"], ["emma.new@example.com"]]


@pytest.mark.django_db
def test_an_address_of_another_account_is_refused_with_no_mail(
    client, staff_login, django_capture_on_commit_callbacks
):
    staff_login("Support")
    emma = UserFactory(email="emma@example.com")
    UserFactory(email="jan@example.com")
    data = change_form_data(client.get(change_url(emma))) | {"email": "JAN@example.com"}

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(change_url(emma), data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    emma.refresh_from_db()
    assert emma.email == "emma@example.com"
    assert not EmailAddress.objects.filter(user=emma, email="jan@example.com").exists()
    assert mail.outbox == []
