"""Rewrite the admin log's entries about personal data so they name the record by kind and key only.

Until now ``LogEntry.object_repr`` held ``str()`` of the record (a customer's
e-mail address, an address, a photo's file name) and change messages held
``str()`` of inline records; new entries no longer do
(``privacy.admin.AdminLogWithoutPersonalData``). The models are those the
privacy registry declared when this was written; names are the English
verbose names, as Django stores them. Batched by primary key.

Not reversible in substance: the names removed are not kept anywhere.
"""

import json

from django.db import migrations

# Model label -> English verbose name, as declared in the privacy registry (2026-11).
PERSONAL_MODELS = {
    "account.emailaddress": "email address",
    "account.emailconfirmation": "email confirmation",
    "accounts.accountevent": "account event",
    "accounts.address": "address",
    "accounts.communicationpreference": "communication preference",
    "accounts.session": "session",
    "accounts.user": "user",
    "admin.logentry": "log entry",
    "mfa.authenticator": "authenticator",
    "photos.album": "album",
    "photos.photo": "photo",
    "photos.photoconsent": "photo consent",
    "socialaccount.socialaccount": "social account",
    "socialaccount.socialtoken": "social application token",
}
BATCH = 1000


def scrubbed_message(message: str) -> str:
    """Return the change message with the names of inline records of personal data left out."""
    if not message:
        return message
    try:
        parts = json.loads(message)
    except ValueError:
        return ""  # free text written by hand: it may name anyone
    if not isinstance(parts, list):
        return ""
    names = set(PERSONAL_MODELS.values())
    for part in parts:
        for detail in part.values() if isinstance(part, dict) else ():
            if isinstance(detail, dict) and "object" in detail and detail.get("name") in names:
                detail["object"] = f"{detail['name']} #?"
    return json.dumps(parts)


def forwards(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    LogEntry = apps.get_model("admin", "LogEntry")
    personal = {
        content_type: PERSONAL_MODELS[f"{content_type.app_label}.{content_type.model}"]
        for content_type in ContentType.objects.all()
        if f"{content_type.app_label}.{content_type.model}" in PERSONAL_MODELS
    }
    for content_type, name in personal.items():
        last_pk = 0
        while True:
            batch = list(
                LogEntry.objects.filter(content_type=content_type, pk__gt=last_pk)
                .order_by("pk")
                .only("pk", "object_id", "object_repr", "change_message")[:BATCH]
            )
            if not batch:
                break
            for entry in batch:
                entry.object_repr = f"{name} #{entry.object_id}"[:200]
                entry.change_message = scrubbed_message(entry.change_message)
            LogEntry.objects.bulk_update(batch, ["object_repr", "change_message"])
            last_pk = batch[-1].pk
    # Entries about other records may still list inline records of personal data.
    last_pk = 0
    while True:
        batch = list(
            LogEntry.objects.filter(pk__gt=last_pk, change_message__contains='"object"')
            .exclude(content_type__in=list(personal))
            .order_by("pk")
            .only("pk", "change_message")[:BATCH]
        )
        if not batch:
            break
        for entry in batch:
            entry.change_message = scrubbed_message(entry.change_message)
        LogEntry.objects.bulk_update(batch, ["change_message"])
        last_pk = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_close_and_erase_permissions"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
