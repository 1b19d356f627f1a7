"""last_activity: the clock of the retention rules (STX-1), written at most once a day."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User

MORNING = datetime.datetime(2026, 5, 4, 8, 0, tzinfo=datetime.UTC)


def _user_updates(queries) -> int:
    return sum(1 for q in queries if q["sql"].startswith("UPDATE") and "accounts_user" in q["sql"])


@pytest.mark.django_db
def test_activity_is_written_once_a_day(client, user):
    with time_machine.travel(MORNING, tick=False):
        client.force_login(user)
        assert User.objects.get(pk=user.pk).last_activity == MORNING

    with time_machine.travel(MORNING + datetime.timedelta(hours=8), tick=False):
        with CaptureQueriesContext(connection) as queries:
            for _ in range(5):
                assert client.get(reverse("accounts:profile")).status_code == 200
        assert _user_updates(queries.captured_queries) == 0
        assert User.objects.get(pk=user.pk).last_activity == MORNING

    next_day = MORNING + datetime.timedelta(days=1)
    with time_machine.travel(next_day, tick=False):
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("accounts:profile"))
            client.get(reverse("accounts:profile"))
        assert _user_updates(queries.captured_queries) == 1
        assert User.objects.get(pk=user.pk).last_activity == next_day


@pytest.mark.django_db
def test_anonymous_visits_record_nothing(client, user):
    client.get(reverse("home"))
    assert User.objects.get(pk=user.pk).last_activity is None


@pytest.mark.django_db
def test_password_login_records_activity(client, user, password):
    with time_machine.travel(MORNING, tick=False):
        client.post(reverse("account_login"), {"login": user.email, "password": password})
    assert User.objects.get(pk=user.pk).last_activity == MORNING
