"""Staff roles get their permissions from the apps' data migrations, through one helper."""

import pytest
from django.apps import apps as global_apps
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from photoshop.migration_helpers import grant_permissions, revoke_permissions

ROLES_CREATED = [("accounts", "0001_initial")]
ROLES_GRANTED = [
    ("accounts", "0002_staff_roles"),
    ("photos", "0002_staff_can_view_photos"),
    ("privacy", "0002_privacy_officer_permissions"),
]
ACCOUNTS_CLOSE_AND_ERASE = [("accounts", "0005_close_and_erase_permissions")]

# What the roles held after these migrations before they shared the helper.
SUPPORT = {
    "accounts.view_user",
    "accounts.change_user",
    "accounts.view_address",
    "accounts.add_address",
    "accounts.change_address",
    "accounts.view_communicationpreference",
    "account.view_emailaddress",
    "django_celery_results.view_taskresult",
    "photos.view_photo",
    "photos.change_photo",
}
PRIVACY_OFFICER = {
    "accounts.view_user",
    "accounts.change_user",
    "accounts.delete_user",
    "accounts.view_address",
    "accounts.delete_address",
    "accounts.view_communicationpreference",
    "account.view_emailaddress",
    "admin.view_logentry",
    "django_celery_results.view_taskresult",
    "photos.view_photo",
    "photos.delete_photo",
    "privacy.view_sweeprun",
    "privacy.view_policyversion",
    "privacy.export_records_of_processing",
}
MARKETING = {"accounts.view_communicationpreference"}
PRINT_LAB = {"django_celery_results.view_taskresult", "photos.view_photo"}


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def _roles() -> dict[str, set[str]]:
    roles: dict[str, set[str]] = {}
    for group in Group.objects.all():
        permissions = group.permissions.select_related("content_type")
        roles[group.name] = {f"{p.content_type.app_label}.{p.codename}" for p in permissions}
    return roles


@pytest.fixture
def back_to_before_the_roles():
    """Unapply the role migrations and forget the permission rows, as in a database that was never migrated."""
    _migrate(ROLES_CREATED)
    Permission.objects.filter(
        content_type__app_label__in=["accounts", "account", "admin", "django_celery_results", "photos", "privacy"]
    ).delete()
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())  # leave the schema as the other tests expect


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("back_to_before_the_roles")
def test_migrating_a_fresh_database_gives_each_role_its_permissions():
    assert not Group.objects.exists()

    _migrate(ROLES_GRANTED)
    assert _roles() == {
        "Support": SUPPORT,
        "Privacy officer": PRIVACY_OFFICER,
        "Marketing": MARKETING,
        "Print lab": PRINT_LAB,
    }

    _migrate(ACCOUNTS_CLOSE_AND_ERASE)
    roles = _roles()
    assert roles["Support"] == SUPPORT | {"accounts.close_account", "accounts.view_accountevent"}
    assert roles["Privacy officer"] == (PRIVACY_OFFICER - {"accounts.delete_user"}) | {
        "accounts.close_account",
        "accounts.erase_account",
        "accounts.view_accountevent",
    }


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("back_to_before_the_roles")
def test_unapplying_an_apps_grant_takes_back_only_its_permissions():
    _migrate(ROLES_GRANTED)

    _migrate([("photos", "0001_initial")])
    roles = _roles()
    assert roles["Support"] == {p for p in SUPPORT if not p.startswith("photos.")}
    assert roles["Print lab"] == {"django_celery_results.view_taskresult"}
    assert roles["Privacy officer"] == {p for p in PRIVACY_OFFICER if not p.startswith("photos.")}

    _migrate([("privacy", "0001_initial")])
    assert _roles()["Privacy officer"] == {p for p in PRIVACY_OFFICER if p.split(".")[0] not in ("photos", "privacy")}

    _migrate(ROLES_CREATED)
    assert not Group.objects.exists()


@pytest.mark.django_db
def test_grant_creates_the_group_and_a_permission_not_made_yet():
    Permission.objects.filter(content_type__app_label="photos", codename="view_photo").delete()

    grant_permissions(global_apps, "Lab night shift", {"photos": ["view_photo"], "accounts": ["view_address"]})

    group = Group.objects.get(name="Lab night shift")
    assert {p.codename for p in group.permissions.all()} == {"view_photo", "view_address"}


@pytest.mark.django_db
def test_grant_of_an_unknown_codename_stops_the_migration():
    with pytest.raises(LookupError, match=r"photos\.view_fotos"):
        grant_permissions(global_apps, "Lab night shift", {"photos": ["view_photo", "view_fotos"]})
    assert not Group.objects.filter(name="Lab night shift").exists()


@pytest.mark.django_db
def test_revoke_takes_only_the_named_permissions_and_keeps_the_group():
    grant_permissions(global_apps, "Lab night shift", {"photos": ["view_photo", "change_photo"]})

    revoke_permissions(global_apps, "Lab night shift", {"photos": ["change_photo"]})
    revoke_permissions(global_apps, "Nobody", {"photos": ["change_photo"]})

    group = Group.objects.get(name="Lab night shift")
    assert [p.codename for p in group.permissions.all()] == ["view_photo"]
