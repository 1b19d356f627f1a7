"""Staff close and erase accounts through the admin actions, never by deleting the user row.

The privacy officer loses ``delete_user`` and may close and erase accounts
and read their records; support may close an account on the customer's
request (STX-4) but not erase it: the erasure is immediate and cannot be
undone, so it stays with the privacy officer (SMP-9, ALB-4).
"""

from django.db import migrations

from photoshop.migration_helpers import grant_permissions, revoke_permissions

GRANTS = {
    "Privacy officer": {"accounts": ["close_account", "erase_account", "view_accountevent"]},
    "Support": {"accounts": ["close_account", "view_accountevent"]},
}
REVOKED = {"Privacy officer": {"accounts": ["delete_user"]}}


def forwards(apps, schema_editor):
    for name, permissions in GRANTS.items():
        grant_permissions(apps, name, permissions)
    for name, permissions in REVOKED.items():
        revoke_permissions(apps, name, permissions)


def backwards(apps, schema_editor):
    for name, permissions in GRANTS.items():
        revoke_permissions(apps, name, permissions)
    for name, permissions in REVOKED.items():
        grant_permissions(apps, name, permissions)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_account_events")]

    operations = [migrations.RunPython(forwards, backwards)]
