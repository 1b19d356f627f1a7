"""Staff manage the microsites: host name or path, look, words per language, products and accepted campaigns."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from microsites.models import Microsite


class MicrositeForm(forms.ModelForm):
    class Meta:
        model = Microsite
        fields = (
            "sponsor", "name", "is_active", "slug", "host", "logo", "colour", "accent",
            "headline_nl", "headline_fr", "headline_en", "intro_nl", "intro_fr", "intro_en", "products", "campaigns",
        )  # fmt: skip

    def clean_host(self) -> str | None:
        return (self.cleaned_data.get("host") or "").strip().lower() or None

    def clean(self) -> dict:
        data = super().clean()
        sponsor, campaigns = data.get("sponsor"), data.get("campaigns")
        if sponsor and campaigns:
            others = [str(c) for c in campaigns if c.sponsor_id != sponsor.pk]
            if others:
                self.add_error(
                    "campaigns",
                    _("A site accepts its own sponsor's campaigns only; not: %(campaigns)s.")
                    % {"campaigns": ", ".join(others)},
                )
        host = data.get("host")
        if host and host in {h.lower() for h in settings.ALLOWED_HOSTS if not h.startswith(".")}:
            self.add_error("host", _("This is the shop's own host name; give the site a host name of its own."))
        return data


@admin.register(Microsite)
class MicrositeAdmin(admin.ModelAdmin):
    form = MicrositeForm
    list_display = ("name", "sponsor", "address", "is_active", "updated_at")
    list_filter = ("is_active", "sponsor")
    search_fields = ("name", "slug", "host", "sponsor__name")
    list_select_related = ("sponsor",)
    autocomplete_fields = ("sponsor",)
    filter_horizontal = ("campaigns", "products")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("sponsor", "name", "is_active")}),
        (_("Address"), {"fields": ("slug", "host")}),
        (_("Look"), {"fields": ("logo", "colour", "accent")}),
        (_("Words"), {"fields": ("headline_nl", "headline_fr", "headline_en", "intro_nl", "intro_fr", "intro_en")}),
        (_("What the site offers"), {"fields": ("products", "campaigns")}),
        (_("History"), {"fields": ("created_at", "updated_at")}),
    )

    @admin.display(description=_("address"), ordering="slug")
    def address(self, obj: Microsite) -> str:
        path = f"/m/{obj.slug}/"
        return format_html("{} · {}", obj.host, path) if obj.host else path

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "campaigns":
            kwargs["queryset"] = db_field.remote_field.model.objects.select_related("sponsor")
        return super().formfield_for_manytomany(db_field, request, **kwargs)
