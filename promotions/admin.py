"""Staff pages of the promotions app: sponsors, campaigns with code generation and CSV export, redemptions."""

from __future__ import annotations

import csv

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from privacy.admin import AdminLogWithoutPersonalData, ReadOnlyAdmin
from promotions.models import (
    AdvertDecision,
    Campaign,
    Code,
    EligibilityField,
    PortalAction,
    Redemption,
    RedemptionDetail,
    Sponsor,
    SponsorMember,
)
from promotions.tasks import generate_codes

MAX_GENERATE = 1_000_000


class SponsorMemberInline(admin.TabularInline):
    model = SponsorMember
    extra = 0
    autocomplete_fields = ["user"]
    readonly_fields = ["created_at"]
    verbose_name = gettext_lazy("portal user")
    verbose_name_plural = gettext_lazy("portal users (they sign in with a second factor and see counts only)")


@admin.register(Sponsor)
class SponsorAdmin(AdminLogWithoutPersonalData, admin.ModelAdmin):
    list_display = ["name", "slug", "is_active"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [SponsorMemberInline]


@admin.register(AdvertDecision)
class AdvertDecisionAdmin(AdminLogWithoutPersonalData, ReadOnlyAdmin):
    """Which advert went with which order and why (STX-12): evidence of the profiling, read only."""

    list_display = ["created_at", "order", "campaign", "reason", "targeted"]
    list_filter = ["reason", "targeted"]
    list_select_related = ["order", "campaign__sponsor"]
    raw_id_fields = ["order", "user", "campaign"]
    search_fields = ["=order__number"]
    show_full_result_count = False


@admin.register(PortalAction)
class PortalActionAdmin(AdminLogWithoutPersonalData, ReadOnlyAdmin):
    """What sponsors' contact people did in the portal (PIX-2): evidence, read only."""

    list_display = ["at", "sponsor", "user", "kind", "campaign"]
    list_filter = ["kind", "sponsor"]
    list_select_related = ["sponsor", "user", "campaign"]
    date_hierarchy = "at"


class GenerateForm(forms.Form):
    count = forms.IntegerField(label=gettext_lazy("Number of codes"), min_value=1, max_value=MAX_GENERATE)
    max_uses = forms.IntegerField(
        label=gettext_lazy("Uses per code"),
        min_value=1,
        initial=1,
        help_text=gettext_lazy("1 for single-use codes; more for one shared code."),
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


class EligibilityFieldInline(admin.TabularInline):
    """STX-8: what a customer fills in to use a code of the campaign; the answers stay with that order only."""

    model = EligibilityField
    extra = 0
    fields = ["position", "label_nl", "label_fr", "label_en", "kind", "pattern", "required"]


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "sponsor", "starts_at", "ends_at", "redeemed", "quota", "is_active"]
    list_filter = ["is_active", "sponsor"]
    search_fields = ["name", "sponsor__name"]
    autocomplete_fields = ["sponsor"]
    raw_id_fields = ["format"]
    readonly_fields = ["redeemed", "code_count"]
    show_full_result_count = False
    inlines = [EligibilityFieldInline]
    fieldsets = [
        (None, {"fields": ["sponsor", "name", "format", "quantity", "shipping_included", "starts_at", "ends_at",
                           "is_active", "web_shop"]}),
        (gettext_lazy("Limits and fair use (STX-9)"), {"fields": ["quota", "redeemed", "code_count", "per_user_limit",
                                                            "per_address_limit", "per_phone_limit",
                                                            "review_after_accounts"]}),
        (
            gettext_lazy("Advert (STX-12)"),
            {
                "fields": ["advert", "advert_placement", "target_language", "target_age_min", "target_age_max",
                           "target_region", "target_gender"],
                "description": gettext_lazy(
                    "Targets match the advert to customers, which is profiling: customers who object, and every"
                    " customer under a policy that promises no profiling, get an advert chosen by no target."
                ),
            },
        ),
    ]  # fmt: skip

    @admin.display(description=gettext_lazy("codes"))
    def code_count(self, obj: Campaign) -> int:
        return obj.codes.count() if obj.pk else 0

    def get_urls(self):
        own = [
            path("<int:pk>/generate/", self.admin_site.admin_view(self.generate_view), name="promotions_generate"),
            path("<int:pk>/codes.csv", self.admin_site.admin_view(self.export_view), name="promotions_codes_csv"),
        ]
        return own + super().get_urls()

    def generate_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        campaign = get_object_or_404(Campaign, pk=pk)
        if not self.has_change_permission(request, campaign):
            raise PermissionDenied
        form = GenerateForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            result = generate_codes.delay(campaign.pk, form.cleaned_data["count"], form.cleaned_data["max_uses"])
            messages.success(
                request,
                _("Generating %(count)s codes (task %(task)s): the count of codes below grows as they are made.")
                % {"count": f"{form.cleaned_data['count']:,}", "task": result.id},
            )
            return redirect("admin:promotions_campaign_change", campaign.pk)
        context = {**self.admin_site.each_context(request), "form": form, "campaign": campaign, "opts": self.opts}
        return TemplateResponse(request, "admin/promotions/generate.html", context)

    def export_view(self, request: HttpRequest, pk: int) -> StreamingHttpResponse:
        campaign = get_object_or_404(Campaign, pk=pk)
        if not self.has_view_permission(request, campaign):
            raise PermissionDenied
        writer = csv.writer(_Echo())
        rows = Code.objects.filter(campaign=campaign).order_by("pk").values_list("code", "max_uses", "used")

        def lines():
            yield writer.writerow(["code", "uses_allowed", "used"])
            for row in rows.iterator(chunk_size=5000):
                yield writer.writerow(row)

        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="codes-{campaign.pk}.csv"'
        return response

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "generate_url": reverse("admin:promotions_generate", args=[object_id]),
            "export_url": reverse("admin:promotions_codes_csv", args=[object_id]),
        }
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(Code)
class CodeAdmin(admin.ModelAdmin):
    list_display = ["code", "campaign", "max_uses", "used", "created_at"]
    search_fields = ["=code"]
    list_select_related = ["campaign__sponsor"]
    raw_id_fields = ["campaign"]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # codes are generated per campaign

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # uses change only through redemption


class RedemptionDetailInline(admin.TabularInline):
    """The details the customer gave with the code (STX-8), read only."""

    model = RedemptionDetail
    extra = 0
    fields = ["field", "value"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Redemption)
class RedemptionAdmin(AdminLogWithoutPersonalData, admin.ModelAdmin):
    list_display = ["code", "campaign", "status", "order", "created_at", "released_at"]
    list_filter = ["status"]
    search_fields = ["=code__code", "order__number"]
    list_select_related = ["code", "campaign__sponsor", "order"]
    raw_id_fields = ["code", "campaign", "user", "cart", "order"]
    show_full_result_count = False
    inlines = [RedemptionDetailInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
