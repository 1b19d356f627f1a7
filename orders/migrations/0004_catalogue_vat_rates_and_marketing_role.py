"""Seed the Belgian and Dutch VAT rates, and let the marketing role manage the catalogue.

Books are at the reduced rate (BE 6%, NL 9%); prints, posters, calendars,
stamps and shipping at the standard 21%. An existing rate is left as staff set it.
"""

from django.db import migrations

from photoshop.migration_helpers import grant_permissions, revoke_permissions

KINDS = ["print", "square_print", "poster", "photo_book", "calendar", "stamp", "shipping"]
REDUCED = {"BE": {"photo_book": 600}, "NL": {"photo_book": 900}}
STANDARD = 2100

GRANTS = {
    "Marketing": {
        "orders": [
            "view_product",
            "add_product",
            "change_product",
            "view_format",
            "add_format",
            "change_format",
            "view_finish",
            "add_finish",
            "change_finish",
            "delete_finish",
            "view_productimage",
            "add_productimage",
            "change_productimage",
            "delete_productimage",
            "view_vatrate",
            "add_vatrate",
            "change_vatrate",
            "view_shippingmethod",
            "add_shippingmethod",
            "change_shippingmethod",
        ],
    },
}


def seed_vat_rates(apps, schema_editor):
    VatRate = apps.get_model("orders", "VatRate")
    for country, reduced in REDUCED.items():
        for kind in KINDS:
            VatRate.objects.get_or_create(kind=kind, country=country, defaults={"rate_bp": reduced.get(kind, STANDARD)})


def remove_vat_rates(apps, schema_editor):
    VatRate = apps.get_model("orders", "VatRate")
    for country, reduced in REDUCED.items():
        for kind in KINDS:
            VatRate.objects.filter(kind=kind, country=country, rate_bp=reduced.get(kind, STANDARD)).delete()


def grant(apps, schema_editor):
    for name, permissions in GRANTS.items():
        grant_permissions(apps, name, permissions)


def revoke(apps, schema_editor):
    for name, permissions in GRANTS.items():
        revoke_permissions(apps, name, permissions)


class Migration(migrations.Migration):
    dependencies = [("orders", "0003_staff_roles_see_orders"), ("accounts", "0002_staff_roles")]

    operations = [migrations.RunPython(seed_vat_rates, remove_vat_rates), migrations.RunPython(grant, revoke)]
