"""Only the privacy officer reads the access log (PIX-9)."""

from django.db import migrations

from photoshop.migration_helpers import grants

GRANTS = {"Privacy officer": {"privacy": ["view_accesslogentry"]}}


class Migration(migrations.Migration):
    dependencies = [("privacy", "0011_access_log")]

    operations = [grants(GRANTS)]
