"""Marketing runs sponsors, campaigns and codes; support sees codes and redemptions to help customers."""

from django.db import migrations

from photoshop.migration_helpers import grants

GRANTS = {
    "Marketing": {
        "promotions": [
            "view_sponsor", "add_sponsor", "change_sponsor",
            "view_campaign", "add_campaign", "change_campaign",
            "view_code", "view_redemption",
        ]
    },
    "Support": {"promotions": ["view_code", "view_redemption"]},
}  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [("promotions", "0001_codes"), ("accounts", "0002_staff_roles")]

    operations = [grants(GRANTS)]
