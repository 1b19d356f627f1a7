"""Data migrations of accounts: staff permissions for closing and erasing, and the admin log rewritten."""

import json

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE_PERMISSIONS = [("accounts", "0004_account_events")]
PERMISSIONS = [("accounts", "0005_close_and_erase_permissions")]
LOG_REWRITE = [("accounts", "0006_admin_log_without_personal_data")]


@pytest.fixture
def migrate():
    """Migrate to the given nodes and return the models as they were then; end on the latest schema."""

    def to(nodes):
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(nodes)
        return executor.loader.project_state(nodes).apps

    yield to
    latest = MigrationExecutor(connection)
    latest.migrate(latest.loader.graph.leaf_nodes())


def role_permissions(apps, role: str) -> set[str]:
    group = apps.get_model("auth", "Group").objects.get(name=role)
    return set(group.permissions.values_list("codename", flat=True))


@pytest.mark.django_db(transaction=True)
def test_privacy_officer_loses_the_raw_delete_and_gets_close_and_erase_reversibly(migrate):
    # From before the roles exist: a transactional test run earlier may have flushed the groups away.
    migrate([("accounts", "0001_initial")])
    apps = migrate(PERMISSIONS)
    assert "delete_user" not in role_permissions(apps, "Privacy officer")
    assert {"close_account", "erase_account", "view_accountevent"} <= role_permissions(apps, "Privacy officer")
    assert "close_account" in role_permissions(apps, "Support")
    assert "erase_account" not in role_permissions(apps, "Support")

    apps = migrate(BEFORE_PERMISSIONS)
    assert "delete_user" in role_permissions(apps, "Privacy officer")
    assert not {"close_account", "erase_account"} & role_permissions(apps, "Privacy officer")
    assert "close_account" not in role_permissions(apps, "Support")


@pytest.mark.django_db(transaction=True)
def test_existing_admin_log_entries_no_longer_name_customers(migrate):
    apps = migrate(PERMISSIONS)
    ContentType = apps.get_model("contenttypes", "ContentType")
    LogEntry = apps.get_model("admin", "LogEntry")
    staff = apps.get_model("accounts", "User").objects.create(email="support@staff.example", is_staff=True)
    user_type = ContentType.objects.get(app_label="accounts", model="user")
    photo_type = ContentType.objects.get(app_label="photos", model="photo")
    group_type = ContentType.objects.get(app_label="auth", model="group")
    inline = [
        {"changed": {"fields": ["First name"]}},
        {"added": {"name": "address", "object": "Emma Janssens, Kerkstraat 1, 9000 Gent, BE"}},
    ]
    entries = [
        LogEntry.objects.create(
            user=staff,
            content_type=user_type,
            object_id="41",
            object_repr="emma.janssens@example.com",
            action_flag=2,
            change_message=json.dumps(inline),
        ),
        LogEntry.objects.create(
            user=staff,
            content_type=photo_type,
            object_id="0b7c2f0e-0000-4000-8000-000000000001",
            object_repr="emma-on-the-beach.jpg",
            action_flag=3,
        ),
        LogEntry.objects.create(
            user=staff, content_type=group_type, object_id="1", object_repr="Support", action_flag=2
        ),
    ]

    apps = migrate(LOG_REWRITE)

    LogEntry = apps.get_model("admin", "LogEntry")
    user_entry, photo_entry, group_entry = (LogEntry.objects.get(pk=entry.pk) for entry in entries)
    assert user_entry.object_repr == "user #41"
    assert json.loads(user_entry.change_message) == [
        {"changed": {"fields": ["First name"]}},
        {"added": {"name": "address", "object": "address #?"}},
    ]
    assert photo_entry.object_repr == "photo #0b7c2f0e-0000-4000-8000-000000000001"
    assert group_entry.object_repr == "Support"  # not personal data: unchanged
