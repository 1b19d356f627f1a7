"""Support and print lab see photos (to help customers and to print); the privacy officer too."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "Support": ["view_photo", "change_photo"],
    "Print lab": ["view_photo"],
    "Privacy officer": ["view_photo", "delete_photo"],
}


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GRANTS.items():
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.add(*Permission.objects.filter(content_type__app_label="photos", codename__in=codenames))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name__in=GRANTS):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="photos", codename__in=GRANTS[group.name]))


class Migration(migrations.Migration):
    dependencies = [("photos", "0001_initial"), ("accounts", "0002_staff_roles")]

    operations = [migrations.RunPython(grant, revoke)]
