"""Staff roles created by migration, and the idempotent demo data."""

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Group
from django.core.management import call_command

from accounts.models import Address, User
from photos.models import Photo


@pytest.mark.django_db
def test_staff_roles_exist_with_fitting_permissions():
    perms = {group.name: set(group.permissions.values_list("codename", flat=True)) for group in Group.objects.all()}
    assert {"Support", "Privacy officer", "Marketing", "Print lab"} <= set(perms)
    assert {"view_user", "change_user", "view_address"} <= perms["Support"]
    assert "delete_user" not in perms["Support"]
    assert {"view_user", "close_account", "erase_account", "view_accountevent", "view_logentry"} <= perms[
        "Privacy officer"
    ]
    assert "close_account" in perms["Support"]
    assert "erase_account" not in perms["Support"]
    # No role deletes a user row: accounts are closed or erased with a record.
    assert not any("delete_user" in codenames for codenames in perms.values())
    assert "change_user" not in perms["Marketing"]


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_prints_the_logins(capsys, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo")
    first = capsys.readouterr().out
    counts = (User.objects.count(), Address.objects.count(), Authenticator.objects.count(), Photo.objects.count())
    call_command("seed_demo")
    second = capsys.readouterr().out
    assert (
        User.objects.count(),
        Address.objects.count(),
        Authenticator.objects.count(),
        Photo.objects.count(),
    ) == counts
    # Enough for a suggested 20-page photo book (orders.demo.SUGGESTION_PHOTOS).
    assert Photo.objects.filter(user__email="shopper@example.com", status="ready").count() == 20

    shopper = User.objects.get(email="shopper@example.com")
    assert shopper.get_full_name() == "Sofie Peeters"
    assert shopper.mobile_phone.as_e164 == "+32470123456"
    assert shopper.vat_number == "BE0403170701"
    assert shopper.addresses.filter(kind="billing").count() == 1
    assert "shopper@example.com" in first
    for role in ["Support", "Privacy officer", "Marketing", "Print lab"]:
        staff = User.objects.get(groups__name=role)
        assert staff.is_staff
        assert Authenticator.objects.filter(user=staff, type="totp").exists()
        assert staff.email in first
    # The printed TOTP secrets stay the same across runs.
    secrets = [line.split("TOTP secret: ")[1] for line in first.splitlines() if "TOTP secret: " in line]
    assert all(secret in second for secret in secrets)


@pytest.mark.django_db
def test_support_cannot_grant_staff_rights_in_the_admin(client, activate_totp):
    from conftest import PASSWORD, totp_code

    support = User.objects.create_user("sup@example.com", PASSWORD, is_staff=True)
    support.groups.add(Group.objects.get(name="Support"))
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=support, email=support.email, verified=True, primary=True)
    secret = activate_totp(support)
    client.post("/accounts/login/", {"login": support.email, "password": PASSWORD})
    client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    shopper = User.objects.create_user("klant@example.com", PASSWORD)
    page = client.get(f"/admin/accounts/user/{shopper.pk}/change/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    assert "is_staff" not in form.fields
    assert "groups" not in form.fields
