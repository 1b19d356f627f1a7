"""The print lab works on orders to produce and their print files; it no longer opens customers' photos.

Support may download invoices.
"""

from django.db import migrations

from photoshop.migration_helpers import grant_permissions, revoke_permissions

GRANTS = {
    "Print lab": {
        "orders": ["view_laborder", "change_laborder", "view_orderline", "change_orderline", "view_labexport"],
    },
    "Support": {"orders": ["view_invoice"]},
}
# Every original of every customer was open to the lab; it now gets the print files of ordered lines only.
REVOKES = {"Print lab": {"photos": ["view_photo"]}}


def forwards(apps, schema_editor):
    for name, permissions in GRANTS.items():
        grant_permissions(apps, name, permissions)
    for name, permissions in REVOKES.items():
        revoke_permissions(apps, name, permissions)


def backwards(apps, schema_editor):
    for name, permissions in GRANTS.items():
        revoke_permissions(apps, name, permissions)
    for name, permissions in REVOKES.items():
        grant_permissions(apps, name, permissions)


class Migration(migrations.Migration):
    dependencies = [("orders", "0007_lab_order_view"), ("photos", "0002_staff_can_view_photos")]

    operations = [migrations.RunPython(forwards, backwards)]
