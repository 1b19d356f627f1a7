"""Account pages: profile, addresses, communication preferences, closing the account (owner only)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from accounts import selectors, services
from accounts.emails import send_close_confirmation_email
from accounts.forms import AccountDeleteForm, AddressForm, CommunicationPreferencesForm, ContactForm, ProfileForm
from accounts.models import Address, CommunicationPreference
from photoshop.pagecache import cached_per_account


def _form_error(form, exc: ValidationError) -> None:
    """Attach a model validation error raised by a service to the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


@login_required
@cached_per_account
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update_profile(user=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Your profile has been saved."))
            return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form})


@login_required
def address_list(request: HttpRequest) -> HttpResponse:
    addresses = list(selectors.addresses_for(user=request.user))
    has_billing = any(address.kind == Address.Kind.BILLING for address in addresses)
    return render(request, "accounts/address_list.html", {"addresses": addresses, "has_billing": has_billing})


@login_required
def address_create(request: HttpRequest) -> HttpResponse:
    initial = {"kind": request.GET.get("kind", Address.Kind.DELIVERY), "full_name": request.user.get_full_name()}
    form = AddressForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.address_create(user=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("The address has been added."))
            return redirect("accounts:addresses")
    return render(request, "accounts/address_form.html", {"form": form, "creating": True})


@login_required
def address_edit(request: HttpRequest, pk) -> HttpResponse:
    # Filtering on the owner turns someone else's address into a 404.
    address = get_object_or_404(Address, pk=pk, user=request.user)
    form = AddressForm(request.POST or None, instance=address)
    if request.method == "POST" and form.is_valid():
        try:
            services.address_update(address=address, data=form.cleaned_data)
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("The address has been saved."))
            return redirect("accounts:addresses")
    context = {"form": form, "address": address, "creating": False}
    return render(request, "accounts/address_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def address_delete(request: HttpRequest, pk) -> HttpResponse:
    """Ask before deleting an address (GET shows which one); the confirming POST deletes it."""
    address = get_object_or_404(Address, pk=pk, user=request.user)
    if request.method == "POST":
        services.address_delete(address=address)
        messages.success(request, _("The address has been deleted."))
        return redirect("accounts:addresses")
    successor = None
    if address.is_default:
        successor = (
            selectors.addresses_for(user=request.user)
            .filter(kind=Address.Kind.DELIVERY)
            .exclude(pk=address.pk)
            .order_by("created_at")
            .first()
        )
    return render(request, "accounts/address_confirm_delete.html", {"address": address, "successor": successor})


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    states = selectors.communication_preferences_for(user=request.user)
    form = CommunicationPreferencesForm.for_states(states, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        changed = services.communication_preferences_set(
            user=request.user, choices=form.cleaned_data, via=CommunicationPreference.Source.ACCOUNT_PAGE
        )
        if changed:
            messages.success(request, _("Your communication preferences have been saved."))
        else:
            messages.info(request, _("Nothing changed."))
        return redirect("accounts:preferences")
    context = {"form": form, "rows": [(form[state.kind], state) for state in states]}
    return render(request, "accounts/preferences.html", context)


CLOSE_LINK_SALT = "accounts.close-account"
CLOSE_LINK_MAX_AGE = 3600  # seconds: a confirmation link for closing an account works for one hour


@login_required
@require_http_methods(["GET", "POST"])
def account_delete(request: HttpRequest) -> HttpResponse:
    """Close one's own account, keeping the data for the policy's periods or erasing it now (SMP-9, ALB-3).

    Confirmed with the password; an account without one (signed up through a
    social login) confirms through a signed link e-mailed to its address,
    valid for an hour: the same proof of identity its sign-in relies on.
    """
    form = AccountDeleteForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        if "password" not in form.fields:
            token = signing.dumps({"user": request.user.pk, "erase": form.erase}, salt=CLOSE_LINK_SALT)
            send_close_confirmation_email(user=request.user, url=reverse("accounts:delete_confirm", args=[token]))
            messages.info(
                request,
                _("We sent you an e-mail with a link to confirm. It works for one hour; nothing changes until then."),
            )
            return redirect("accounts:delete")
        return _close_account(request, form.erase) or render(
            request, "accounts/delete.html", {"form": form, "consequences": selectors.closing_consequences()}
        )
    context = {"form": form, "consequences": selectors.closing_consequences()}
    return render(request, "accounts/delete.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def account_delete_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """Confirm closing an account from the e-mailed link (accounts without a password): ask once more, then do it."""
    try:
        data = signing.loads(token, salt=CLOSE_LINK_SALT, max_age=CLOSE_LINK_MAX_AGE)
    except signing.SignatureExpired:
        return render(request, "accounts/delete_link_invalid.html", {"expired": True}, status=400)
    except signing.BadSignature:
        return render(request, "accounts/delete_link_invalid.html", {"expired": False}, status=400)
    if data.get("user") != request.user.pk:
        raise Http404  # another account's link
    erase = bool(data.get("erase"))
    if request.method == "POST":
        response = _close_account(request, erase)
        if response is not None:
            return response
        return render(request, "accounts/delete_link_invalid.html", {"expired": False}, status=400)
    return render(request, "accounts/delete_confirm.html", {"erase": erase})


def _close_account(request: HttpRequest, erase: bool) -> HttpResponse | None:
    """Close the signed-in account (and queue its erasure); return the redirect, or None if it cannot be closed."""
    try:
        services.account_delete_request(user=request.user, erase=erase)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return None
    logout(request)  # its sessions are already gone: this ends the one in the browser
    if erase:
        messages.success(
            request, _("Your account is closed. We erase your data within 48 hours; we sent you a confirmation.")
        )
    else:
        messages.success(request, _("Your account is closed. We sent you a confirmation."))
    return redirect("home")


@require_http_methods(["GET", "POST"])
def contact(request: HttpRequest) -> HttpResponse:
    """Ask customer service a question, signed in or not; the answer comes by e-mail (SMP-4, PIX-4)."""
    from allauth.core import ratelimit
    from django.utils.translation import get_language

    user = request.user if request.user.is_authenticated else None
    form = ContactForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        if not ratelimit.consume(request, action="contact"):
            form.add_error(None, _("You have sent several questions in a short time. Please try again later."))
        else:
            data = form.cleaned_data
            services.contact_thread_start(
                user=user,
                name=data.get("name") or (user.get_full_name() if user else ""),
                email=data.get("email") or user.email,
                language=(get_language() or "nl")[:2],
                subject=data["subject"],
                body=data["body"],
            )
            return redirect("contact_sent")
    return render(request, "accounts/contact.html", {"form": form})


@require_safe
def contact_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/contact_sent.html")
