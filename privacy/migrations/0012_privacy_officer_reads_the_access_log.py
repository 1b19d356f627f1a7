"""Only the privacy officer reads the access log (PIX-9)."""

from django.db import migrations

from photoshop.migration_helpers import grant_permissions, revoke_permissions

GRANTS = {"Privacy officer": {"privacy": ["view_accesslogentry"]}}


def forwards(apps, schema_editor):
    for name, permissions in GRANTS.items():
        grant_permissions(apps, name, permissions)


def backwards(apps, schema_editor):
    for name, permissions in GRANTS.items():
        revoke_permissions(apps, name, permissions)


class Migration(migrations.Migration):
    dependencies = [("privacy", "0011_access_log")]

    operations = [migrations.RunPython(forwards, backwards)]
