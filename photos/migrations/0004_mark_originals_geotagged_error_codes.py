"""Data: originals stored so far may carry GPS (PIX-7: the strip task checks each one); failures become codes."""

from django.db import migrations
from django.db.models import Q

BATCH = 5000
DAMAGED_TEXT = "The image data is damaged or incomplete."
UNREADABLE_TEXT = "The image could not be read."


def _batched_update(queryset, **values) -> None:
    while True:
        keys = list(queryset.values_list("pk", flat=True)[:BATCH])
        if not keys:
            return
        queryset.model.objects.filter(pk__in=keys).update(**values)


def forwards(apps, schema_editor):
    Photo = apps.get_model("photos", "Photo")
    # Before this change every original was stored as uploaded, GPS and all.
    _batched_update(Photo.objects.filter(original_geotagged=False).exclude(original=""), original_geotagged=True)
    _batched_update(Photo.objects.filter(error=DAMAGED_TEXT), error="damaged")
    # Anything else was "The image could not be read (<exception text>)."
    _batched_update(Photo.objects.exclude(Q(error="") | Q(error__in=["damaged", "unreadable"])), error="unreadable")


def backwards(apps, schema_editor):
    Photo = apps.get_model("photos", "Photo")
    _batched_update(Photo.objects.filter(error="damaged"), error=DAMAGED_TEXT)
    _batched_update(Photo.objects.filter(error="unreadable"), error=UNREADABLE_TEXT)


class Migration(migrations.Migration):
    dependencies = [("photos", "0003_photo_original_geotagged_error_codes")]

    operations = [migrations.RunPython(forwards, backwards)]
