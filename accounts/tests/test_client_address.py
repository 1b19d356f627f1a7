"""The client's address behind the proxies: a short X-Forwarded-For is no server error."""

import pytest
from django.urls import reverse


@pytest.mark.django_db
@pytest.mark.parametrize("forwarded", ["", "203.0.113.7", "not-an-address", " , ,"])
def test_a_request_with_fewer_forwarded_entries_than_trusted_proxies_is_answered(client, settings, forwarded):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 2
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    response = client.post(reverse("account_login"), {"login": "a@example.com", "password": "x"}, **headers)
    assert response.status_code < 500


@pytest.mark.django_db
def test_the_address_falls_back_to_the_connection(rf, settings):
    from accounts.adapters import AccountAdapter

    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 2
    request = rf.get("/", HTTP_X_FORWARDED_FOR="203.0.113.7", REMOTE_ADDR="198.51.100.2")
    assert AccountAdapter(request).get_client_ip(request) == "198.51.100.2"
