"""Every preset is selectable: where its policy is silent, the platform's default fills in, said so on the page."""

import datetime

import pytest
import time_machine
from django.core.management import call_command
from django.test import TestCase

from privacy import checks
from privacy.schedule import PRESETS, effective_schedule
from privacy.sweep import run_sweep

T0 = datetime.datetime(2026, 1, 15, 12, 0, tzinfo=datetime.UTC)


@pytest.mark.django_db
@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_each_preset_passes_the_check_and_runs_a_sweep(settings, preset):
    settings.PRIVACY_RETENTION_PRESET = preset
    assert [m for m in checks.check_schedule() if m.level >= 40] == []  # no errors
    call_command("check")  # what privacy_sweep's system checks run
    with time_machine.travel(T0, tick=False):
        run = run_sweep()
    assert run.status == "finished"
    assert run.preset == preset


@pytest.mark.parametrize(
    ("preset", "filled"),
    [
        ("stampix", {"SMP-1:platform", "PIX-9:platform", "SMP-7:platform"}),
        # Accounts follow MYS-1 (3 years after the last order) now that orders exist.
        ("mystamp", {"SMP-1:platform", "PIX-9:platform", "SMP-7:platform"}),
        ("smartphoto", {"PIX-9:platform"}),
        ("pix", {"SMP-1:platform", "PIX-9:platform", "STX-1:images:platform", "STX-4:images:platform"}),
        ("default", set()),
    ],
)
def test_where_a_policy_is_silent_the_default_rule_fills_in_as_the_platforms_choice(preset, filled):
    rules = {rule.id: rule for rule in effective_schedule(preset)}
    chosen = {rule_id for rule_id, rule in rules.items() if rule.platform_choice}
    assert filled <= chosen
    assert all(rules[rule_id].models for rule_id in chosen)  # limited to the data the policy is silent about


@pytest.mark.django_db
def test_the_policy_page_marks_the_platforms_own_rules(settings, client):
    settings.PRIVACY_RETENTION_PRESET = "stampix"
    page = client.get("/en/privacy/").content.decode()
    assert "our own choice: the Stampix policy we follow sets no period for this" in page
    nl = client.get("/privacy/").content.decode()
    assert "eigen keuze" in nl


@pytest.mark.django_db
def test_stx1_under_stampix_images_go_with_the_account_at_10_years(settings):
    """STX-1 lists images and their metadata (location included) as the user's personal data."""
    from dateutil.relativedelta import relativedelta

    from accounts.tests.factories import UserFactory
    from photos.models import Photo
    from photos.tests.test_retention import T0 as UPLOADED
    from photos.tests.test_retention import make_photo, stored

    settings.PRIVACY_RETENTION_PRESET = "stampix"
    user = UserFactory(last_activity=UPLOADED)
    photo = make_photo(user=user)
    ten_years = UPLOADED + relativedelta(years=10)
    for moment, kept in (
        (ten_years - datetime.timedelta(days=1), True),
        (ten_years + datetime.timedelta(days=1), False),
    ):
        with time_machine.travel(moment, tick=False), TestCase.captureOnCommitCallbacks(execute=True):
            run_sweep()
        assert Photo.objects.filter(pk=photo.pk).exists() is kept
        assert stored(photo) == [kept] * 3
