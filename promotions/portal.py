"""The sponsor portal: a sponsor's contact people see their own campaigns' figures, never a customer.

Every page needs a signed-in contact person with a second factor set up;
another sponsor's campaign is a 404. Every action is logged with who and
when (PIX-2): the only writes of these pages, asked for by the policy.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from promotions.models import Campaign, PortalAction, SponsorMember
from promotions.portal_figures import Figure, campaign_figures

app_name = "portal"


def _portal_page(view: Callable) -> Callable:
    @wraps(view)
    @never_cache
    @require_safe
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        member = SponsorMember.objects.select_related("sponsor").filter(user=user, sponsor__is_active=True).first()
        if member is None:
            raise Http404("Not a sponsor's contact person.")
        if not is_mfa_enabled(user, [Authenticator.Type.TOTP]):
            return redirect(f"{reverse('mfa_activate_totp')}?{urlencode({'next': request.get_full_path()})}")
        return view(request, member, *args, **kwargs)

    return wrapped


def _log(member: SponsorMember, kind: str, campaign: Campaign | None = None) -> None:
    PortalAction.objects.create(sponsor=member.sponsor, user=member.user, kind=kind, campaign=campaign)


def _bars(figures: list[Figure]) -> list[dict]:
    """Each group's bar length in percent of the largest shown; a hidden group gets no bar."""
    top = max((f.value for f in figures if f.value is not None), default=0)
    return [
        {"label": f.label, "shown": f.shown, "percent": round(100 * f.value / top, 1) if f.value and top else 0}
        for f in figures
    ]


@_portal_page
def overview(request: HttpRequest, member: SponsorMember) -> HttpResponse:
    campaigns = Campaign.objects.filter(sponsor=member.sponsor).select_related("format__product")
    _log(member, PortalAction.Kind.OVERVIEW)
    return render(request, "promotions/portal/overview.html", {"sponsor": member.sponsor, "campaigns": campaigns})


def _campaign(member: SponsorMember, pk: int) -> Campaign:
    return get_object_or_404(Campaign.objects.select_related("format__product"), pk=pk, sponsor=member.sponsor)


@_portal_page
def campaign(request: HttpRequest, member: SponsorMember, pk: int) -> HttpResponse:
    item = _campaign(member, pk)
    figures = campaign_figures(item)
    _log(member, PortalAction.Kind.CAMPAIGN, item)
    context = {
        "sponsor": member.sponsor,
        "figures": figures,
        "days": _bars(figures.per_day),
        "regions": _bars(figures.per_region),
    }
    return render(request, "promotions/portal/campaign.html", context)


@_portal_page
def campaign_csv(request: HttpRequest, member: SponsorMember, pk: int) -> HttpResponse:
    item = _campaign(member, pk)
    figures = campaign_figures(item)
    _log(member, PortalAction.Kind.CSV, item)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="campaign-{item.pk}.csv"'
    response.write("\ufeff")  # Excel reads the accents right
    out = csv.writer(response)
    out.writerow([_("figure"), _("group"), _("count")])
    out.writerow([_("codes issued"), "", figures.codes_issued])
    out.writerow([_("codes remaining"), "", figures.codes_remaining])
    for figure in (figures.codes_redeemed, figures.orders, figures.products_shipped):
        out.writerow([figure.label, "", figure.raw])
    for day in figures.per_day:
        out.writerow([_("orders per day"), day.label, day.raw])
    for place in figures.per_region:
        out.writerow([_("orders per province"), place.label, place.raw])
    return response


urlpatterns = [
    path("", overview, name="overview"),
    path("campaigns/<int:pk>/", campaign, name="campaign"),
    path("campaigns/<int:pk>/figures.csv", campaign_csv, name="campaign_csv"),
]
