"""The public privacy policy, the staff download of the records of processing, and a person's copy of their data."""

from __future__ import annotations

import json
from collections import OrderedDict

from django.conf import settings
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from photoshop.pagecache import cached_for_visitors
from privacy import policy, selectors, services
from privacy.models import DataExport, PolicyVersion
from privacy.registry import LegalBasis


def _context(version: PolicyVersion, *, is_current: bool, versions: list[PolicyVersion]) -> dict:
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
        "versions": versions,
    }


# The policy's article as rendered, per process. A published version never
# changes, so the key holds everything the article shows (the version, which
# one is in force, the list of versions, the language and time zone); a new
# version makes a new key. Bounded: the oldest entries go first.
_articles: OrderedDict[tuple, str] = OrderedDict()
ARTICLES_KEPT = 32


def _article(version: PolicyVersion, *, current: PolicyVersion, versions: list[PolicyVersion]) -> str:
    # Primary keys come back in another database (tests), hence the number, digest and time with them.
    key = (
        translation.get_language(),
        timezone.get_current_timezone_name(),
        get_script_prefix(),
        *((v.pk, v.number, v.digest, v.published_at) for v in (version, current, *versions)),
    )
    html = _articles.get(key)
    if html is None:
        context = _context(version, is_current=version.pk == current.pk, versions=versions)
        html = render_to_string("privacy/_policy_article.html", context)
        _articles[key] = html
        while len(_articles) > ARTICLES_KEPT:
            _articles.popitem(last=False)
    return html


def _render(request: HttpRequest, version: PolicyVersion, *, current: PolicyVersion, others: list) -> HttpResponse:
    context = {
        "version": version,
        "is_current": version.pk == current.pk,
        "versions": others,
        "article": _article(version, current=current, versions=others),
    }
    return render(request, "privacy/policy.html", context)


def _published() -> tuple[list[PolicyVersion], PolicyVersion]:
    """Return the published versions, newest first, and the one in force (published now if new)."""
    published = policy.published_versions()
    current = policy.current_version(published=published)
    if not published or published[0].pk != current.pk:
        published.insert(0, current)
    return published, current


@cached_for_visitors
def policy_page(request: HttpRequest) -> HttpResponse:
    """Render the privacy policy in force."""
    published, current = _published()
    # The other versions: the one shown is not "earlier" than itself.
    earlier = [v for v in published if v.number < current.number]
    return _render(request, current, current=current, others=earlier)


def policy_version(request: HttpRequest, number: int) -> HttpResponse:
    """Render any version of the privacy policy, as it was published, saying whether it is in force."""
    published, current = _published()
    version = next((v for v in published if v.number == number), None)
    if version is None:
        raise Http404
    return _render(request, version, current=current, others=[v for v in published if v.pk != version.pk])


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


# ---- a person's own data: asking for a copy and downloading it (SMP-13, ALB-3)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def my_data(request: HttpRequest) -> HttpResponse:
    """The account page where a customer asks for a copy of their data and finds the copies made."""
    if request.method == "POST":
        services.export_request(user=request.user)
        messages.info(request, gettext("We are preparing a copy of your data. We e-mail you when it is ready."))
        return redirect("privacy:my_data")
    exports = [
        (export, services.export_link_token(export) if export.status == DataExport.Status.READY else "")
        for export in DataExport.objects.filter(user=request.user)[:10]
    ]
    held = [
        (item, policy.retention_text(item.rule, preset=item.rule["preset"]) if item.rule else "")
        for item in selectors.held_data_for(request.user)
    ]
    context = {"exports": exports, "held": held, "kept_days": services.EXPORT_KEPT.days}
    return render(request, "privacy/my_data.html", context)


@login_required
@require_safe
def export_download(request: HttpRequest, token: str) -> HttpResponse:
    """Serve one's own export from its signed link, while it is kept (7 days); another person's is a 404."""
    try:
        data = signing.loads(token, salt=services.EXPORT_LINK_SALT, max_age=services.EXPORT_KEPT)
    except signing.BadSignature:  # expired ones too
        return render(request, "privacy/export_gone.html", status=410)
    export = DataExport.objects.filter(pk=data.get("export"), user=request.user).first()
    if export is None:
        raise Http404
    if export.status != DataExport.Status.READY or not export.file:
        return render(request, "privacy/export_gone.html", status=410)
    storage = export.file.storage
    if getattr(storage, "querystring_auth", False):
        return HttpResponseRedirect(storage.url(export.file.name))  # signed, expires in minutes
    response = FileResponse(export.file.open("rb"), content_type="application/zip", as_attachment=True)
    response["Content-Disposition"] = f'attachment; filename="my-data-{export.requested_at:%Y-%m-%d}.zip"'
    response["Cache-Control"] = "private, no-store"
    return response
