"""Cookie consent (PIX-8, SMP-8): the banner, the choice and its proof, the cookie page, and when we ask again."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from privacy import cookies
from privacy.models import CookieConsent, PolicyVersion
from privacy.policy import current_version
from privacy.sweep import run_sweep

T0 = datetime.datetime(2026, 4, 1, 10, 0, tzinfo=datetime.UTC)
DAY = datetime.timedelta(days=1)
HOME = "/en/"


def _url(name: str) -> str:
    with translation.override("en"):
        return reverse(name)


def _banner(html: str) -> str:
    match = re.search(r'<section class="cookie-banner"[^>]*>', html)
    assert match, "no cookie banner on the page"
    return match.group(0)


def _choose(client, choice: str, *categories: str, json: bool = False, next: str = HOME, **meta):
    data = {"choice": choice, "categories": list(categories), "next": next}
    headers = {"Accept": "application/json"} if json else {}
    return client.post(_url("privacy:cookie_choice"), data, headers=headers, **meta)


@pytest.mark.django_db
def test_pix8_the_first_visit_shows_the_banner_with_accept_and_refuse_equally_prominent(client):
    html = client.get(HOME).content.decode()
    assert " hidden" not in _banner(html)
    refuse = re.search(r'<button[^>]*value="refuse"[^>]*class="([^"]+)"', html).group(1)
    accept = re.search(r'<button[^>]*value="accept"[^>]*class="([^"]+)"', html).group(1)
    assert refuse == accept
    for label in ("Preferences", "Statistics", "Marketing", "Accept all", "Refuse all", "Save my choice"):
        assert label in html
    assert "data-cookie-settings" in html  # the footer link that reopens it


@pytest.mark.django_db
def test_refusing_records_the_choice_as_proof_and_the_banner_stays_away(client):
    with time_machine.travel(T0, tick=False):
        response = _choose(client, "refuse", REMOTE_ADDR="203.0.113.77")
    assert response.status_code == 302
    assert response["Location"] == HOME
    record = CookieConsent.objects.get()
    assert record.categories == []
    assert record.ip_network == "203.0.113.0"
    assert record.policy_version == current_version().number
    assert record.user is None
    cookie = response.cookies[cookies.COOKIE_NAME]
    assert cookie.value == f"{record.consent_id.hex}.{record.policy_version}.{int(T0.timestamp())}."
    assert int(cookie["max-age"]) == 396 * 24 * 3600
    with time_machine.travel(T0 + DAY, tick=False):
        assert " hidden" in _banner(client.get(HOME).content.decode())


@pytest.mark.django_db
def test_accepting_from_the_script_answers_in_json_and_a_change_of_mind_keeps_the_consent_id(shopper_client, user):
    response = _choose(shopper_client, "accept", json=True)
    assert response.json() == {"categories": ["marketing", "preferences", "statistics"], "version": 1}
    response = _choose(shopper_client, "save", "statistics", "nonsense", json=True)
    assert response.json()["categories"] == ["statistics"]
    first, second = CookieConsent.objects.order_by("given_at", "pk")
    assert first.consent_id == second.consent_id
    assert (first.categories, second.categories) == (["marketing", "preferences", "statistics"], ["statistics"])
    assert first.user == user == second.user


@pytest.mark.django_db
def test_a_choice_that_is_not_one_is_refused_with_a_message_and_nothing_recorded(client):
    response = _choose(client, "maybe", json=True)
    assert response.status_code == 400
    assert response.json()["error"] == "Choose “Accept all”, “Refuse all” or “Save my choice”."
    response = client.post(_url("privacy:cookie_choice"), {"next": HOME}, follow=True)
    assert "Choose “Accept all”" in response.content.decode()
    assert not CookieConsent.objects.exists()
    assert cookies.COOKIE_NAME not in client.cookies or not client.cookies[cookies.COOKIE_NAME].value


@pytest.mark.django_db
def test_the_choice_returns_only_to_a_page_of_the_shop(client):
    response = _choose(client, "refuse", next="https://evil.example/")
    assert response["Location"] == _url("privacy:cookies")
    assert client.get(_url("privacy:cookie_choice")).status_code == 405


@pytest.mark.django_db
def test_smp8_the_banner_comes_back_after_13_months(client):
    with time_machine.travel(T0, tick=False):
        _choose(client, "accept")
    with time_machine.travel(T0 + relativedelta(months=13) - DAY, tick=False):
        assert " hidden" in _banner(client.get(HOME).content.decode())
    with time_machine.travel(T0 + relativedelta(months=13) + DAY, tick=False):
        assert " hidden" not in _banner(client.get(HOME).content.decode())


@pytest.mark.django_db
def test_the_banner_comes_back_when_the_policy_version_changes(client):
    _choose(client, "accept")
    assert " hidden" in _banner(client.get(HOME).content.decode())
    latest = PolicyVersion.objects.order_by("-number").first()
    PolicyVersion.objects.create(
        number=latest.number + 1, published_at=timezone.now(), digest="changed", document=latest.document
    )
    assert " hidden" not in _banner(client.get(HOME).content.decode())


@pytest.mark.django_db
@pytest.mark.parametrize("preset", ["default", "smartphoto"])
def test_smp8_the_record_of_a_choice_is_deleted_13_months_after_it(client, preset):
    with time_machine.travel(T0, tick=False):
        _choose(client, "refuse")
    with time_machine.travel(T0 + relativedelta(months=13) - DAY, tick=False):
        run_sweep(preset=preset)
    assert CookieConsent.objects.exists()
    with time_machine.travel(T0 + relativedelta(months=13) + DAY, tick=False):
        run_sweep(preset=preset)
    assert not CookieConsent.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", ["Necessary", "Statistics", "Kept for", "13 months"]),
        ("nl", ["Noodzakelijk", "Statistieken", "Bewaard", "13 maanden"]),
        ("fr", ["Nécessaires", "Statistiques", "Conservé", "13 mois"]),
    ],
)
def test_the_cookie_page_lists_every_declared_cookie_in_each_language(client, language, words):
    with translation.override(language):
        url = reverse("privacy:cookies")
    html = client.get(url).content.decode()
    for word in words:
        assert word in html
    for name in (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME, cookies.COOKIE_NAME):
        assert f"<code>{name}</code>" in html


@pytest.mark.django_db
def test_google_analytics_is_declared_and_inert_until_statistics_are_accepted(client, settings):
    settings.ANALYTICS_GA_MEASUREMENT_ID = "G-TEST123"
    html = client.get(HOME).content.decode()
    assert 'data-ga-id="G-TEST123"' in html
    assert '<script src="https://www.googletagmanager.com' not in html  # only the consent script may start it
    assert "<code>_ga</code>" in client.get(_url("privacy:cookies")).content.decode()


@pytest.mark.django_db
def test_the_chosen_language_is_remembered_for_later_visits_only_with_preference_cookies(client):
    response = client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME]["max-age"] == ""  # for this visit only
    _choose(client, "save", "preferences")
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert int(response.cookies[settings.LANGUAGE_COOKIE_NAME]["max-age"]) == settings.LANGUAGE_COOKIE_AGE
    response = _choose(client, "refuse")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME]["max-age"] == ""  # kept, but no longer remembered


@pytest.mark.django_db
def test_a_page_with_a_choice_costs_no_query_for_the_banner(client, django_assert_max_num_queries):
    _choose(client, "refuse")
    client.get(HOME)
    with django_assert_max_num_queries(0):
        client.get(HOME)


def test_a_malformed_cookie_counts_as_no_choice():
    for value in ("", "x", "a.b.c.d", "0" * 32 + ".1.99999999999999999.statistics", "." * 300):
        assert cookies.valid_consent(value, version=1) is None
    assert cookies.truncated_ip("2001:db8:1234:5678::1") == "2001:db8:1234::"
    assert cookies.truncated_ip("not an address") == ""


@pytest.mark.django_db
def test_a_new_schedule_is_published_by_the_next_sweep_and_the_banner_comes_back(client, settings):
    from privacy.tasks import retention_sweep

    _choose(client, "accept")
    settings.PRIVACY_RETENTION_OVERRIDES = {"SMP-8": {"period": {"months": 12}}}
    assert " hidden" in _banner(client.get(HOME).content.decode())  # not published yet: no page view writes
    retention_sweep()
    assert " hidden" not in _banner(client.get(HOME).content.decode())


@pytest.mark.django_db
def test_only_the_privacy_officer_reads_the_proof_of_cookie_choices(client, staff_client):
    _choose(client, "refuse")
    url = reverse("admin:privacy_cookieconsent_changelist")
    assert staff_client("Support").get(url).status_code == 403
    assert staff_client("Marketing").get(url).status_code == 403
    assert staff_client("Privacy officer").get(url).status_code == 200
