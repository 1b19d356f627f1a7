from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from photos import services
from photos.models import Photo
from privacy.admin import AdminLogWithoutPersonalData, DeletesStoredFiles


class ReviewForm(forms.ModelForm):
    decision = forms.ChoiceField(
        label=_("decision"),
        required=False,
        choices=[("", "-"), ("approve", _("approve: may be printed")), ("reject", _("reject: may not be printed"))],
    )

    class Meta:
        model = Photo
        fields = ["review_reason"]

    def clean(self):
        cleaned = super().clean()
        decision = cleaned.get("decision")
        if decision and self.instance.review not in services.REVIEW_TRANSITIONS:
            self.add_error(
                "decision",
                _("Only a photo held for review can be approved or rejected (this one: %(state)s).")
                % {"state": self.instance.get_review_display()},
            )
        if decision == "reject" and not cleaned.get("review_reason", "").strip():
            self.add_error("review_reason", _("Give the reason the customer will see."))
        return cleaned


@admin.register(Photo)
class PhotoAdmin(AdminLogWithoutPersonalData, DeletesStoredFiles, admin.ModelAdmin):
    """The review queue: photos held by the NSFW scan wait here for a decision (STX-10)."""

    form = ReviewForm
    list_display = ["preview", "filename", "user", "status", "review", "quality_score", "uploaded_at"]
    list_filter = ["review", "status", "image_format"]
    search_fields = ["filename", "user__email"]
    list_select_related = ["user"]
    fields = ["preview_large", "filename", "user", "status", "review", "nsfw_labels", "decision", "review_reason"]
    readonly_fields = ["preview_large", "filename", "user", "status", "review", "nsfw_labels"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description=_("photo"))
    def preview(self, photo: Photo) -> str:
        if not photo.thumbnail_small:
            return "-"
        return format_html(
            '<img src="{}" alt="" style="height:48px">', reverse("photos:file", args=[photo.id, "small"])
        )

    @admin.display(description=_("photo"))
    def preview_large(self, photo: Photo) -> str:
        if not photo.thumbnail_large:
            return "-"
        url = reverse("photos:file", args=[photo.id, "large"])
        return format_html('<img src="{}" alt="" style="max-height:420px;max-width:100%">', url)

    def save_model(self, request: HttpRequest, obj: Photo, form, change: bool) -> None:
        decision = form.cleaned_data.get("decision")
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
            messages.info(request, _("Decision recorded."))

    def response_change(self, request: HttpRequest, obj: Photo) -> HttpResponse:
        if getattr(request, "_photo_review_refused", False):
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)
