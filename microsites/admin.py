"""Staff manage the microsites: host name or path, look, words per language, products and accepted campaigns."""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from microsites.models import Microsite


@admin.register(Microsite)
class MicrositeAdmin(admin.ModelAdmin):
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
