"""Staff close and erase accounts through the admin actions, never by deleting the user row.

The privacy officer loses ``delete_user`` and may close and erase accounts
and read their records; support may close an account on the customer's
request (STX-4) but not erase it: the erasure is immediate and cannot be
undone, so it stays with the privacy officer (SMP-9, ALB-4).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "Privacy officer": ["close_account", "erase_account", "view_accountevent"],
    "Support": ["close_account", "view_accountevent"],
}
REVOKED = {"Privacy officer": ["delete_user"]}


def _permissions(apps, codenames):
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.filter(content_type__app_label="accounts", codename__in=codenames)


def forwards(apps, schema_editor):
    # Permissions are normally created after migrate; make sure the new ones exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    for name, codenames in GRANTS.items():
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.add(*_permissions(apps, codenames))
    for group in Group.objects.filter(name__in=REVOKED):
        group.permissions.remove(*_permissions(apps, REVOKED[group.name]))


def backwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name__in=GRANTS):
        group.permissions.remove(*_permissions(apps, GRANTS[group.name]))
    for group in Group.objects.filter(name__in=REVOKED):
        group.permissions.add(*_permissions(apps, REVOKED[group.name]))


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_account_events")]

    operations = [migrations.RunPython(forwards, backwards)]
