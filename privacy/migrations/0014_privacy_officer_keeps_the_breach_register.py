"""The privacy officer keeps the breach register (SMP-12)."""

from django.db import migrations

from photoshop.migration_helpers import grant_permissions, revoke_permissions

GRANTS = {"Privacy officer": {"privacy": ["view_breach", "add_breach", "change_breach"]}}


def forwards(apps, schema_editor):
    for name, permissions in GRANTS.items():
        grant_permissions(apps, name, permissions)


def backwards(apps, schema_editor):
    for name, permissions in GRANTS.items():
        revoke_permissions(apps, name, permissions)


class Migration(migrations.Migration):
    dependencies = [("privacy", "0013_breach_register")]

    operations = [migrations.RunPython(forwards, backwards)]
