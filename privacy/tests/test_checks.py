"""The system check: nothing personal escapes the registry, and every category held has a rule."""

from dataclasses import replace

import pytest

from privacy import checks
from privacy.registry import registry


@pytest.fixture
def entries(monkeypatch):
    """Let a test edit the registry's declarations."""
    saved = list(registry._entries)
    yield registry._entries
    registry._entries[:] = saved


def _ids(messages) -> list[str]:
    return [m.id for m in messages]


def test_registry_is_complete_today():
    assert checks.check_registry() == []
    assert "privacy.E003" not in _ids(checks.check_schedule())


def test_undeclared_model_with_personal_fields_is_an_error(entries):
    entries[:] = [e for e in entries if e.model != "accounts.Address"]
    errors = checks.check_registry()
    assert any(e.id == "privacy.E001" and "accounts.Address" in e.msg for e in errors)


def test_undeclared_personal_field_is_an_error(entries):
    index = next(i for i, e in enumerate(entries) if e.model == "accounts.User")
    entries[index] = replace(
        entries[index], fields=tuple(f for f in entries[index].fields if f.name != "mobile_phone")
    )
    errors = checks.check_registry()
    assert any(e.id == "privacy.E001" and "accounts.User.mobile_phone" in e.msg for e in errors)


def test_declared_field_that_no_longer_exists_is_an_error(entries):
    from privacy.registry import Anonymise, Strategy

    index = next(i for i, e in enumerate(entries) if e.model == "accounts.Address")
    entries[index] = replace(entries[index], fields=(*entries[index].fields, Anonymise("fax", Strategy.BLANK)))
    errors = checks.check_registry()
    assert any(e.id == "privacy.E002" and "accounts.Address.fax" in e.msg for e in errors)


def test_every_preset_reaches_all_data_it_holds_alb1(settings):
    for preset in ("default", "stampix", "mystamp", "smartphoto", "pix"):
        settings.PRIVACY_RETENTION_PRESET = preset
        assert "privacy.E003" not in _ids(checks.check_schedule()), preset


@pytest.fixture
def without_microsites(monkeypatch):
    """The registry as it is without the microsites app: no microsite orders (STX-2) to apply a rule to."""
    from privacy.registry import Category, registry

    kept = [e for e in registry._entries if e.category != Category.MICROSITE_ORDER]
    monkeypatch.setattr(registry, "_entries", kept)


def test_with_every_app_installed_no_rule_waits_for_data():
    assert not checks.check_rules_waiting()


def test_rules_without_data_are_one_warning_for_check_deploy_only(without_microsites):
    warnings = [m for m in checks.check_rules_waiting() if m.id == "privacy.W001"]
    assert len(warnings) == 1
    assert "STX-2" in warnings[0].msg  # microsite orders: the microsites app is not there
    assert "SMP-5" not in warnings[0].msg
    assert "STX-1" not in warnings[0].msg
    assert "privacy.W001" not in _ids(checks.check_schedule())


def test_ordinary_management_commands_print_no_privacy_warning():
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "manage.py", "check"], capture_output=True, text=True, check=True, timeout=120
    )
    assert "W001" not in result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db
def test_the_sweep_run_admin_lists_rules_waiting_for_data(client, activate_totp, without_microsites):
    from django.contrib.auth.models import Group

    from accounts.tests.factories import UserFactory

    officer = UserFactory(is_staff=True)
    officer.groups.add(Group.objects.get(name="Privacy officer"))
    activate_totp(officer)
    client.force_login(officer)
    page = client.get("/admin/privacy/sweeprun/").content.decode()
    assert "STX-2:" in page  # microsite orders, without the microsites app
    assert "SMP-5:" not in page  # print files of ordered products (orders app)


def test_looks_personal_heuristics():
    from django.contrib.auth.models import Group

    from accounts.models import Address, User

    assert checks.looks_personal(User._meta.get_field("email"))
    assert checks.looks_personal(User._meta.get_field("mobile_phone"))
    assert checks.looks_personal(Address._meta.get_field("postal_code"))
    assert checks.looks_personal(Group._meta.get_field("name"))  # hence Group is declared not personal
    assert not checks.looks_personal(User._meta.get_field("is_business"))
