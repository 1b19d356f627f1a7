"""The access log (PIX-9): every staff view or export of a person's personal data, recorded as it happens."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models
from django.http import HttpRequest, HttpResponse

from privacy.models import AccessLogEntry

Action = AccessLogEntry.Action


def access_record(*, staff, records: Iterable[tuple[models.Model, int | None]], action: str = Action.VIEW) -> int:
    """Record that ``staff`` accessed these records, each with the id of the person it is about (set-based)."""
    if staff is None or not staff.is_authenticated:
        return 0
    rows = [
        AccessLogEntry(
            staff=staff,
            subject_id=subject_id,
            action=action,
            record_type=record._meta.label,
            record_id=str(record.pk),
        )
        for record, subject_id in records
    ]
    AccessLogEntry.objects.bulk_create(rows)
    return len(rows)


class LogsAccess:
    """ModelAdmin mixin: opening a record's page logs the access, with whose data it is (PIX-9).

    ``access_subject`` names the lookup from the record to the person
    (``"user"``; ``""`` when the record is the person).
    """

    access_subject = "user"

    def subject_of(self, obj: models.Model) -> int | None:
        if not self.access_subject:
            return obj.pk
        *path, last = self.access_subject.split("__")
        for part in path:
            obj = getattr(obj, part, None)
            if obj is None:
                return None
        return getattr(obj, f"{last}_id", None)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict | None = None,
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            obj = (getattr(response, "context_data", None) or {}).get("original")
            if obj is not None:
                access_record(staff=request.user, records=[(obj, self.subject_of(obj))])
        return response


class HidesRestricted:
    """ModelAdmin mixin: a person whose processing is restricted (ALB-3) is hidden from everyday staff views.

    Only staff who handle privacy requests (the privacy officer) still see
    their records; ``restricted_subject`` is the lookup to the person
    (``""`` when the record is the person).
    """

    restricted_subject = "user"

    def get_queryset(self, request: HttpRequest):
        queryset = super().get_queryset(request)
        if request.user.has_perm("privacy.handle_privacyrequest"):
            return queryset
        if not self.restricted_subject:
            return queryset.filter(processing_restricted_at__isnull=True)
        # Rows of no one (a guest's order) stay visible.
        return queryset.exclude(**{f"{self.restricted_subject}__processing_restricted_at__isnull": False})
