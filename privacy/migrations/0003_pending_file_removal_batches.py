"""Pending file removals become batches: one record holds up to 1,000 names."""

from django.db import migrations, models

BATCH = 1000


def names_into_batches(apps, schema_editor):
    """Fold the per-name records left by an interrupted sweep into batch records."""
    pending = apps.get_model("privacy", "PendingFileRemoval")
    while True:
        rows = list(pending.objects.filter(names=[]).exclude(name="").values_list("pk", "storage", "name")[:BATCH])
        if not rows:
            return
        by_storage: dict[str, list[str]] = {}
        for _pk, storage, name in rows:
            by_storage.setdefault(storage, []).append(name)
        pending.objects.bulk_create(
            [pending(storage=storage, names=names, name="") for storage, names in by_storage.items()]
        )
        pending.objects.filter(pk__in=[pk for pk, _storage, _name in rows]).delete()


class Migration(migrations.Migration):
    dependencies = [("privacy", "0002_privacy_officer_permissions")]

    operations = [
        migrations.RemoveConstraint(model_name="pendingfileremoval", name="privacy_pendingfile_unique"),
        migrations.AddField(model_name="pendingfileremoval", name="names", field=models.JSONField(default=list)),
        migrations.AlterField(
            model_name="pendingfileremoval", name="name", field=models.CharField(max_length=500, blank=True)
        ),
        migrations.RunPython(names_into_batches, migrations.RunPython.noop),
        migrations.RemoveField(model_name="pendingfileremoval", name="name"),
    ]
