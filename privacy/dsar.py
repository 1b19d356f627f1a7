"""Data-subject requests (ALB-3, ALB-4, MYS-2, MYS-3, SMP-10): every step a request goes through.

Services (writes) for the public request form, the e-mailed confirmation
link, the identity document, and the privacy officer's actions in the admin.
Each step locks the request, checks that its status allows the step, and
records it (``PrivacyRequestEvent``) in the same transaction; e-mails and
file removals happen after the commit.
"""

from __future__ import annotations

import datetime

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from privacy.models import PrivacyRequest, PrivacyRequestEvent

Kind = PrivacyRequest.Kind
Status = PrivacyRequest.Status
Action = PrivacyRequestEvent.Action

ANSWER_WITHIN = relativedelta(months=1)
EXTENSION_MONTHS = (1, 2)  # at most two more months (GDPR article 12(3))
CONFIRM_SALT = "privacy.request.confirm"
CONFIRM_WITHIN = datetime.timedelta(days=7)
DOCUMENT_TYPES = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "pdf": "application/pdf"}
DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
# Presets whose policy asks for an identity document with a request made without signing in.
DOCUMENT_RULES = {"default": "MYS-2", "mystamp": "MYS-2", "smartphoto": "SMP-10"}
# Objections take effect at once, as soon as we know the e-mail address is the requester's.
AT_ONCE = (Kind.OBJECTION_MARKETING, Kind.OBJECTION_PROFILING)


def email_digest(email: str) -> str:
    """The keyed hash (HMAC-SHA256) of an e-mail address: what an erased person's handled request keeps."""
    return salted_hmac(
        "privacy.request-email", email.strip().lower(), secret=settings.PRIVACY_PHONE_HMAC_KEY, algorithm="sha256"
    ).hexdigest()


def document_rule(preset: str | None = None) -> str:
    """The rule id asking for an identity document under the preset in force, or ``""``."""
    from privacy.schedule import preset_name

    return DOCUMENT_RULES.get(preset_name(preset), "")


def confirm_token(request: PrivacyRequest) -> str:
    return signing.dumps({"request": request.pk, "hash": request.email_hash[:16]}, salt=CONFIRM_SALT)


def request_from_token(token: str) -> PrivacyRequest | None:
    """The request a confirmation link names, while the link is valid (7 days), else None."""
    try:
        data = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_WITHIN)
    except signing.BadSignature:
        return None
    found = PrivacyRequest.objects.filter(pk=data.get("request")).first()
    if found is None or found.email_hash[:16] != data.get("hash"):
        return None
    return found


def _record(request: PrivacyRequest, action: str, *, actor=None, note: str = "", at=None) -> None:
    PrivacyRequestEvent.objects.create(request=request, action=action, actor=actor, note=note, at=at or timezone.now())


def _locked(request: PrivacyRequest) -> PrivacyRequest:
    return PrivacyRequest.objects.select_for_update().get(pk=request.pk)


def _tell(request: PrivacyRequest, step: str) -> None:
    """E-mail the requester where their request stands, once this transaction commits."""
    from privacy.emails import send_request_email

    request_id = request.pk
    transaction.on_commit(lambda: send_request_email(request_id=request_id, step=step))


def _account_for(email: str):
    from accounts.models import User

    return User.objects.filter(email__iexact=email.strip(), is_staff=False, anonymised_at__isnull=True).first()


def _drop_document(request: PrivacyRequest) -> None:
    """Forget the identity document at once (row) and remove the file after the commit."""
    if not request.identity_document:
        return
    name, storage = request.identity_document.name, request.identity_document.storage
    request.identity_document = ""
    transaction.on_commit(lambda: storage.delete(name))


def _identity_confirmed(request: PrivacyRequest, method: str, *, actor=None, note: str = "") -> None:
    now = timezone.now()
    request.identity_verified_at = now
    request.identity_method = method
    if request.status in (Status.RECEIVED, Status.IDENTITY_PENDING):
        request.status = Status.IN_PROGRESS
    _drop_document(request)
    _record(request, Action.IDENTITY_VERIFIED, actor=actor, note=note or str(request.get_identity_method_display()))


@transaction.atomic
def request_submit(
    *,
    kind: str,
    email: str,
    name: str = "",
    details: str = "",
    language: str = "nl",
    user=None,
    reauthenticated: bool = False,
) -> PrivacyRequest:
    """A person's request from the public form.

    Signed in and confirmed with their password: their identity is known
    (ALB-4) and an objection takes effect at once. Otherwise a link goes to
    the address given; the request waits for it (and, where the preset asks,
    for an identity document).
    """
    if kind not in Kind.values:
        raise ValidationError(_("Choose what you are asking for."))
    now = timezone.now()
    signed_in = user is not None and user.is_authenticated
    verified = signed_in and reauthenticated  # a social login without a password confirms by the e-mailed link
    email = (user.email if signed_in else email).strip()
    request = PrivacyRequest.objects.create(
        kind=kind,
        status=Status.IN_PROGRESS if verified else Status.IDENTITY_PENDING,
        user=user if signed_in else None,
        email=email,
        email_hash=email_digest(email),
        name=name.strip() or (user.get_full_name() if signed_in else ""),
        details=details.strip(),
        language=language,
        received_at=now,
        due_on=(timezone.localdate(now) + ANSWER_WITHIN),
    )
    _record(request, Action.RECEIVED, note="signed in" if signed_in else "public form", at=now)
    if verified:
        request.email_confirmed_at = now
        _identity_confirmed(request, PrivacyRequest.Identity.REAUTHENTICATION)
        request.save()
        if kind in AT_ONCE:
            _apply_at_once(request, actor=None)
        else:
            _tell(request, "received")
    else:
        _tell(request, "confirm")
    return request


@transaction.atomic
def request_enter(*, actor, kind: str, email: str, name: str, details: str, language: str) -> PrivacyRequest:
    """A request staff write down for someone who called or wrote; their identity is still to be checked."""
    now = timezone.now()
    request = PrivacyRequest.objects.create(
        kind=kind,
        status=Status.RECEIVED,
        user=_account_for(email),
        email=email.strip(),
        email_hash=email_digest(email),
        name=name.strip(),
        details=details.strip(),
        language=language,
        received_at=now,
        due_on=timezone.localdate(now) + ANSWER_WITHIN,
        entered_by=actor,
    )
    _record(request, Action.RECEIVED, actor=actor, note="entered by staff", at=now)
    _tell(request, "received")
    return request


@transaction.atomic
def request_confirm_email(*, request: PrivacyRequest) -> PrivacyRequest:
    """The requester followed the e-mailed link: the address is theirs.

    Without a document rule that confirms their identity (ALB-4); with one
    (MYS-2, SMP-10) the request waits for the document. An objection takes
    effect now either way: stopping to use data needs no more proof.
    """
    request = _locked(request)
    if request.status != Status.IDENTITY_PENDING or request.email_confirmed_at is not None:
        return request
    # Only a signed-in request has its account from the start: its own address confirms its owner.
    signed_in = request.user_id is not None
    request.email_confirmed_at = timezone.now()
    request.user = request.user or _account_for(request.email)
    _record(request, Action.EMAIL_CONFIRMED)
    if request.kind in AT_ONCE:
        _identity_confirmed(request, PrivacyRequest.Identity.EMAIL_LINK)
        request.save()
        _apply_at_once(request, actor=None)
        return request
    if signed_in or not document_rule():
        _identity_confirmed(request, PrivacyRequest.Identity.EMAIL_LINK)
    request.save()
    _tell(request, "received")
    return request


def _check_document(upload: UploadedFile) -> None:
    suffix = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
    if suffix not in DOCUMENT_TYPES:
        raise ValidationError(_("Send a photo (JPEG or PNG) or a PDF of your identity document."))
    if upload.size > DOCUMENT_MAX_BYTES:
        raise ValidationError(_("The file is larger than 10 MB. Send a smaller photo or scan."))
    head = upload.read(8)
    upload.seek(0)
    signatures = {"image/jpeg": b"\xff\xd8\xff", "image/png": b"\x89PNG", "application/pdf": b"%PDF"}
    if not head.startswith(signatures[DOCUMENT_TYPES[suffix]]):
        raise ValidationError(_("This file is not a readable photo or PDF. Send a photo (JPEG or PNG) or a PDF."))


@transaction.atomic
def request_attach_document(*, request: PrivacyRequest, upload: UploadedFile) -> PrivacyRequest:
    """Keep the identity document until the privacy officer has checked it (MYS-2, SMP-10)."""
    _check_document(upload)
    request = _locked(request)
    if request.status != Status.IDENTITY_PENDING or request.email_confirmed_at is None:
        raise ValidationError(_("This request does not need a document any more."))
    previous = request.identity_document.name if request.identity_document else ""
    storage = request.identity_document.storage
    request.identity_document.save(upload.name, upload, save=False)
    request.save(update_fields=["identity_document"])
    if previous:
        transaction.on_commit(lambda: storage.delete(previous))
    _record(request, Action.DOCUMENT_UPLOADED)
    return request


def _open(request: PrivacyRequest) -> PrivacyRequest:
    request = _locked(request)
    if not request.is_open:
        raise ValidationError(_("This request is closed already."))
    return request


@transaction.atomic
def request_verify_identity(*, request: PrivacyRequest, actor, note: str = "") -> PrivacyRequest:
    """The privacy officer accepts the requester's identity; the document, if any, is deleted now."""
    request = _open(request)
    if request.identity_verified_at is not None:
        raise ValidationError(_("The identity is confirmed already."))
    method = PrivacyRequest.Identity.DOCUMENT if request.identity_document else PrivacyRequest.Identity.STAFF
    request.user = request.user or _account_for(request.email)
    _identity_confirmed(request, method, actor=actor, note=note)
    request.save()
    return request


@transaction.atomic
def request_extend(*, request: PrivacyRequest, actor, months: int, reason: str) -> PrivacyRequest:
    """Extend the deadline by one or two months in all, with the reason sent to the requester."""
    request = _open(request)
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Give the reason for the extension: it is sent to the requester."))
    first_due = timezone.localdate(request.received_at) + ANSWER_WITHIN
    if months not in EXTENSION_MONTHS or first_due + relativedelta(months=months) <= request.due_on:
        raise ValidationError(_("A request can be extended by at most two months in all."))
    request.due_on = first_due + relativedelta(months=months)
    request.status = Status.EXTENDED
    request.extension_reason = reason
    request.save()
    _record(request, Action.EXTENDED, actor=actor, note=f"until {request.due_on.isoformat()}: {reason}")
    _tell(request, "extended")
    return request


@transaction.atomic
def request_refuse(*, request: PrivacyRequest, actor, reason: str) -> PrivacyRequest:
    """Refuse a manifestly unfounded or excessive request (MYS-3), with the reason sent to the requester."""
    request = _open(request)
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Give the reason for the refusal: it is sent to the requester."))
    request.status = Status.REFUSED
    request.outcome = reason
    request.closed_at = timezone.now()
    _drop_document(request)
    request.save()
    _record(request, Action.REFUSED, actor=actor, note=reason)
    _tell(request, "refused")
    return request


def _apply_at_once(request: PrivacyRequest, *, actor) -> None:
    """Carry out an objection now and close the request (inside the caller's transaction)."""
    outcome = _carry_out(request, actor=actor, outcome="")
    _close(request, actor=actor, outcome=outcome, action=Action.APPLIED)


def _close(request: PrivacyRequest, *, actor, outcome: str, action: str = Action.COMPLETED) -> None:
    request.status = Status.COMPLETED
    request.outcome = outcome
    request.closed_at = timezone.now()
    _drop_document(request)
    request.save()
    _record(request, action, actor=actor, note=outcome)
    _tell(request, "completed")


def _carry_out(request: PrivacyRequest, *, actor, outcome: str) -> str:
    """Do what the request asks, for the account it concerns; return what was done, for the record and e-mail."""
    from accounts.models import CommunicationKind, CommunicationPreference
    from accounts.services import account_object_to_profiling, account_restrict, communication_preferences_set
    from photos.services import location_consent_set
    from privacy.services import export_request

    user = request.user
    manual = (Kind.RECTIFICATION,)
    if user is None or user.anonymised_at is not None or request.kind in manual:
        if not outcome.strip():
            raise ValidationError(
                _("Describe what you did in the outcome: it is sent to the requester.")
                if request.kind in manual
                else _("No account has this e-mail address. Describe what you did in the outcome.")
            )
        return outcome.strip()
    via = CommunicationPreference.Source.PRIVACY_REQUEST
    if request.kind in (Kind.ACCESS, Kind.EXPORT):
        export_request(user=user)
        done = _("A copy of your data is being prepared; we e-mail you a download link when it is ready.")
    elif request.kind == Kind.RESTRICTION:
        account_restrict(user=user, restricted=True, actor=actor, note=request.reference)
        done = _("We keep your data but no longer use it: no messages, no suggestions, no sponsor matching.")
    elif request.kind == Kind.OBJECTION_MARKETING:
        off = {CommunicationKind.MARKETING: False, CommunicationKind.THIRD_PARTY: False}
        communication_preferences_set(user=user, choices=off, via=via)
        done = _("You get no more news, offers or partner offers from us.")
    elif request.kind == Kind.OBJECTION_PROFILING:
        account_object_to_profiling(user=user, actor=actor)
        done = _("We no longer use your data for suggestions or to match you with sponsors' adverts.")
    elif request.kind == Kind.WITHDRAW_CONSENT:
        off = {CommunicationKind.MARKETING: False, CommunicationKind.THIRD_PARTY: False}
        communication_preferences_set(user=user, choices=off, via=via)
        location_consent_set(user=user, keep=False)
        done = _(
            "Your consents are withdrawn: no news or offers, and the location of your photos is removed. "
            "What we did before stays lawful."
        )
    else:  # erasure: carried out by request_complete after this transaction
        done = _("Your account is closed and your data erased, except what the law makes us keep (invoices).")
    with translation.override(request.language):  # stored as sent: in the requester's language
        return " ".join(part for part in (str(done), outcome.strip()) if part)


def request_complete(*, request: PrivacyRequest, actor, outcome: str = "") -> PrivacyRequest:
    """Carry out the request and close it, telling the requester what was done.

    An erasure closes and erases the account (``accounts.services.account_erase``,
    its own durable transaction) after the request is closed and the e-mail
    saying so is sent, as the account deletion flow does.
    """
    from accounts.services import account_erase

    with transaction.atomic():
        request = _open(request)
        if request.identity_verified_at is None:
            raise ValidationError(_("Confirm the requester's identity first (ALB-4)."))
        _close(request, actor=actor, outcome=_carry_out(request, actor=actor, outcome=outcome))
    if request.kind == Kind.ERASURE and request.user is not None and request.user.anonymised_at is None:
        account_erase(user=request.user, actor=actor)
    return request


def confirm_url(request: PrivacyRequest) -> str:
    from photoshop.emails import absolute_url

    return absolute_url(reverse("privacy:request_confirm", args=[confirm_token(request)]))


@transaction.atomic
def requests_close_unconfirmed(*, now: datetime.datetime | None = None) -> int:
    """Close the requests whose confirmation link expired unused (set-based); return how many.

    Nobody showed the request was theirs, so nothing is done and the
    requester is not written to again; closing starts MYS-2's year, after
    which the request and its address are deleted like any other.
    """
    now = now or timezone.now()
    stale = PrivacyRequest.objects.select_for_update().filter(
        status=Status.IDENTITY_PENDING, email_confirmed_at__isnull=True, received_at__lt=now - CONFIRM_WITHIN
    )
    ids = list(stale.values_list("pk", flat=True))
    if not ids:
        return 0
    outcome = "The confirmation link expired unused: nothing was done."
    PrivacyRequest.objects.filter(pk__in=ids).update(status=Status.REFUSED, outcome=outcome, closed_at=now)
    PrivacyRequestEvent.objects.bulk_create(
        [PrivacyRequestEvent(request_id=pk, action=Action.REFUSED, note=outcome, at=now) for pk in ids]
    )
    return len(ids)
