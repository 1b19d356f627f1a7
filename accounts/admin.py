from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.models import ADDRESS_FIELDS, Address, CommunicationPreference, User
from privacy.admin import DeletesStoredFiles


class AddressInline(admin.StackedInline):
    model = Address
    extra = 0
    fields = ADDRESS_FIELDS


class CommunicationPreferenceInline(admin.TabularInline):
    """Read-only: preferences change only by the user (account page or unsubscribe link)."""

    model = CommunicationPreference
    extra = 0
    fields = ["kind", "enabled", "changed_at", "changed_via"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(User)
class UserAdmin(DeletesStoredFiles, DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "language", "is_business", "is_staff", "last_activity"]
    list_filter = ["is_staff", "is_superuser", "is_active", "is_business", "language", "groups"]
    search_fields = ["email", "first_name", "last_name", "vat_number"]
    readonly_fields = ["last_login", "date_joined", "last_activity"]
    inlines = [AddressInline, CommunicationPreferenceInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (
            _("Profile"),
            {"fields": ("first_name", "last_name", "gender", "language", "birth_date", "mobile_phone")},
        ),
        (_("Business"), {"fields": ("is_business", "company_name", "vat_number")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Dates"), {"fields": ("last_login", "last_activity", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            # Only superusers hand out staff rights.
            readonly += ["is_staff", "is_superuser", "groups", "user_permissions"]
        return readonly
