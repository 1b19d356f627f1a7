"""The privacy officer keeps the breach register (SMP-12)."""

from django.db import migrations

from photoshop.migration_helpers import grants

GRANTS = {"Privacy officer": {"privacy": ["view_breach", "add_breach", "change_breach"]}}


class Migration(migrations.Migration):
    dependencies = [("privacy", "0013_breach_register")]

    operations = [grants(GRANTS)]
