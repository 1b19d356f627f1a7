"""A person's data as one ZIP: every registered record as JSON, the stored files, a readable summary.

Written record by record and file by file into the ZIP (a temporary file,
then private storage), so memory stays flat however many photos a person
has. What the registry declares is what goes in: data of an app added later
is exported without changing this module. Credentials are left out (a
password hash, a session key, a two-factor secret): they are not data about
the person but keys to their account.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from typing import IO, Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.template.loader import render_to_string
from django.utils import timezone, translation

from privacy.registry import PersonalData, registry

# Fields that are keys to the account rather than data about the person.
CREDENTIALS: dict[str, set[str]] = {
    "accounts.user": {"password"},
    "accounts.session": {"session_key", "session_data"},
    "account.emailconfirmation": {"key"},
    "mfa.authenticator": {"data"},
    "socialaccount.socialtoken": {"token", "token_secret"},
}
CHUNK = 2000
COPY_BUFFER = 1024 * 1024


class _Encoder(DjangoJSONEncoder):
    def default(self, o: Any) -> Any:
        try:
            return super().default(o)
        except TypeError:
            return str(o)  # a phone number, a country: their text


def _models_of(user_id: int) -> Iterator[tuple[PersonalData, models.QuerySet]]:
    """Yield each registered model once, with the person's rows of it (every scope: all we hold)."""
    seen: set[str] = set()
    for entry in registry.entries():
        if entry.subject is None or entry.label in seen:
            continue
        seen.add(entry.label)
        condition = {"pk": user_id} if entry.subject == "" else {entry.subject: user_id}
        yield entry, entry.get_model()._base_manager.filter(**condition).order_by("pk")


def _exported_fields(entry: PersonalData) -> list[str]:
    model = entry.get_model()
    hidden = CREDENTIALS.get(entry.label, set())
    return [f.attname for f in model._meta.concrete_fields if f.name not in hidden and f.attname not in hidden]


def _file_fields(entry: PersonalData) -> list[str]:
    return [f.name for f in entry.get_model()._meta.concrete_fields if isinstance(f, models.FileField)]


def write_export(user, out: IO[bytes]) -> dict[str, Any]:
    """Write the person's ZIP to ``out`` (a binary file object); return its counts per model and files included."""
    import zipfile

    now = timezone.now()
    counts: dict[str, int] = {}
    sections: list[dict[str, Any]] = []
    files_included = 0
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("data.json", "w", force_zip64=True) as raw:
            raw.write(b'{"generated_at": ' + json.dumps(now.isoformat()).encode() + b', "records": {')
            first_model = True
            for entry, rows in _models_of(user.pk):
                model = entry.get_model()
                fields = _exported_fields(entry)
                raw.write((b"" if first_model else b", ") + json.dumps(model._meta.label).encode() + b": [")
                first_model = False
                count = 0
                for row in rows.values(*fields).iterator(chunk_size=CHUNK):
                    raw.write((b", " if count else b"") + json.dumps(row, cls=_Encoder, ensure_ascii=False).encode())
                    count += 1
                raw.write(b"]")
                counts[model._meta.label] = count
                if count:
                    sections.append(
                        {
                            "what": model._meta.verbose_name_plural,
                            "category": entry.category.label if hasattr(entry.category, "label") else entry.category,
                            "count": count,
                            "why": entry.purpose,
                        }
                    )
            raw.write(b"}}")
        for entry, rows in _models_of(user.pk):
            model = entry.get_model()
            for name in _file_fields(entry):
                storage = model._meta.get_field(name).storage
                for stored in rows.exclude(**{name: ""}).values_list(name, flat=True).iterator(chunk_size=CHUNK):
                    try:
                        source = storage.open(stored, "rb")
                    except (FileNotFoundError, OSError):
                        continue  # a file already removed: its record says so
                    with source, archive.open(f"files/{stored}", "w", force_zip64=True) as target:
                        shutil.copyfileobj(source, target, COPY_BUFFER)
                    files_included += 1
        language = getattr(user, "language", "") or settings.LANGUAGE_CODE
        with translation.override(language):
            summary = render_to_string(
                "privacy/export_summary.html",
                {"sections": sections, "generated_at": now, "files_included": files_included, "language": language},
            )
        archive.writestr("summary.html", summary)
    return {"counts": counts, "files_included": files_included}
