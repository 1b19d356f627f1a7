"""The orders app gives the retention rules that wait for orders their data (issue #11, Privacy)."""

import json

import pytest
from django.core.management import call_command

ORDER_RULES = {
    "stampix": ["STX-1:orders"],
    "default": ["STX-1:orders", "SMP-5", "SMP-6", "PIX-1"],
    "smartphoto": ["SMP-3", "SMP-5", "SMP-6"],
    "mystamp": ["MYS-1", "MYS-1:orders", "MYS-1:communication", "MYS-1:images"],
    "pix": ["PIX-1", "PIX-1:tax"],
}


@pytest.mark.parametrize("preset", sorted(ORDER_RULES))
def test_rules_waiting_for_orders_have_data_in_every_preset(preset, capsys):
    call_command("privacy_schedule", "--json", "--preset", preset)
    rules = {rule["id"]: rule for rule in json.loads(capsys.readouterr().out)}
    for rule_id in ORDER_RULES[preset]:
        assert rule_id in rules, (preset, rule_id)
        assert rules[rule_id]["has_data"] is True, (preset, rule_id)
