"""The admin opens only to staff who sign in with a second factor (TOTP)."""

import pytest
from django.urls import reverse

from conftest import PASSWORD, totp_code


@pytest.mark.django_db
def test_admin_login_page_redirects_to_the_shop_login(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next=/admin/"


@pytest.mark.django_db
def test_staff_without_mfa_is_sent_to_set_it_up_and_cannot_open_the_admin(client, staff_user):
    client.post(reverse("account_login"), {"login": staff_user.email, "password": PASSWORD})
    for path in ["/admin/", "/admin/accounts/user/"]:
        response = client.get(path)
        assert response.status_code == 302
        assert response.url.startswith(reverse("mfa_activate_totp"))
    # Setting up a second factor asks for the password once more first.
    page = client.get(response.url, follow=True)
    assert page.redirect_chain[-1][0].startswith(reverse("account_reauthenticate"))


@pytest.mark.django_db
def test_staff_with_totp_signs_in_with_a_code_and_opens_the_admin(client, staff_user, activate_totp):
    secret = activate_totp(staff_user)
    response = client.post(reverse("account_login"), {"login": staff_user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("mfa_authenticate")
    # Without the code the admin stays closed.
    assert client.get("/admin/").status_code == 302

    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert wrong.status_code == 200
    assert client.get("/admin/").status_code == 302

    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_shopper_cannot_open_the_admin(shopper_client):
    # A page saying it is for staff, not a redirect to the login (which looped back here).
    response = shopper_client.get("/admin/")
    assert response.status_code == 403


@pytest.mark.django_db
def test_staff_activates_totp_then_opens_the_admin(client, staff_user):
    client.post(reverse("account_login"), {"login": staff_user.email, "password": PASSWORD})
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    page = client.get(reverse("mfa_activate_totp"))
    secret = page.context["form"].secret
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
