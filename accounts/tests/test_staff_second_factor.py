"""Every staff capability sits behind the second factor, not only /admin/ (issue: a staff account
without an authenticator app could fetch any customer's photo through the photo view)."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.tests.factories import UserFactory
from photos.tests.factories import PhotoFactory


def staff(role: str | None, **fields):
    user = UserFactory(is_staff=True, **fields)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["Support", "Privacy officer"])  # the print lab never opens them
def test_staff_without_a_second_factor_cannot_open_a_customers_photo(client, role, activate_totp):
    photo = PhotoFactory()
    member = staff(role)
    client.force_login(member)
    for variant in ("original", "large", "small"):
        assert client.get(reverse("photos:file", args=[photo.pk, variant])).status_code == 404

    activate_totp(member)
    assert client.get(reverse("photos:file", args=[photo.pk, "original"])).status_code in (200, 302)


@pytest.mark.django_db
def test_a_superuser_without_a_second_factor_holds_no_staff_power(client):
    photo = PhotoFactory()
    root = staff(None, is_superuser=True)
    client.force_login(root)
    assert client.get(reverse("photos:file", args=[photo.pk, "original"])).status_code == 404
    response = client.get(reverse("privacy_records_of_processing", args=["csv"]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))
    assert not root.has_perm("accounts.erase_account")


@pytest.mark.django_db
def test_the_records_of_processing_need_the_second_factor(client, activate_totp):
    officer = staff("Privacy officer")
    client.force_login(officer)
    url = reverse("privacy_records_of_processing", args=["csv"])
    assert client.get(url)["Location"].startswith(reverse("mfa_activate_totp"))  # set up the app first
    assert not officer.has_perm("privacy.export_records_of_processing")
    activate_totp(officer)
    assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_customers_are_unaffected(client, user):
    assert user.has_second_factor is False
    assert not user.has_perm("photos.view_photo")
    client.force_login(user)
    assert client.get(reverse("photos:gallery")).status_code == 200
