"""The public privacy-request pages: ask (signed in or not), confirm from the e-mailed link, send a document."""

from __future__ import annotations

from allauth.core import ratelimit
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from privacy import dsar
from privacy.forms import IdentityDocumentForm, PrivacyRequestForm


@never_cache
@require_http_methods(["GET", "POST"])
def request_form(request: HttpRequest) -> HttpResponse:
    """Ask for one of the rights (ALB-3): access, copy, correction, erasure, restriction, objection, withdrawal."""
    user = request.user if request.user.is_authenticated else None
    initial = {"kind": request.GET.get("kind")} if request.GET.get("kind") in dsar.Kind.values else None
    form = PrivacyRequestForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        if not ratelimit.consume(request, action="privacy_request"):
            form.add_error(None, gettext("You have sent several requests in a short time. Please try again later."))
        else:
            data = form.cleaned_data
            made = dsar.request_submit(
                kind=data["kind"],
                email=data.get("email", ""),
                name=data.get("name", ""),
                details=data.get("details", ""),
                language=(get_language() or "nl")[:2],
                user=user,
                reauthenticated=user is not None and "password" in form.fields,
            )
            request.session["privacy_request_sent"] = made.pk
            return redirect("privacy:request_sent")
    context = {"form": form, "document_rule": dsar.document_rule()}
    return render(request, "privacy/request_form.html", context)


@never_cache
@require_safe
def request_sent(request: HttpRequest) -> HttpResponse:
    from privacy.models import PrivacyRequest

    made = PrivacyRequest.objects.filter(pk=request.session.get("privacy_request_sent") or 0).first()
    return render(request, "privacy/request_sent.html", {"made": made})


@never_cache
@require_http_methods(["GET", "POST"])
def request_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The e-mailed link: GET shows a button (mail scanners follow links), POST confirms; then the document."""
    made = dsar.request_from_token(token)
    if made is None:
        return render(request, "privacy/request_link_invalid.html", status=404)
    form = None
    if request.method == "POST" and "confirm" in request.POST:
        made = dsar.request_confirm_email(request=made)
    elif request.method == "POST":
        form = IdentityDocumentForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                made = dsar.request_attach_document(request=made, upload=form.cleaned_data["document"])
            except ValidationError as error:
                form.add_error("document", error)
            else:
                return redirect("privacy:request_confirm", token=token)
    needs_document = (
        made.status == made.Status.IDENTITY_PENDING and made.email_confirmed_at is not None and dsar.document_rule()
    )
    context = {
        "made": made,
        "form": form or (IdentityDocumentForm() if needs_document else None),
        "document_rule": dsar.document_rule(),
    }
    return render(request, "privacy/request_confirm.html", context)
