"""The photo list, the review queue (STX-10) and the print lab's view of a photo."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from photos import services
from photos.models import Photo
from photos.processing import Fit, print_fit
from privacy.access import HidesRestricted, LogsAccess
from privacy.admin import AdminLogWithoutPersonalData, DeletesStoredFiles

APPROVE, REJECT = "_approve", "_reject"
FIT_CLASS = {Fit.FINE: "fit--fine", Fit.LOW: "fit--low", Fit.TOO_SMALL: "fit--bad", Fit.UNSHARP: "fit--bad"}


def sees_customers(request: HttpRequest) -> bool:
    """Whether the staff member may see who a photo belongs to (support, privacy officer; not the print lab)."""
    return request.user.has_perm("accounts.view_user")


class ReviewForm(forms.ModelForm):
    """The reason shown to the customer; the Approve and Reject buttons say what to decide."""

    class Meta:
        model = Photo
        fields = ["review_reason"]

    def decision(self) -> str:
        """Return the button pressed: approve, reject, or nothing."""
        return "approve" if APPROVE in self.data else "reject" if REJECT in self.data else ""

    def clean(self):
        cleaned = super().clean()
        decision = self.decision()
        if decision and self.instance.review not in services.REVIEW_TRANSITIONS:
            raise ValidationError(
                _("Only a photo held for review can be approved or rejected (this one: %(state)s).")
                % {"state": self.instance.get_review_display()}
            )
        if decision == "reject" and not cleaned.get("review_reason", "").strip():
            self.add_error("review_reason", _("Give the reason the customer will see."))
        return cleaned


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("reason shown to the customer"),
        max_length=255,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
    )


@admin.register(Photo)
class PhotoAdmin(HidesRestricted, LogsAccess, AdminLogWithoutPersonalData, DeletesStoredFiles, admin.ModelAdmin):
    """Photos with what a print needs (size, DPI per format, quality, capture date); held ones wait for a decision."""

    form = ReviewForm
    list_filter = ["review", "status", "image_format"]
    list_select_related = ["user"]
    list_per_page = 50
    date_hierarchy = "uploaded_at"
    actions = ["approve_photos", "reject_photos"]

    class Media:
        css = {"all": ["photos/admin.css"]}

    # --- Who sees what: the print lab sees photos, not whose they are -----------------------------

    def get_list_display(self, request: HttpRequest) -> list[str]:
        who = ["name_and_state", "user"] if sees_customers(request) else ["number_and_state", "owner_ref"]
        return ["preview", *who, "print_details", "print_dpi"]

    def get_list_display_links(self, request: HttpRequest, list_display) -> list[str]:
        return ["preview", list_display[1]]

    def get_search_fields(self, request: HttpRequest) -> list[str]:
        return ["filename", "user__email"] if sees_customers(request) else []

    def get_fields(self, request: HttpRequest, obj: Photo | None = None) -> list[str]:
        who = ["filename", "user"] if sees_customers(request) else ["photo_ref", "owner_ref"]
        print_info = ["pixel_size", "print_dpi", "quality", "taken_at"]
        return ["preview_large", *who, *print_info, "status", "review", "scanner_labels", "review_reason"]

    def get_readonly_fields(self, request: HttpRequest, obj: Photo | None = None) -> list[str]:
        fields = [f for f in self.get_fields(request, obj) if f != "review_reason"]
        if obj is None or obj.review not in services.REVIEW_TRANSITIONS:
            fields.append("review_reason")  # decided: the reason stays as the customer read it
        return fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        held = Photo.objects.filter(review=Photo.Review.HELD).count()
        queue = reverse("admin:photos_photo_changelist") + f"?review__exact={Photo.Review.HELD.value}"
        return super().changelist_view(request, {**(extra_context or {}), "held_count": held, "queue_url": queue})

    # --- Columns ---------------------------------------------------------------------------------

    @admin.display(description=_("photo"))
    def preview(self, photo: Photo) -> str:
        if not photo.thumbnail_small:
            return "-"
        return format_html(
            '<img class="photo-preview" src="{}" alt="" loading="lazy" width="64" height="48">',
            reverse("photos:file", args=[photo.id, "small"]),
        )

    @admin.display(description=_("photo"))
    def preview_large(self, photo: Photo) -> str:
        if not photo.thumbnail_large:
            return "-"
        url = reverse("photos:file", args=[photo.id, "large"])
        return format_html('<img class="photo-preview-large" src="{}" alt="">', url)

    @admin.display(description=_("photo number"))
    def photo_ref(self, photo: Photo) -> str:
        return photo.id.hex[:12]

    @admin.display(description=_("customer number"))
    def owner_ref(self, photo: Photo) -> str:
        return f"#{photo.user_id}" if photo.user_id else gettext("visitor")

    @staticmethod
    def _state(photo: Photo) -> str:
        # A photo not processed has no review state worth showing yet.
        if photo.status != Photo.Status.READY:
            return photo.get_status_display()
        return photo.get_review_display()

    @admin.display(description=_("file name"), ordering="filename")
    def name_and_state(self, photo: Photo) -> str:
        return format_html('{}<br><span class="quiet">{}</span>', photo.filename, self._state(photo))

    @admin.display(description=_("photo number"))
    def number_and_state(self, photo: Photo) -> str:
        return format_html('{}<br><span class="quiet">{}</span>', photo.id.hex[:12], self._state(photo))

    @admin.display(description=_("size"), ordering="-quality_score")
    def print_details(self, photo: Photo) -> str:
        """Return size, file size, print quality and capture date in one narrow column."""
        lines = [self.pixel_size(photo)]
        if photo.quality_score is not None:
            lines.append(gettext("Print quality: %(score)s/100") % {"score": f"{photo.quality_score:.0f}"})
        if photo.taken_at:
            # Cameras record local time without a zone: shown as recorded, not converted.
            taken = date_format(photo.taken_at, "DATE_FORMAT")
            lines.append(f"{capfirst(Photo._meta.get_field('taken_at').verbose_name)}: {taken}")
        return format_html_join(mark_safe("<br>"), "{}", ((line,) for line in lines))

    @admin.display(description=_("size"))
    def pixel_size(self, photo: Photo) -> str:
        if not photo.width or not photo.height:
            return "-"
        return format_html(
            '{} \u00d7 {} px <span class="quiet">({})</span>',
            photo.width,
            photo.height,
            filesizeformat(photo.size_bytes),
        )

    @admin.display(description=_("DPI per print format"))
    def print_dpi(self, photo: Photo) -> str:
        if not photo.width or not photo.height:
            return "-"
        fits = print_fit(photo.width, photo.height, photo.sharpness)
        return format_html(
            '<ul class="print-fits">{}</ul>',
            format_html_join(
                "",
                '<li class="{}">{}: {} dpi</li>',
                ((FIT_CLASS[fit["fit"]], name, fit["dpi"]) for name, fit in fits.items()),
            ),
        )

    @admin.display(description=_("print quality"), ordering="quality_score")
    def quality(self, photo: Photo) -> str:
        if photo.quality_score is None:
            return "-"
        return f"{photo.quality_score:.0f}/100"

    @admin.display(description=_("scanner labels"))
    def scanner_labels(self, photo: Photo) -> str:
        labels = photo.nsfw_labels or {}
        if labels.get("error"):
            return gettext("The scanner was unavailable; look at the photo yourself.")
        scores = sorted((labels.get("labels") or {}).items(), key=lambda item: -item[1])
        if not scores:
            return "-"
        flagged = set(labels.get("flagged") or [])
        items = (
            format_html(
                '<li class="flagged">{}: {}%</li>' if name in flagged else "<li>{}: {}%</li>",
                name.replace("_", " ").lower(),
                round(100 * score),
            )
            for name, score in scores
        )
        return format_html('<ul class="scanner-labels">{}</ul>', format_html_join("", "{}", ((i,) for i in items)))

    # --- Decisions (STX-10) ----------------------------------------------------------------------

    def save_model(self, request: HttpRequest, obj: Photo, form, change: bool) -> None:
        decision = form.decision()
        if not decision:
            return
        try:
            services.photo_review(
                photo=obj, approve=decision == "approve", reviewer=request.user, reason=obj.review_reason
            )
        except ValidationError as exc:
            # Another reviewer decided since the page was loaded: say so, change nothing.
            request._photo_review_refused = True
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Approved.") if decision == "approve" else _("Rejected."))

    def response_change(self, request: HttpRequest, obj: Photo) -> HttpResponse:
        if getattr(request, "_photo_review_refused", False):
            return HttpResponseRedirect(request.path)
        return HttpResponseRedirect(reverse("admin:photos_photo_changelist") + f"?review__exact={Photo.Review.HELD}")

    def _decide(self, request: HttpRequest, queryset: QuerySet[Photo], *, approve: bool, reason: str = "") -> None:
        done, refused = 0, 0
        for photo in queryset:
            try:
                services.photo_review(photo=photo, approve=approve, reviewer=request.user, reason=reason)
            except ValidationError:
                refused += 1
            else:
                done += 1
                self.log_change(request, photo, "Approved" if approve else "Rejected")
        if done:
            message = (
                ngettext("%(count)d photo approved.", "%(count)d photos approved.", done)
                if approve
                else ngettext("%(count)d photo rejected.", "%(count)d photos rejected.", done)
            )
            self.message_user(request, message % {"count": done}, messages.SUCCESS)
        if refused:
            self.message_user(
                request,
                ngettext(
                    "%(count)d photo was not held for review and was left as it was.",
                    "%(count)d photos were not held for review and were left as they were.",
                    refused,
                )
                % {"count": refused},
                messages.WARNING,
            )

    @admin.action(description=_("Approve: may be printed"), permissions=["change"])
    def approve_photos(self, request: HttpRequest, queryset: QuerySet[Photo]) -> None:
        self._decide(request, queryset, approve=True)

    @admin.action(description=_("Reject: may not be printed…"), permissions=["change"])
    def reject_photos(self, request: HttpRequest, queryset: QuerySet[Photo]) -> HttpResponse | None:
        form = RejectForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            self._decide(request, queryset, approve=False, reason=form.cleaned_data["reason"])
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Reject photos"),
            "opts": self.model._meta,
            "photos": queryset,
            "form": form,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "media": self.media,
        }
        return TemplateResponse(request, "admin/photos/photo/reject.html", context)
