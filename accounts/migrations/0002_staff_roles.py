"""Create the staff roles as groups with the permissions each needs.

Later apps grant their own permissions to these groups in their migrations.
"""

from django.db import migrations

from photoshop.migration_helpers import grant_permissions

ROLES = {
    "Support": {
        "accounts": [
            "view_user",
            "change_user",
            "view_address",
            "add_address",
            "change_address",
            "view_communicationpreference",
        ],
        "account": ["view_emailaddress"],
        "django_celery_results": ["view_taskresult"],
    },
    "Privacy officer": {
        "accounts": [
            "view_user",
            "change_user",
            "delete_user",
            "view_address",
            "delete_address",
            "view_communicationpreference",
        ],
        "account": ["view_emailaddress"],
        "admin": ["view_logentry"],
        "django_celery_results": ["view_taskresult"],
    },
    "Marketing": {"accounts": ["view_communicationpreference"]},
    "Print lab": {"django_celery_results": ["view_taskresult"]},
}


def create_roles(apps, schema_editor):
    for name, permissions in ROLES.items():
        grant_permissions(apps, name, permissions)


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
