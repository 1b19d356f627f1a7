"""Support and print lab see photos (to help customers and to print); the privacy officer too."""

from django.db import migrations

from photoshop.migration_helpers import grant_permissions, revoke_permissions

GRANTS = {
    "Support": {"photos": ["view_photo", "change_photo"]},
    "Print lab": {"photos": ["view_photo"]},
    "Privacy officer": {"photos": ["view_photo", "delete_photo"]},
}


def grant(apps, schema_editor):
    for name, permissions in GRANTS.items():
        grant_permissions(apps, name, permissions)


def revoke(apps, schema_editor):
    for name, permissions in GRANTS.items():
        revoke_permissions(apps, name, permissions)


class Migration(migrations.Migration):
    dependencies = [("photos", "0001_initial"), ("accounts", "0002_staff_roles")]

    operations = [migrations.RunPython(grant, revoke)]
