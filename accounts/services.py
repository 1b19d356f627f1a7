"""Writes to accounts: profile, addresses, communication preferences, activity, closing and erasing."""

from __future__ import annotations

import datetime
import json
from collections.abc import Mapping
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from accounts.models import (
    ADDRESS_FIELDS,
    PROFILE_FIELDS,
    AccountEvent,
    Address,
    CloseReason,
    CommunicationKind,
    CommunicationPreference,
    PhoneVerification,
    User,
)
from accounts.selectors import communication_preferences_for
from accounts.sessions import sessions_end_for
from photoshop import pagecache
from photoshop.outbox import enqueue
from privacy.services import ERASURE, erase_subject


def user_record_activity(*, user: User) -> bool:
    """Set the user's last activity to now, at most once per local day.

    The conditional UPDATE makes concurrent requests write once; the check on
    the loaded user makes most requests write nothing at all.
    """
    now = timezone.now()
    start_of_day = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    if user.last_activity is not None and user.last_activity >= start_of_day:
        return False
    with pagecache.writes_for(user.pk):
        updated = (
            User.objects.filter(pk=user.pk)
            .filter(Q(last_activity__isnull=True) | Q(last_activity__lt=start_of_day))
            .update(last_activity=now)
        )
    user.last_activity = now
    return bool(updated)


@transaction.atomic
def details_changed_record(*, user: User, fields: list[str], actor: User | None = None) -> None:
    """Record a rectification (ALB-3): which fields changed and who changed them, never the values."""
    if fields:
        AccountEvent.objects.create(
            user=user,
            actor=actor,
            kind=AccountEvent.Kind.DETAILS_CHANGED,
            at=timezone.now(),
            detail={"fields": fields},
        )


@transaction.atomic
def user_update_profile(*, user: User, data: Mapping[str, Any], actor: User | None = None) -> User:
    """Update the profile fields given in ``data`` after validating the whole user; record what changed.

    A mobile number that a deleted account had (STX-5) is recognised: the
    account gets a record of it and the kept hash has served its purpose.
    """
    previous_phone = str(user.mobile_phone or "")
    fields = [name for name in PROFILE_FIELDS if name in data]
    if not user.is_business:
        fields += ["company_name", "vat_number"]
    # As stored: a model form has already put the new values on ``user``.
    before = User.objects.filter(pk=user.pk).values(*fields).first() or {}
    for name in fields:
        if name in data:
            setattr(user, name, data[name])
    if not user.is_business:
        user.company_name = ""
        user.vat_number = ""
    user.full_clean()
    user.save(update_fields=sorted(set(fields)))
    details_changed_record(
        user=user, fields=sorted(n for n in set(fields) if getattr(user, n) != before.get(n)), actor=actor
    )
    phone = str(user.mobile_phone or "")
    if phone and phone != previous_phone:
        kept = PhoneVerification.objects.filter(digest=phone_digest(phone)).first()
        if kept is not None:
            AccountEvent.objects.create(
                user=user,
                kind=AccountEvent.Kind.PHONE_RECOGNISED,
                at=timezone.now(),
                detail={"kept_since": kept.kept_at.date().isoformat()},
            )
            kept.delete()
    return user


def phone_digest(number: str) -> str:
    """Return the keyed hash (HMAC-SHA256) of a mobile number in E.164 form, with ``PRIVACY_PHONE_HMAC_KEY``."""
    return salted_hmac(
        "accounts.phone-verification", number, secret=settings.PRIVACY_PHONE_HMAC_KEY, algorithm="sha256"
    ).hexdigest()


def phone_verifications_keep(*, rows: QuerySet) -> int:
    """Keep the mobile numbers of these accounts as keyed hashes, where the preset says so (STX-5).

    Called before their data goes (closure, inactivity, erasure), in that
    transaction. A number kept already gets the later last activity. Return
    how many numbers were kept.
    """
    from privacy.registry import Category
    from privacy.schedule import effective_schedule

    # Only a preset whose policy says so (stampix, and the default after it); a platform
    # fill-in rule only governs the table where the policy is silent, it keeps nothing.
    rules = effective_schedule()
    if not any(rule.category == Category.PHONE_VERIFICATION and not rule.platform_choice for rule in rules):
        return 0
    kept = {}
    for number, last_activity, joined in (
        rows.exclude(mobile_phone="").values_list("mobile_phone", "last_activity", "date_joined").iterator()
    ):
        digest = phone_digest(str(number))
        moment = last_activity or joined
        kept[digest] = max(moment, kept.get(digest, moment))
    PhoneVerification.objects.bulk_create(
        [PhoneVerification(digest=digest, last_activity=moment) for digest, moment in kept.items()],
        update_conflicts=True,
        unique_fields=["digest"],
        update_fields=["last_activity"],
    )
    return len(kept)


def _lock_addresses(user: User) -> None:
    # Lock the owner's row so that default/billing changes serialise per user.
    User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True).get()


def _apply_default_rules(address: Address, *, first_delivery: bool) -> None:
    if address.kind != Address.Kind.DELIVERY:
        address.is_default = False
        return
    if first_delivery:
        address.is_default = True
    if address.is_default:
        address.user.addresses.filter(kind=Address.Kind.DELIVERY, is_default=True).exclude(pk=address.pk).update(
            is_default=False
        )


@transaction.atomic
def address_create(*, user: User, data: Mapping[str, Any]) -> Address:
    """Add an address; the first delivery address becomes the default."""
    _lock_addresses(user)
    address = Address(user=user, **{name: data[name] for name in ADDRESS_FIELDS if name in data})
    first_delivery = not user.addresses.filter(kind=Address.Kind.DELIVERY).exists()
    # The default moves before validation; a failed validation rolls it back.
    _apply_default_rules(address, first_delivery=first_delivery)
    address.full_clean()
    address.save()
    return address


@transaction.atomic
def address_update(*, address: Address, data: Mapping[str, Any]) -> Address:
    """Change an address; making it the default takes that role from the others."""
    _lock_addresses(address.user)
    fields = [name for name in ADDRESS_FIELDS if name in data]
    for name in fields:
        setattr(address, name, data[name])
    _apply_default_rules(address, first_delivery=False)
    address.full_clean()
    address.save(update_fields=[*fields, "is_default", "updated_at"])
    return address


@transaction.atomic
def address_delete(*, address: Address) -> None:
    """Delete an address; if it was the default, the oldest other delivery address takes over."""
    user = address.user
    _lock_addresses(user)
    was_default = address.is_default
    address.delete()
    if was_default:
        successor = user.addresses.filter(kind=Address.Kind.DELIVERY).order_by("created_at").first()
        if successor is not None:
            successor.is_default = True
            successor.save(update_fields=["is_default", "updated_at"])


@transaction.atomic
def communication_preferences_set(
    *, user: User, choices: Mapping[str, bool], via: CommunicationPreference.Source
) -> list[str]:
    """Store the user's choices per kind of message; return the kinds that changed.

    Only a real change is written, with when and how it happened, so the
    record shows the moment of each opt-in or opt-out (STX-6, STX-7).
    """
    current = {state.kind: state.enabled for state in communication_preferences_for(user=user)}
    now = timezone.now()
    changed = []
    for kind in CommunicationKind.values:
        if kind not in choices or bool(choices[kind]) == current[kind]:
            continue
        CommunicationPreference.objects.update_or_create(
            user=user, kind=kind, defaults={"enabled": bool(choices[kind]), "changed_at": now, "changed_via": via}
        )
        changed.append(kind)
    return changed


def _lock_account(user: User) -> User:
    """Return the user's row, locked, and refuse staff accounts."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    if locked.is_staff or locked.is_superuser:
        # Their records are evidence (PIX-2, PIX-9); staff leave through a superuser, by hand.
        raise ValidationError(_("Staff accounts are not closed or erased here."), code="staff_account")
    return locked


def _close_locked(account: User, *, now: datetime.datetime) -> int:
    """Close a locked, open account; return how many sessions ended."""
    account.closed_at = now
    # A closed account no longer signs in: the sign-in backends refuse inactive users.
    account.is_active = False
    account.save(update_fields=["closed_at", "is_active"])
    return sessions_end_for(account)


def account_close(*, user: User, actor: User | None = None, reason: str = "") -> User:
    """Close a customer's account now and record who did it; return the account.

    The account can no longer sign in and its sessions end at once; the
    retention sweep then ends its data 48 hours after ``closed_at`` (STX-4),
    unless it is erased sooner (``account_erase``). Closing a closed account
    changes nothing and writes no second record. ``reason`` is a
    ``CloseReason`` code, never free text about the person. ``actor`` is
    the staff member, or None for the system.

    Runs in its own transaction (durable), so that the closure and its
    record are committed together and never rolled back by a caller.
    """
    if reason and reason not in CloseReason.values:
        raise ValidationError(_("Unknown reason for closing an account."), code="reason")
    with transaction.atomic(durable=True):
        account = _lock_account(user)
        if account.closed_at is None:
            now = timezone.now()
            ended = _close_locked(account, now=now)
            AccountEvent.objects.create(
                user=account,
                actor=actor,
                kind=AccountEvent.Kind.CLOSED,
                at=now,
                detail={"reason": reason, "sessions_ended": ended},
            )
    pagecache.forget(account.pk)  # its kept pages are never served again
    return account


def account_erase(*, user: User, actor: User | None = None) -> dict[str, dict]:
    """Erase a customer's personal data now, closing the account first if open, and record it (SMP-9, ALB-3).

    ``privacy.services.erase_subject`` does the erasing: what a legal hold
    keeps (invoices, PIX-1) is restricted, not deleted; stored files go
    once this transaction commits. Return, per model, how many records were
    erased and how many restricted, as erase_subject does.

    The erasure deletes the account's earlier records (AccountEvent) with
    its other data; the records of this closure and erasure are written
    after it, point at the anonymised account row and name no one.
    """
    with transaction.atomic(durable=True):
        account = _lock_account(user)
        now = timezone.now()
        newly_closed = account.closed_at is None
        ended = _close_locked(account, now=now) if newly_closed else 0
        closed_at, requested_at = account.closed_at, account.erasure_requested_at
        outcome = erase_subject(account, now=now)
        events = []
        if newly_closed:
            events.append(
                AccountEvent(
                    user_id=account.pk,
                    actor=actor,
                    kind=AccountEvent.Kind.CLOSED,
                    at=now,
                    detail={"reason": "", "sessions_ended": ended},
                )
            )
        events.append(
            AccountEvent(
                user_id=account.pk,
                actor=actor,
                kind=AccountEvent.Kind.ERASED,
                at=now,
                detail={
                    "closed_at": closed_at.isoformat(),
                    # The owner's request, if any: evidence that it was honoured within 48 hours (STX-4).
                    "erasure_requested_at": requested_at.isoformat() if requested_at else None,
                    "records": outcome,
                },
            )
        )
        AccountEvent.objects.bulk_create(events)
    pagecache.forget(account.pk)  # pages kept for the account, with its data in them, go too
    return outcome


def account_delete_request(*, user: User, erase: bool) -> User:
    """Delete one's own account (SMP-9): close it now and, with ``erase``, have its data erased within 48 hours.

    Closing ends the sessions and the sign-in at once; the data then follows
    the retention periods of closed accounts (STX-4, PIX-6, SMP-2), unless
    ``erase`` asks for the right to erasure (ALB-3): the account is queued
    and ``account_erase_requested`` erases it, at once after this commits
    and again on every sweep interval until done, well within
    ``ERASURE_WITHIN``. A confirmation e-mail goes to the address first,
    while it still exists. Each step is recorded (AccountEvent) in the same
    transaction. Asking twice changes nothing more.
    """
    from accounts.emails import send_account_closed_email

    with transaction.atomic(durable=True):
        account = _lock_account(user)
        now = timezone.now()
        events = []
        if account.closed_at is None:
            ended = _close_locked(account, now=now)
            events.append(
                AccountEvent(
                    user=account,
                    kind=AccountEvent.Kind.CLOSED,
                    at=now,
                    detail={"reason": CloseReason.CUSTOMER_REQUEST, "sessions_ended": ended},
                )
            )
        newly_requested = erase and account.erasure_requested_at is None and account.anonymised_at is None
        if newly_requested:
            account.erasure_requested_at = now
            account.save(update_fields=["erasure_requested_at"])
            events.append(AccountEvent(user=account, kind=AccountEvent.Kind.ERASURE_REQUESTED, at=now, detail={}))
        AccountEvent.objects.bulk_create(events)
    if events:
        send_account_closed_email(user=account, erase=erase)
    if newly_requested:
        from accounts.tasks import erase_requested_accounts

        enqueue(erase_requested_accounts)
    return account


def account_erase_requested(*, now: datetime.datetime | None = None) -> int:
    """Erase every account whose owner asked for it and that is not erased yet; return how many.

    A short queue (requests since the last run), so one erasure per account,
    each in its own durable transaction: one that fails leaves the others done
    and stays queued for the next run.
    """
    from accounts.models import AccountDeletion

    erased = 0
    for account in (
        AccountDeletion.objects.pending().filter(is_staff=False, is_superuser=False).order_by("erasure_requested_at")
    ):
        account_erase(user=account)
        erased += 1
    return erased


@transaction.atomic
def user_request_email_change(*, request: HttpRequest, user: User, email: str) -> EmailAddress | None:
    """Add ``email`` as the user's new, unverified address and mail it a confirmation link.

    The user keeps the current address, to sign in and for our mails, until
    the link is followed; allauth then makes the new address the user's and
    tells the old one (ACCOUNT_CHANGE_EMAIL, ACCOUNT_EMAIL_NOTIFICATIONS).
    Meant for a change made by someone else (staff in the admin): a mistyped
    address never becomes the account's, and the owner's old address learns
    of the change. The mail goes in the user's language once the change is
    committed.
    Return the pending address, or None when ``email`` is the current one.
    """
    email = User.objects.normalize_email(email).lower()
    current = user.email.lower()
    if email == current:
        return None
    # The current address as an EmailAddress row, as allauth itself makes at
    # sign-in for accounts created by hand, so that it is told of the change.
    EmailAddress.objects.get_or_create(user=user, email=current, defaults={"primary": False, "verified": False})
    # An earlier pending change, or another row with the new address, makes way:
    # the row made now is the one to confirm. (allauth's add_new_email would
    # take an unverified current row for the pending one and remove it.)
    EmailAddress.objects.filter(user=user).exclude(email=current).filter(Q(verified=False) | Q(email=email)).delete()
    address = EmailAddress.objects.create(user=user, email=email, primary=False, verified=False)

    def send() -> None:
        with translation.override(user.language or settings.LANGUAGE_CODE):
            address.send_confirmation(request)

    transaction.on_commit(send)
    return address


SWEEP_EVENTS = {
    "anonymise": AccountEvent.Kind.ANONYMISED,
    "delete": AccountEvent.Kind.DELETED,
    "restrict": AccountEvent.Kind.RESTRICTED,
}


def account_events_record_sweep(*, rows: QuerySet, action: str, rule_id: str, at: datetime.datetime) -> int:
    """Record, set-based, that the retention sweep changes these accounts (one AccountEvent each, no actor).

    Called by the sweep inside the transaction that changes them, before the
    change. An erasure writes its own record (``account_erase``), and an
    archive does not change an account.
    """
    kind = SWEEP_EVENTS.get(action)
    if kind is None or rule_id == ERASURE:
        return 0
    table = AccountEvent._meta.db_table
    detail = json.dumps({"rule": rule_id})
    json_param = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
    keys_sql, keys_params = rows.values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (user_id, actor_id, kind, at, detail) "  # noqa: S608 - names are ours, values bound
            f"SELECT u.id, NULL, %s, %s, {json_param} FROM {User._meta.db_table} u WHERE u.id IN ({keys_sql})",
            [kind.value, connection.ops.adapt_datetimefield_value(at), detail, *keys_params],
        )
        return cursor.rowcount


def contact_thread_start(*, user: User | None, name: str, email: str, language: str, subject: str, body: str):
    """Record a question to customer service (signed in or not) and return its thread."""
    from accounts.models import ContactMessage, ContactThread

    now = timezone.now()
    with transaction.atomic():
        thread = ContactThread.objects.create(
            user=user if user is not None and user.is_authenticated else None,
            name=name,
            email=email,
            language=language,
            subject=subject,
            created_at=now,
            last_message_at=now,
        )
        ContactMessage.objects.create(thread=thread, body=body, sent_at=now)
    return thread


def contact_thread_answer(*, thread, author: User, body: str) -> None:
    """Answer a question as customer service: the answer is kept in the thread and e-mailed in its language."""
    from accounts.emails import send_contact_answer_email
    from accounts.models import ContactMessage, ContactThread

    now = timezone.now()
    with transaction.atomic():
        locked = ContactThread.objects.select_for_update().get(pk=thread.pk)
        message = ContactMessage.objects.create(thread=locked, from_staff=True, author=author, body=body, sent_at=now)
        ContactThread.objects.filter(pk=locked.pk).update(
            status=ContactThread.Status.ANSWERED, last_message_at=now, resolved_at=None
        )
        transaction.on_commit(lambda: send_contact_answer_email(message_id=message.pk))


def contact_threads_resolve(*, threads: QuerySet) -> int:
    """Mark questions resolved (PIX-4 counts from then); return how many changed."""
    from accounts.models import ContactThread

    return threads.exclude(status=ContactThread.Status.RESOLVED).update(
        status=ContactThread.Status.RESOLVED, resolved_at=timezone.now()
    )


@transaction.atomic
def account_restrict(*, user: User, restricted: bool, actor: User | None = None, note: str = "") -> bool:
    """Restrict processing of an account's data, or lift it (ALB-3); return whether anything changed.

    A restricted account gets no marketing or service messages, no profiling,
    and is hidden from everyday staff views until the restriction is lifted.
    """
    account = _lock_account(user)
    if (account.processing_restricted_at is not None) == restricted:
        return False
    now = timezone.now()
    account.processing_restricted_at = now if restricted else None
    account.save(update_fields=["processing_restricted_at"])
    kind = AccountEvent.Kind.PROCESSING_RESTRICTED if restricted else AccountEvent.Kind.RESTRICTION_LIFTED
    AccountEvent.objects.create(user=account, actor=actor, kind=kind, at=now, detail={"note": note[:200]})
    user.processing_restricted_at = account.processing_restricted_at
    return True


@transaction.atomic
def account_object_to_profiling(*, user: User, actor: User | None = None) -> bool:
    """Record an objection to profiling (ALB-3): at once, no suggestions from their photos and no sponsor matching.

    Suggestions made earlier and not touched by the customer are deleted.
    Return whether it was new.
    """
    from orders.models import Creation

    account = _lock_account(user)
    if account.profiling_objected_at is not None:
        return False
    now = timezone.now()
    account.profiling_objected_at = now
    account.save(update_fields=["profiling_objected_at"])
    Creation.objects.filter(user=account, status=Creation.Status.SUGGESTED).delete()
    AccountEvent.objects.create(
        user=account, actor=actor, kind=AccountEvent.Kind.PROFILING_OBJECTED, at=now, detail={}
    )
    user.profiling_objected_at = now
    return True
