"""Records left by an interrupted sweep survive the change to batch records (migration 0003)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("privacy", "0002_privacy_officer_permissions")]
AFTER = [("privacy", "0003_pending_file_removal_batches")]


@pytest.fixture
def executor():
    yield MigrationExecutor(connection)
    latest = MigrationExecutor(connection)
    latest.migrate(latest.loader.graph.leaf_nodes())  # leave the schema as the other tests expect


@pytest.mark.django_db(transaction=True)
def test_per_name_records_are_folded_into_batches(executor):
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps.get_model("privacy", "PendingFileRemoval")
    old.objects.bulk_create(
        [old(storage="default", name=f"photos/{i}.jpg") for i in range(1500)] + [old(storage="archive", name="a.jpg")]
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps.get_model("privacy", "PendingFileRemoval")
    by_storage: dict[str, list[str]] = {}
    for record in new.objects.all():
        assert len(record.names) <= 1000
        by_storage.setdefault(record.storage, []).extend(record.names)
    assert sorted(by_storage["default"]) == sorted(f"photos/{i}.jpg" for i in range(1500))
    assert by_storage["archive"] == ["a.jpg"]
