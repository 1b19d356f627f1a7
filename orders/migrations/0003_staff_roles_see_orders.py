"""Staff roles and the order admin: support handles orders (no deleting), the privacy officer reads them."""

from django.db import migrations

from photoshop.migration_helpers import grant_permissions, revoke_permissions

GRANTS = {
    "Support": {
        "orders": [
            "view_order",
            "change_order",
            "view_orderline",
            "view_orderevent",
            "view_payment",
            "view_refund",
            "view_shippingmethod",
        ],
    },
    "Privacy officer": {
        "orders": ["view_order", "view_orderline", "view_orderevent", "view_payment", "view_refund"],
    },
}


def grant(apps, schema_editor):
    for name, permissions in GRANTS.items():
        grant_permissions(apps, name, permissions)


def revoke(apps, schema_editor):
    for name, permissions in GRANTS.items():
        revoke_permissions(apps, name, permissions)


class Migration(migrations.Migration):
    dependencies = [("orders", "0002_order_email_index"), ("accounts", "0002_staff_roles")]

    operations = [migrations.RunPython(grant, revoke)]
