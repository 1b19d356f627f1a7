"""The public privacy policy and the staff download of the records of processing."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext

from privacy import policy
from privacy.models import PolicyVersion
from privacy.registry import LegalBasis


def _context(version: PolicyVersion, *, is_current: bool) -> dict:
    document = version.document
    categories = [
        {
            **cat,
            "legal_basis_text": "; ".join(str(LegalBasis(b).label) for b in cat["legal_bases"]),
            "examples_text": "; ".join(gettext(e) for e in cat["examples"]),
            "purposes_text": " ".join(gettext(p) for p in cat["purposes"]),
            "retention_texts": [policy.retention_text(r, preset=document.get("preset", "")) for r in cat["retention"]],
        }
        for cat in document["categories"]
    ]
    local = policy.localised(document)
    return {
        "version": version,
        "is_current": is_current,
        "document": document,
        "controller": local["controller"],
        "processors": local["processors"],
        "authorities": local["authorities"],
        "categories": categories,
        "transfers": [p for p in local["processors"] if p.get("outside_eea")],
        # The other versions: the one shown is not "earlier" than itself.
        "versions": PolicyVersion.objects.exclude(pk=version.pk).only("number", "published_at"),
    }


def policy_page(request: HttpRequest) -> HttpResponse:
    """Render the privacy policy in force."""
    version = policy.current_version()
    context = _context(version, is_current=True)
    context["versions"] = context["versions"].filter(number__lt=version.number)
    return render(request, "privacy/policy.html", context)


def policy_version(request: HttpRequest, number: int) -> HttpResponse:
    """Render any version of the privacy policy, as it was published, saying whether it is in force."""
    current = policy.current_version()
    version = get_object_or_404(PolicyVersion, number=number)
    return render(request, "privacy/policy.html", _context(version, is_current=version.pk == current.pk))


@staff_member_required
def records_of_processing(request: HttpRequest, fmt: str) -> HttpResponse:
    """Download the GDPR article 30 records of processing as CSV or JSON."""
    if not request.user.has_perm("privacy.export_records_of_processing"):
        raise PermissionDenied
    # One language for the whole file, chosen by the officer (?lang=nl|fr|en), the site's default otherwise.
    language = request.GET.get("lang", settings.LANGUAGE_CODE)
    if language not in dict(settings.LANGUAGES):
        raise Http404
    rows = policy.records_of_processing(policy.current_version().document, language=language)
    stamp = timezone.localdate().isoformat()
    if fmt == "csv":
        response = HttpResponse(policy.records_as_csv(rows, language=language), content_type="text/csv; charset=utf-8")
    elif fmt == "json":
        response = HttpResponse(json.dumps(rows, indent=2, ensure_ascii=False), content_type="application/json")
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="records-of-processing-{stamp}-{language}.{fmt}"'
    return response
