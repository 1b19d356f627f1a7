"""Give the privacy officer the privacy engine's records: sweep runs, policy versions, article 30 export."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PERMISSIONS = ["view_sweeprun", "view_policyversion", "export_records_of_processing"]


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name="Privacy officer")
    group.permissions.add(*Permission.objects.filter(content_type__app_label="privacy", codename__in=PERMISSIONS))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name="Privacy officer"):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="privacy", codename__in=PERMISSIONS)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0001_initial"),
        ("accounts", "0002_staff_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
