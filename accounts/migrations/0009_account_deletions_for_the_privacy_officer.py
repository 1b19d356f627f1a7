"""The privacy officer sees the list of account deletions (pending and late erasures); support does not."""

from django.db import migrations

from photoshop.migration_helpers import grant_permissions, revoke_permissions

GRANTS = {"Privacy officer": {"accounts": ["view_accountdeletion"]}}


def forwards(apps, schema_editor):
    for name, permissions in GRANTS.items():
        grant_permissions(apps, name, permissions)


def backwards(apps, schema_editor):
    for name, permissions in GRANTS.items():
        revoke_permissions(apps, name, permissions)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0008_erasure_requests")]

    operations = [migrations.RunPython(forwards, backwards)]
