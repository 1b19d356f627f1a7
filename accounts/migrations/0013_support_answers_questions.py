"""Customer service (the Support role) reads and answers the questions asked through the contact form."""

from django.db import migrations

from photoshop.migration_helpers import grant_permissions, revoke_permissions

GRANTS = {"Support": {"accounts": ["view_contactthread", "change_contactthread", "view_contactmessage"]}}


def forwards(apps, schema_editor):
    for name, permissions in GRANTS.items():
        grant_permissions(apps, name, permissions)


def backwards(apps, schema_editor):
    for name, permissions in GRANTS.items():
        revoke_permissions(apps, name, permissions)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0012_contact_threads")]

    operations = [migrations.RunPython(forwards, backwards)]
