"""Personal data of the photos app, declared for the privacy engine (SMP-5..7, STX-3, PIX-7, MYS-7)."""

from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from accounts.privacy import user_triggers
from privacy.registry import Anonymise, Category, LegalBasis, PersonalData, Scope, Strategy, register

S = Strategy
IMAGE_TRIGGERS = {
    # A user's uploads live and end with the account (STX-1, STX-4: closing an
    # account takes them along); a visitor's have no account clock.
    **user_triggers("user__"),
    "upload_date": F("uploaded_at"),
    # MYS-1 (last order) and SMP-6 (2 years, extended at each new order): the
    # orders app supplies the last order; until then the upload counts.
    "last_order": F("uploaded_at"),
    "upload_or_last_order": F("uploaded_at"),
}
SCOPES = {
    "without_account": Scope(Q(user__isnull=True), _("uploaded without an account"), needs_rule=True),
    "account_not_ordered": Scope(Q(user__isnull=False), _("uploaded to your account and not ordered")),
}

register(
    PersonalData(
        model="photos.Photo",
        category=Category.IMAGE,
        purpose=_("Printing the photos you order, and keeping the others in your account while you want."),
        record_purpose=_(
            "Printing the photos ordered, and keeping the others in the customer's account while the customer wants."
        ),
        legal_basis=LegalBasis.CONTRACT,
        examples=_("your photos, their thumbnails, capture date, camera and (only with your consent) location"),
        subject="user",
        subject_hint=_("the visitor's photo key in the session"),
        fields=(
            Anonymise("original", S.DROP),
            Anonymise("thumbnail_small", S.DROP),
            Anonymise("thumbnail_large", S.DROP),
            Anonymise("filename", S.BLANK),
            Anonymise("latitude", S.NULL),
            Anonymise("longitude", S.NULL),
            Anonymise("taken_at", S.NULL),
            Anonymise("camera_make", S.BLANK),
            Anonymise("camera_model", S.BLANK),
            Anonymise("session_key", S.BLANK),
        ),
        files=("original", "thumbnail_small", "thumbnail_large"),
        anonymise_by_deleting=True,
        archived_marker="archived_at",
        triggers=IMAGE_TRIGGERS,
        scopes=SCOPES,
    )
)


def _album_since():
    """An album counts from its newest photo (from its creation while empty): it never outlives them early."""
    from photos.models import Photo

    newest = Photo.objects.filter(album=OuterRef("pk")).order_by("-uploaded_at").values("uploaded_at")[:1]
    return Coalesce(Subquery(newest), F("created_at"))


register(
    PersonalData(
        model="photos.Album",
        category=Category.IMAGE,
        purpose=_("Organising your photos."),
        record_purpose=_("Organising the customer's photos."),
        legal_basis=LegalBasis.CONTRACT,
        examples=_("album names"),
        subject="user",
        fields=(Anonymise("title", S.BLANK), Anonymise("session_key", S.BLANK)),
        anonymise_by_deleting=True,
        triggers={
            **user_triggers("user__"),
            "upload_date": _album_since,
            "last_order": _album_since,
            "upload_or_last_order": _album_since,
        },
        scopes=SCOPES,
    )
)

register(
    PersonalData(
        model="photos.PhotoConsent",
        category=Category.ACCOUNT,
        purpose=_("Remembering your choices about location data and photo storage."),
        record_purpose=_("Recording the customer's choices about location data and photo storage."),
        legal_basis=LegalBasis.CONSENT,
        examples=_("whether we may keep photo locations and keep your photos"),
        subject="user",
        fields=(
            Anonymise("keep_location", S.BLANK),
            Anonymise("keep_location_changed_at", S.NULL),
            Anonymise("storage", S.BLANK),
            Anonymise("storage_changed_at", S.NULL),
        ),
        anonymise_by_deleting=True,
        triggers=user_triggers("user__"),
        exclude=Q(user__is_staff=True) | Q(user__is_superuser=True),
    )
)
