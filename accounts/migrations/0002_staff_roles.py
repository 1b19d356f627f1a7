"""Create the staff roles as groups with the permissions each needs.

Later apps grant their own permissions to these groups in their migrations.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = {
    "Support": [
        ("accounts", "view_user"),
        ("accounts", "change_user"),
        ("accounts", "view_address"),
        ("accounts", "add_address"),
        ("accounts", "change_address"),
        ("accounts", "view_communicationpreference"),
        ("account", "view_emailaddress"),
        ("django_celery_results", "view_taskresult"),
    ],
    "Privacy officer": [
        ("accounts", "view_user"),
        ("accounts", "change_user"),
        ("accounts", "delete_user"),
        ("accounts", "view_address"),
        ("accounts", "delete_address"),
        ("accounts", "view_communicationpreference"),
        ("account", "view_emailaddress"),
        ("admin", "view_logentry"),
        ("django_celery_results", "view_taskresult"),
    ],
    "Marketing": [
        ("accounts", "view_communicationpreference"),
    ],
    "Print lab": [
        ("django_celery_results", "view_taskresult"),
    ],
}


def create_roles(apps, schema_editor):
    # Permissions are normally created after migrate; make sure they exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, perms in ROLES.items():
        group, _created = Group.objects.get_or_create(name=name)
        for app_label, codename in perms:
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("account", "0009_emailaddress_unique_primary_email"),
        ("django_celery_results", "0014_alter_taskresult_status"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
