"""Sessions are read from the cache (no query per request) and an account's end removes its cached copies."""

import pytest
from django.contrib.sessions.backends.cached_db import KEY_PREFIX
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.services import account_close


@pytest.mark.django_db
def test_a_signed_in_page_reads_its_session_from_the_cache(shopper_client):
    shopper_client.get(reverse("accounts:profile"))
    with CaptureQueriesContext(connection) as queries:
        assert shopper_client.get(reverse("accounts:profile")).status_code == 200
    assert not [q for q in queries.captured_queries if "accounts_session" in q["sql"]]


@pytest.mark.django_db
def test_closing_an_account_removes_its_cached_sessions_at_once(shopper_client, user):
    shopper_client.get(reverse("accounts:profile"))
    key = shopper_client.session.session_key
    assert cache.get(KEY_PREFIX + key) is not None
    account_close(user=user)
    assert cache.get(KEY_PREFIX + key) is None
    response = shopper_client.get(reverse("accounts:profile"))
    assert response.status_code == 302  # signed out: to the sign-in page
