"""Give the privacy officer the privacy engine's records: sweep runs, policy versions, article 30 export."""

from django.db import migrations

from photoshop.migration_helpers import grant_permissions, revoke_permissions

PERMISSIONS = {"privacy": ["view_sweeprun", "view_policyversion", "export_records_of_processing"]}


def grant(apps, schema_editor):
    grant_permissions(apps, "Privacy officer", PERMISSIONS)


def revoke(apps, schema_editor):
    revoke_permissions(apps, "Privacy officer", PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0001_initial"),
        ("accounts", "0002_staff_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
