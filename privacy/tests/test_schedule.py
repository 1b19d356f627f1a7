"""Presets as policy-rules.md describes them, the operator's overrides, and privacy_schedule."""

import json

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command

from privacy.schedule import PRESETS, effective_schedule


def _schedule_json(capsys, *args) -> list[dict]:
    call_command("privacy_schedule", "--json", *args)
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize(
    ("preset", "expected"),
    [
        (
            "stampix",
            {
                "STX-1": (3650, "anonymise"),
                "STX-2": (180, "anonymise"),
                "STX-3": (90, "archive"),
                "STX-4": (2, "anonymise"),
                "STX-5": (3650, "delete"),
            },
        ),
        ("mystamp", {"MYS-1": (1095, "delete"), "MYS-1:images": (1095, "delete")}),
        (
            "smartphoto",
            {
                "SMP-1": (1, "delete"),
                "SMP-2": (730, "delete"),
                "SMP-3": (730, "delete"),
                "SMP-4": (730, "delete"),
                "SMP-5": (60, "delete"),
                "SMP-6": (730, "delete"),
                "SMP-7": (90, "delete"),
            },
        ),
        (
            "pix",
            {
                "PIX-1": (180, "restrict"),
                "PIX-1:tax": (2735, "delete"),
                "PIX-4": (90, "delete"),
                "PIX-5": (0, "delete"),
                "PIX-6": (90, "delete"),
            },
        ),
        (
            "default",
            {
                "STX-1": (3650, "anonymise"),
                "SMP-1": (1, "delete"),
                "SMP-5": (60, "delete"),
                "SMP-7": (90, "delete"),
                "PIX-1": (2555, "delete"),
            },
        ),
    ],
)
@pytest.mark.django_db
def test_preset_rules(capsys, preset, expected):
    rules = {r["id"]: r for r in _schedule_json(capsys, "--preset", preset)}
    for rule_id, (days, action) in expected.items():
        assert (rules[rule_id]["period_days"], rules[rule_id]["action"]) == (days, action), rule_id
    for rule in rules.values():
        assert {"id", "category", "trigger", "period_days", "action"} <= set(rule)


@pytest.mark.django_db
def test_default_preset_holds_invoices_for_tax_and_has_no_subscription_rule(capsys):
    rules = {r["id"]: r for r in _schedule_json(capsys)}
    assert rules["PIX-1"]["legal_hold"] is True
    assert rules["PIX-1"]["category"] == "invoice"
    assert not any(rule_id.startswith("PIX-3") for preset in PRESETS.values() for rule_id in [r.id for r in preset])


@pytest.mark.django_db
def test_rules_without_data_are_marked(capsys, monkeypatch):
    from privacy.registry import Category, registry

    assert {r["id"]: r for r in _schedule_json(capsys)}["STX-2"]["has_data"] is True  # the microsites app's
    monkeypatch.setattr(registry, "_entries", [e for e in registry._entries if e.category != Category.MICROSITE_ORDER])
    rules = {r["id"]: r for r in _schedule_json(capsys)}
    assert rules["STX-1"]["has_data"] is True
    assert rules["STX-2"]["has_data"] is False  # microsite orders, without the microsites app
    for rule_id in ("STX-1:orders", "SMP-5", "PIX-1"):  # the orders app's data
        assert rules[rule_id]["has_data"] is True, rule_id
    call_command("privacy_schedule")
    lines = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()[1:]}
    assert "(no registered data yet)" in lines["STX-2"]
    assert "(no registered data yet)" not in lines["STX-1"]


def test_albelli_is_not_a_preset(settings):
    settings.PRIVACY_RETENTION_PRESET = "albelli"
    with pytest.raises(ImproperlyConfigured, match="no retention periods"):
        effective_schedule()
    with pytest.raises(CommandError, match="no retention periods"):
        call_command("privacy_schedule")


def test_operator_overrides_and_extra_rules(settings):
    settings.PRIVACY_RETENTION_OVERRIDES = {"SMP-1": {"period": {"hours": 12}}, "STX-1": {"action": "delete"}}
    settings.PRIVACY_RETENTION_EXTRA_RULES = [
        {"id": "OPS-1", "category": "visitor", "trigger": "session_end", "period_days": 3, "action": "delete"}
    ]
    rules = {r.id: r for r in effective_schedule()}
    assert rules["SMP-1"].period.hours == 12
    assert rules["STX-1"].action == "delete"
    assert rules["STX-1"].period.years == 10
    assert rules["OPS-1"].period.days == 3


def test_override_of_an_unknown_rule_is_refused(settings):
    settings.PRIVACY_RETENTION_OVERRIDES = {"NOPE-1": {"period_days": 1}}
    with pytest.raises(ImproperlyConfigured, match="NOPE-1"):
        effective_schedule()


def test_invalid_extra_rule_is_refused_with_a_clear_message(settings):
    settings.PRIVACY_RETENTION_EXTRA_RULES = [{"id": "X", "category": "nonsense", "trigger": "x", "action": "y"}]
    with pytest.raises(ImproperlyConfigured, match="invalid rule"):
        effective_schedule()
