"""The privacy officer handles data-subject requests and reads the proof of cookie choices; support does neither."""

from django.db import migrations

from photoshop.migration_helpers import grants

GRANTS = {
    "Privacy officer": {
        "privacy": [
            "view_privacyrequest",
            "add_privacyrequest",
            "handle_privacyrequest",
            "view_privacyrequestevent",
            "view_cookieconsent",
        ]
    }
}


class Migration(migrations.Migration):
    dependencies = [("privacy", "0009_privacy_requests")]

    operations = [grants(GRANTS)]
