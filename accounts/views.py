"""Account pages: profile, addresses, communication preferences (owner only)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import selectors, services
from accounts.forms import AddressForm, CommunicationPreferencesForm, ProfileForm
from accounts.models import Address, CommunicationPreference


def _form_error(form, exc: ValidationError) -> None:
    """Attach a model validation error raised by a service to the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


@login_required
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
