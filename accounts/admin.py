from __future__ import annotations

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount, SocialToken
from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts import services
from accounts.models import (
    ADDRESS_FIELDS,
    ERASURE_WITHIN,
    AccountDeletion,
    AccountEvent,
    Address,
    CloseReason,
    CommunicationPreference,
    ContactMessage,
    ContactThread,
    User,
)
from privacy.access import HidesRestricted, LogsAccess
from privacy.admin import AdminLogWithoutPersonalData, ReadOnlyAdmin, ReadOnlyInline

# Each account is its own transaction (an erasure removes files and many
# rows); a larger selection is done in several rounds.
MAX_ACCOUNTS_PER_ACTION = 100


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


class AccountEventInline(ReadOnlyInline):
    """The account's record of closing and erasing: written by the services only."""

    model = AccountEvent
    fk_name = "user"
    fields = ["at", "kind", "actor", "detail"]
    readonly_fields = fields


class CloseAccountForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=CloseReason.choices, initial=CloseReason.CUSTOMER_REQUEST)


class EraseAccountForm(forms.Form):
    """Nothing to choose: posting the confirmation page is the confirmation."""


# What each account action does, for its confirmation page and its permission.
ACCOUNT_ACTIONS = {
    "close": {
        "title": _("Close accounts"),
        "permission": "close_account",
        "form": CloseAccountForm,
        "explanation": _(
            "Each account is closed now: its owner is signed out everywhere and can no longer sign in. "
            "Its personal data is then erased by the retention schedule for closed accounts "
            "(within 48 hours under the default schedule)."
        ),
        "button": _("Yes, close these accounts"),
    },
    "erase": {
        "title": _("Erase personal data now"),
        "permission": "erase_account",
        "form": EraseAccountForm,
        "explanation": _(
            "Each account is closed if it is still open, and everything the shop holds about its owner is "
            "erased now: profile, addresses, preferences, photos and their files, sessions. Records under a "
            "legal hold, such as invoices, are restricted instead and deleted when the hold ends. "
            "This cannot be undone."
        ),
        "button": _("Yes, erase their personal data now"),
    },
}


@admin.register(User)
class UserAdmin(HidesRestricted, LogsAccess, AdminLogWithoutPersonalData, DjangoUserAdmin):
    access_subject = restricted_subject = ""  # the record is the person
    ordering = ["email"]
    list_display = [
        "email",
        "first_name",
        "last_name",
        "language",
        "is_business",
        "is_staff",
        "last_activity",
        "closed_at",
    ]
    list_filter = ["is_staff", "is_superuser", "is_active", "is_business", "language", "groups"]
    search_fields = ["email", "first_name", "last_name", "vat_number"]
    readonly_fields = ["last_login", "date_joined", "last_activity", "closed_at"]
    inlines = [AddressInline, CommunicationPreferenceInline, AccountEventInline]
    actions = ["close_accounts", "erase_accounts"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (
            _("Profile"),
            {"fields": ("first_name", "last_name", "gender", "language", "birth_date", "mobile_phone")},
        ),
        (_("Business"), {"fields": ("is_business", "company_name", "vat_number")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Dates"), {"fields": ("last_login", "last_activity", "date_joined", "closed_at")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            # Only superusers hand out staff rights.
            readonly += ["is_staff", "is_superuser", "groups", "user_permissions"]
        return readonly

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        queryset = super().get_queryset(request)
        if not request.user.is_superuser:
            # A staff role looks after customers only. Staff accounts, the
            # member's own and the superusers' included, are a superuser's:
            # otherwise support could set a superuser's password or e-mail
            # address and sign in as them. Their pages, password page and
            # history are a 404; one's own password is changed on the site.
            queryset = queryset.filter(is_staff=False, is_superuser=False)
        return queryset

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        if obj is not None and (obj.is_staff or obj.is_superuser) and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: User, form, change: bool) -> None:
        new_email = obj.email
        if change and "email" in form.changed_data and new_email.lower() != form.initial["email"].lower():
            # Whoever changes it here, the account keeps signing in with its
            # current address until the new one is confirmed: a mistyped
            # address never becomes the account's, and the old one is told.
            obj.email = form.initial["email"]
        super().save_model(request, obj, form, change)
        if change:  # a rectification by staff (ALB-3): which fields, by whom
            changed = sorted(name for name in form.changed_data if name not in ("email", "password"))
            services.details_changed_record(user=obj, fields=changed, actor=request.user)
        if obj.email != new_email and services.user_request_email_change(request=request, user=obj, email=new_email):
            self.message_user(
                request,
                _(
                    "The e-mail address is not changed yet: a confirmation link was sent to the new address, "
                    "and the new address replaces the current one once its owner follows that link."
                ),
                messages.WARNING,
            )

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        # Nobody deletes a user row, superusers included: a customer's account is
        # closed or erased through the actions below, which leave a record and
        # respect legal holds; a staff account is evidence (PIX-2, PIX-9) and is
        # made inactive instead.
        return False

    def has_close_account_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("accounts.close_account")

    def has_erase_account_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("accounts.erase_account")

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:object_id>/close/", view(self.close_account_view), name="accounts_user_close"),
            path("<int:object_id>/erase/", view(self.erase_account_view), name="accounts_user_erase"),
            *super().get_urls(),
        ]

    def render_change_form(self, request: HttpRequest, context, *args, **kwargs):
        context["can_close_account"] = self.has_close_account_permission(request)
        context["can_erase_account"] = self.has_erase_account_permission(request)
        return super().render_change_form(request, context, *args, **kwargs)

    @admin.action(description=_("Close the selected accounts"), permissions=["close_account"])
    def close_accounts(self, request: HttpRequest, queryset: QuerySet[User]) -> HttpResponse | None:
        return self._account_action(request, queryset, "close", form_action="")

    @admin.action(description=_("Erase the personal data of the selected accounts now"), permissions=["erase_account"])
    def erase_accounts(self, request: HttpRequest, queryset: QuerySet[User]) -> HttpResponse | None:
        return self._account_action(request, queryset, "erase", form_action="")

    def close_account_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        return self._account_view(request, object_id, "close")

    def erase_account_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        return self._account_view(request, object_id, "erase")

    def _account_view(self, request: HttpRequest, object_id: int, kind: str) -> HttpResponse:
        """The change page's button: the same confirmation and action for one account."""
        if request.method not in ("GET", "POST"):
            return HttpResponse(status=405, headers={"Allow": "GET, POST"})
        if not getattr(self, f"has_{ACCOUNT_ACTIONS[kind]['permission']}_permission")(request):
            raise PermissionDenied
        # Another staff account is a 404, as its change page is.
        get_object_or_404(self.get_queryset(request), pk=object_id)
        queryset = User.objects.filter(pk=object_id)
        response = self._account_action(request, queryset, kind, form_action=request.path)
        if response is not None:
            return response
        return HttpResponseRedirect(reverse("admin:accounts_user_change", args=[object_id]))

    def _account_action(
        self, request: HttpRequest, queryset: QuerySet[User], kind: str, *, form_action: str
    ) -> HttpResponse | None:
        """Show the confirmation page, or once it is posted, close or erase each account and report the counts."""
        spec = ACCOUNT_ACTIONS[kind]
        accounts = list(queryset.order_by("email")[: MAX_ACCOUNTS_PER_ACTION + 1])
        if len(accounts) > MAX_ACCOUNTS_PER_ACTION:
            self.message_user(
                request,
                _("Select at most %(count)d accounts at a time.") % {"count": MAX_ACCOUNTS_PER_ACTION},
                messages.WARNING,
            )
            return None
        staff = [user for user in accounts if user.is_staff or user.is_superuser]
        done_before = [user for user in accounts if user not in staff and _already_done(user, kind)]
        targets = [user for user in accounts if user not in staff and user not in done_before]
        if not targets:
            _report_left_alone(self, request, kind, staff, done_before)
            return None
        form = spec["form"](request.POST if request.POST.get("post") == "yes" else None)
        if form.is_bound and form.is_valid():
            self._perform(request, kind, targets, form.cleaned_data)
            _report_left_alone(self, request, kind, staff, done_before)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": spec["title"],
            "opts": self.opts,
            "kind": kind,
            "explanation": spec["explanation"],
            "button": spec["button"],
            "form": form,
            "form_action": form_action,
            "accounts": accounts,
            "targets": targets,
            "staff": staff,
            "done_before": done_before,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "action_name": f"{kind}_accounts",
        }
        return TemplateResponse(request, "admin/accounts/user/account_action_confirmation.html", context)

    def _perform(self, request: HttpRequest, kind: str, targets: list[User], data: dict) -> None:
        done = erased = restricted = 0
        refused = []
        for user in targets:
            try:
                if kind == "close":
                    services.account_close(user=user, actor=request.user, reason=data["reason"])
                else:
                    outcome = services.account_erase(user=user, actor=request.user)
                    erased += sum(counts["erased"] for counts in outcome.values())
                    restricted += sum(counts["restricted"] for counts in outcome.values())
            except ValidationError:
                # Became a staff account since the page was shown.
                refused.append(user)
                continue
            done += 1
        if kind == "close" and done:
            message = ngettext("Closed %(count)d account.", "Closed %(count)d accounts.", done) % {"count": done}
            self.message_user(request, message, messages.SUCCESS)
        elif done:
            message = ngettext(
                "Erased the personal data of %(count)d account: %(erased)d records erased, "
                "%(restricted)d restricted under a legal hold.",
                "Erased the personal data of %(count)d accounts: %(erased)d records erased, "
                "%(restricted)d restricted under a legal hold.",
                done,
            ) % {"count": done, "erased": erased, "restricted": restricted}
            self.message_user(request, message, messages.SUCCESS)
        if refused:
            _report_left_alone(self, request, kind, refused, [])


def _already_done(user: User, kind: str) -> bool:
    return user.closed_at is not None if kind == "close" else user.anonymised_at is not None


def _report_left_alone(
    model_admin: UserAdmin, request: HttpRequest, kind: str, staff: list, done_before: list
) -> None:
    if staff:
        message = ngettext(
            "%(count)d staff account was left alone: staff accounts are not closed or erased here.",
            "%(count)d staff accounts were left alone: staff accounts are not closed or erased here.",
            len(staff),
        ) % {"count": len(staff)}
        model_admin.message_user(request, message, messages.WARNING)
    if done_before and kind == "close":
        message = ngettext(
            "%(count)d account was already closed.", "%(count)d accounts were already closed.", len(done_before)
        ) % {"count": len(done_before)}
        model_admin.message_user(request, message, messages.INFO)
    elif done_before:
        message = ngettext(
            "%(count)d account was already erased.", "%(count)d accounts were already erased.", len(done_before)
        ) % {"count": len(done_before)}
        model_admin.message_user(request, message, messages.INFO)


@admin.register(AccountEvent)
class AccountEventAdmin(AdminLogWithoutPersonalData, ReadOnlyAdmin):
    """Who closed or erased which account, and when: the privacy officer's evidence."""

    list_display = ["at", "kind", "user", "actor"]
    list_filter = ["kind"]
    list_select_related = ["user", "actor"]
    fields = ["at", "kind", "user", "actor", "detail"]
    readonly_fields = fields
    date_hierarchy = "at"


class DeletionStateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin) -> list[tuple[str, str]]:
        return [("pending", _("pending")), ("late", _("late (over 48 hours)")), ("erased", _("erased"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        late_before = timezone.now() - ERASURE_WITHIN
        if self.value() == "pending":
            return queryset.filter(anonymised_at__isnull=True)
        if self.value() == "late":
            return queryset.filter(anonymised_at__isnull=True, erasure_requested_at__lt=late_before)
        if self.value() == "erased":
            return queryset.filter(anonymised_at__isnull=False)
        return queryset


@admin.register(AccountDeletion)
class AccountDeletionAdmin(ReadOnlyAdmin):
    """The accounts whose owners asked for their erasure: pending ones, late ones (over 48 hours, STX-4), done ones.

    Names no one: the account number only. Erasing by hand is an action for
    those allowed to erase accounts (the privacy officer).
    """

    list_display = ["account", "erasure_requested_at", "due_by", "state"]
    list_filter = [DeletionStateFilter]
    fields = ["account", "closed_at", "erasure_requested_at", "due_by", "state"]
    readonly_fields = fields
    ordering = ["-erasure_requested_at"]
    actions = ["erase_now"]
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return (
            super()
            .get_queryset(request)
            .filter(erasure_requested_at__isnull=False)
            .only("pk", "closed_at", "erasure_requested_at", "anonymised_at")
        )

    @admin.display(description=_("account"), ordering="pk")
    def account(self, obj: AccountDeletion) -> str:
        return _("account #%(number)s") % {"number": obj.pk}

    @admin.display(description=_("to be erased by"), ordering="erasure_requested_at")
    def due_by(self, obj: AccountDeletion):
        return obj.erasure_requested_at + ERASURE_WITHIN

    @admin.display(description=_("state"))
    def state(self, obj: AccountDeletion) -> str:
        if obj.anonymised_at is not None:
            return _("erased %(when)s") % {
                "when": date_format(timezone.localtime(obj.anonymised_at), "DATETIME_FORMAT")
            }
        if timezone.now() > obj.erasure_requested_at + ERASURE_WITHIN:
            return _("LATE: not erased within 48 hours")
        return _("pending")

    def get_actions(self, request: HttpRequest) -> dict:
        actions = super().get_actions(request)
        if not request.user.has_perm("accounts.erase_account"):
            actions.pop("erase_now", None)
        return actions

    @admin.action(description=_("Erase the selected accounts now"))
    def erase_now(self, request: HttpRequest, queryset: QuerySet) -> None:
        if not request.user.has_perm("accounts.erase_account"):
            raise PermissionDenied
        pending = list(queryset.filter(anonymised_at__isnull=True)[:MAX_ACCOUNTS_PER_ACTION])
        for account in pending:
            services.account_erase(user=account, actor=request.user)
        self.message_user(
            request,
            ngettext("%(count)d account erased.", "%(count)d accounts erased.", len(pending))
            % {"count": len(pending)},
            messages.SUCCESS,
        )


class ContactMessageInline(ReadOnlyInline):
    """The thread's messages, read-only: an answer is written through the form's answer field."""

    model = ContactMessage
    fields = ["sent_at", "from_staff", "author", "body"]
    readonly_fields = fields


class ContactAnswerForm(forms.ModelForm):
    answer = forms.CharField(
        label=_("Your answer"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Sent by e-mail to the customer in the question's language, and kept in this thread."),
    )

    class Meta:
        model = ContactThread
        fields: list[str] = []


@admin.register(ContactThread)
class ContactThreadAdmin(HidesRestricted, LogsAccess, AdminLogWithoutPersonalData, admin.ModelAdmin):
    """Customer service's questions: answer from the thread (the answer is e-mailed), mark them resolved."""

    form = ContactAnswerForm
    list_display = ["subject", "status", "language", "last_message_at", "account"]
    list_filter = ["status", "language"]
    search_fields = ["subject", "email"]
    date_hierarchy = "last_message_at"
    readonly_fields = [
        "subject",
        "name",
        "email",
        "language",
        "status",
        "created_at",
        "last_message_at",
        "resolved_at",
    ]
    fieldsets = [
        (None, {"fields": ["subject", "name", "email", "language", "status"]}),
        (_("Dates"), {"fields": ["created_at", "last_message_at", "resolved_at"]}),
        (_("Answer"), {"fields": ["answer"]}),
    ]
    inlines = [ContactMessageInline]
    actions = ["mark_resolved"]
    show_full_result_count = False

    @admin.display(description=_("account"), ordering="user")
    def account(self, obj: ContactThread) -> str:
        return _("account #%(number)s") % {"number": obj.user_id} if obj.user_id else "—"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: ContactThread, form, change: bool) -> None:
        answer = form.cleaned_data.get("answer", "").strip()
        if answer:
            services.contact_thread_answer(thread=obj, author=request.user, body=answer)
            self.message_user(request, _("Your answer was sent."), messages.SUCCESS)

    @admin.action(description=_("Mark the selected questions as resolved"))
    def mark_resolved(self, request: HttpRequest, queryset: QuerySet) -> None:
        changed = services.contact_threads_resolve(threads=queryset)
        self.message_user(
            request,
            ngettext("%(count)d question resolved.", "%(count)d questions resolved.", changed) % {"count": changed},
            messages.SUCCESS,
        )


# allauth's own admins: their log entries too must not name the person.
for _model in (EmailAddress, Authenticator, SocialAccount, SocialToken):
    _base = type(admin.site.get_model_admin(_model))
    admin.site.unregister(_model)
    admin.site.register(_model, type(_base.__name__, (AdminLogWithoutPersonalData, _base), {}))
