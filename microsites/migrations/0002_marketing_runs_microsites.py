"""Marketing runs the sponsors' microsites; support sees them to help customers who order there."""

from django.db import migrations

from photoshop.migration_helpers import grants

GRANTS = {
    "Marketing": {"microsites": ["view_microsite", "add_microsite", "change_microsite"]},
    "Support": {"microsites": ["view_microsite"]},
}


class Migration(migrations.Migration):
    dependencies = [("microsites", "0001_initial"), ("accounts", "0002_staff_roles")]

    operations = [grants(GRANTS)]
