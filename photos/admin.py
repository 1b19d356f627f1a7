from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest
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
        if cleaned.get("decision") == "reject" and not cleaned.get("review_reason", "").strip():
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
        if decision:
            services.photo_review(
                photo=obj, approve=decision == "approve", reviewer=request.user, reason=obj.review_reason
            )
            messages.info(request, _("Decision recorded."))
