"""The privacy officer handles data-subject requests and reads the proof of cookie choices; support does neither."""

from django.db import migrations

from photoshop.migration_helpers import grant_permissions, revoke_permissions

GRANTS = {
    "Privacy officer": {
        "privacy": [
            "view_privacyrequest",
            "add_privacyrequest",
            "handle_privacyrequest",
            "view_privacyrequestevent",
            "view_cookieconsent",
        ]
    }
}


def forwards(apps, schema_editor):
    for name, permissions in GRANTS.items():
        grant_permissions(apps, name, permissions)


def backwards(apps, schema_editor):
    for name, permissions in GRANTS.items():
        revoke_permissions(apps, name, permissions)


class Migration(migrations.Migration):
    dependencies = [("privacy", "0009_privacy_requests")]

    operations = [migrations.RunPython(forwards, backwards)]
