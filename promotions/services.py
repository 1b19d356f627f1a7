"""Writes of the promotions app: generating codes, redeeming and releasing them.

Every limit (a code's uses, a campaign's quota, a customer's limit) is
raised by one conditional ``UPDATE ... WHERE used < max_uses`` whose row
count decides, inside the redemption's transaction: never a check followed
by a separate write, which concurrent checkouts slip through.
"""

from __future__ import annotations

import datetime
import re
import secrets
from collections.abc import Callable, Mapping
from contextlib import nullcontext

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from photoshop.outbox import enqueue_many
from promotions.models import (
    CODE_ALPHABET,
    CODE_LENGTH,
    AdvertDecision,
    Campaign,
    CampaignUse,
    Code,
    EligibilityField,
    HouseholdUse,
    Redemption,
    RedemptionDetail,
)
from promotions.regions import region_of, region_within
from promotions.selectors import code_normalise, eligibility_fields_of, redemptions_expiring

INSERT_BATCH = 10_000


class RedemptionError(ValidationError):
    """A code that cannot be used, with the message the customer sees and a code for the reason."""


def _draw(count: int) -> set[str]:
    base, codes = len(CODE_ALPHABET), set()
    space = base**CODE_LENGTH
    while len(codes) < count:
        number = secrets.randbelow(space)
        chars = []
        for _position in range(CODE_LENGTH):
            number, digit = divmod(number, base)
            chars.append(CODE_ALPHABET[digit])
        codes.add("".join(chars))
    return codes


def _insert_codes(*, campaign: Campaign, codes: set[str], max_uses: int) -> None:
    """Insert the codes with one statement (``bulk_create`` spent ~0.1 ms a row in Python preparing values)."""
    table, ops = Code._meta.db_table, connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())
    columns = ", ".join(
        ops.quote_name(Code._meta.get_field(name).column)
        for name in ("campaign", "code", "max_uses", "used", "created_at")
    )
    insert = f"INSERT INTO {ops.quote_name(table)} ({columns})"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # one statement: the codes as one array parameter
            cursor.execute(
                f"{insert} SELECT %s, c, %s, 0, %s FROM unnest(%s::text[]) AS c",  # noqa: S608 (our own names)
                [campaign.pk, max_uses, now, list(codes)],
            )
        else:
            cursor.executemany(
                f"{insert} VALUES (%s, %s, %s, 0, %s)", [(campaign.pk, c, max_uses, now) for c in codes]
            )


def codes_generate(
    *, campaign: Campaign, count: int, max_uses: int = 1, on_progress: Callable[[int], None] | None = None
) -> int:
    """Create ``count`` new unique codes for the campaign, ``INSERT_BATCH`` a statement; return how many.

    A code that exists already is drawn again, so exactly ``count`` are
    added; each batch costs one lookup and one insert, whatever the campaign
    already holds.
    """
    if count < 1 or max_uses < 1:
        raise ValidationError(_("Enter a number of codes and of uses of at least 1."), code="count")
    added = 0
    while added < count:
        drawn = _draw(min(INSERT_BATCH, count - added))
        # A code drawn before (by this or any campaign) is left out; one drawn at the
        # same moment elsewhere fails the batch's unique constraint, and the batch is drawn again.
        drawn -= set(Code.objects.filter(code__in=drawn).values_list("code", flat=True))
        try:
            with transaction.atomic():
                _insert_codes(campaign=campaign, codes=drawn, max_uses=max_uses)
        except IntegrityError:
            continue
        added += len(drawn)
        if on_progress:
            on_progress(len(drawn))
    return added


def _refuse(message: str, code: str) -> None:
    raise RedemptionError(message, code=code)


def code_redeem(*, cart, user, raw_code: str, site=None, details: Mapping[int, str] | None = None) -> Redemption:
    """Apply a code to a signed-in customer's cart; raise ``RedemptionError`` saying why it cannot be used.

    ``site``: the microsite the customer is on (``microsites.selectors.Site``), None in the web shop;
    a campaign says where its codes are accepted.
    ``details``: answers to the campaign's eligibility fields (STX-8), by field id; a campaign that
    asks for some refuses a code without them (reason ``needs_details``), checked again here.
    The code's uses, the customer's limit and the campaign's quota are each
    raised by one conditional write; the first that fails undoes the others.
    On PostgreSQL the writes are one database function call (migration 0011).
    """
    if details is not None:
        answers = details_checked(fields=eligibility_fields_of(raw_code), details=details)
        with transaction.atomic():
            redemption = _redeem_any(cart=cart, user=user, raw_code=raw_code, site=site, with_details=True)
            RedemptionDetail.objects.bulk_create(
                RedemptionDetail(redemption_id=redemption.pk, field_id=field_id, value=value)
                for field_id, value in answers.items()
            )
        return redemption
    return _redeem_any(cart=cart, user=user, raw_code=raw_code, site=site, with_details=False)


def _redeem_any(*, cart, user, raw_code: str, site, with_details: bool) -> Redemption:
    if connection.vendor == "postgresql":
        return _redeem_in_one_call(cart=cart, user=user, raw_code=raw_code, site=site, with_details=with_details)
    code = _usable_code(cart=cart, user=user, raw_code=raw_code, site=site, with_details=with_details)
    return _redeem(code=code, cart=cart, user=user)


def detail_error(field: EligibilityField, value: str) -> str | None:
    """Return why ``value`` is not a valid answer to ``field``, or None when it is (empty answers included)."""
    if not value:
        return None
    if len(value) > 200:
        return _("Keep it under 200 characters.")
    if field.kind == EligibilityField.Kind.DIGITS and not value.isdigit():
        return _("Enter digits only.")
    if field.kind == EligibilityField.Kind.EMAIL:
        try:
            validate_email(value)
        except ValidationError:
            return _("Enter a valid e-mail address.")
    if field.kind == EligibilityField.Kind.DATE:
        try:
            datetime.date.fromisoformat(value)
        except ValueError:
            return _("Enter a date as YYYY-MM-DD.")
    if field.pattern and re.fullmatch(field.pattern, value) is None:
        return _("This does not look like a valid %(label)s.") % {"label": field.label.lower()}
    return None


def details_checked(*, fields: list[EligibilityField], details: Mapping[int, str]) -> dict[int, str]:
    """Return the answers to store, by field id; raise ``RedemptionError`` for one missing or invalid."""
    answers = {}
    for field in fields:
        value = str(details.get(field.pk, "") or "").strip()
        if not value and field.required:
            _refuse(_("Fill in: %(label)s.") % {"label": field.label}, "needs_details")
        error = detail_error(field, value)
        if error:
            _refuse(f"{field.label}: {error}", "invalid_details")
        if value:
            answers[field.pk] = value
    return answers


def _checked_input(*, user, raw_code: str) -> str:
    text = code_normalise(raw_code)
    if not text:
        _refuse(_("Enter a code."), "empty")
    if user is None or not user.is_authenticated:
        _refuse(_("Sign in to use a code: it is linked to your account."), "anonymous")
    return text


def _refuse_unknown() -> None:
    _refuse(_("This code does not exist. Check it and try again."), "unknown")


def _refuse_not_yet_valid(starts_at) -> None:
    valid_from = timezone.localtime(starts_at).strftime("%d-%m-%Y")
    _refuse(_("This code is valid from %(date)s.") % {"date": valid_from}, "not_yet_valid")


def _refuse_expired() -> None:
    _refuse(_("This code has expired."), "expired")


def _refuse_web() -> None:
    _refuse(_("This code is only valid on the sponsor's own site."), "wrong_channel")


def _refuse_site() -> None:
    _refuse(_("This code is not valid on this site."), "wrong_channel")


def _refuse_needs_details() -> None:
    _refuse(_("This code asks for a few details first."), "needs_details")


def _usable_code(*, cart, user, raw_code: str, site, with_details: bool = False) -> Code:
    """Return the code if it may be used here and now (reads only); else refuse, saying why."""
    text = _checked_input(user=user, raw_code=raw_code)
    code = Code.objects.select_related("campaign__format").filter(code=text).first()
    if code is None:
        _refuse_unknown()
    campaign, now = code.campaign, timezone.now()
    if now < campaign.starts_at:
        _refuse_not_yet_valid(campaign.starts_at)
    if not campaign.is_active or now >= campaign.ends_at:
        _refuse_expired()
    if site is None and not campaign.web_shop:
        _refuse_web()
    if site is not None and campaign.pk not in site.campaign_ids:
        _refuse_site()
    if Redemption.objects.filter(cart=cart, status=Redemption.Status.ACTIVE).exists():
        _refuse_cart_has_code()
    if not with_details and campaign.eligibility_fields.exists():
        _refuse_needs_details()
    return code


def _refuse_used(max_uses: int) -> None:
    if max_uses == 1:
        _refuse(_("This code has already been used."), "used")
    _refuse(_("This code has been used as often as it may be."), "exhausted")


def _refuse_user_limit() -> None:
    _refuse(_("You have already used a code of this campaign."), "user_limit")


def _refuse_cart_has_code() -> None:
    _refuse(_("Your cart already has a code. Remove it first to use another."), "cart_has_code")


def _refuse_quota() -> None:
    _refuse(_("All free products of this campaign have been given away."), "exhausted")


@transaction.atomic
def _redeem(*, code: Code, cart, user) -> Redemption:
    campaign = code.campaign
    if not Code.objects.filter(pk=code.pk, used__lt=F("max_uses")).update(used=F("used") + 1):
        _refuse_used(code.max_uses)
    use, _created = CampaignUse.objects.get_or_create(campaign=campaign, user=user)
    if not CampaignUse.objects.filter(pk=use.pk, count__lt=campaign.per_user_limit).update(count=F("count") + 1):
        _refuse_user_limit()
    try:
        with transaction.atomic():
            redemption = Redemption.objects.create(code=code, campaign=campaign, user=user, cart=cart)
    except IntegrityError:  # the same cart redeemed at the same moment elsewhere (one active code per cart)
        _refuse_cart_has_code()
    # The campaign's row is shared by every redemption of the campaign: raised last, so that
    # its lock is held only until the commit (``bench/codes.py``).
    claimed = Campaign.objects.filter(pk=campaign.pk)
    if campaign.quota is not None:
        claimed = claimed.filter(redeemed__lt=F("quota"))
    if not claimed.update(redeemed=F("redeemed") + 1):
        _refuse_quota()
    return redemption


ANSWERS = {
    "unknown": _refuse_unknown,
    "expired": _refuse_expired,
    "wrong_channel_web": _refuse_web,
    "wrong_channel_site": _refuse_site,
    "cart_has_code": _refuse_cart_has_code,
    "needs_details": _refuse_needs_details,
}
RAISED = {"promotions:user_limit": _refuse_user_limit, "promotions:quota": _refuse_quota}


def _redeem_in_one_call(*, cart, user, raw_code: str, site, with_details: bool) -> Redemption:
    """PostgreSQL: the checks and writes in one call of ``promotions_redeem`` (migration 0011).

    Outside a transaction the call is its own; inside one, a savepoint keeps a refusal from ending it.
    """
    text, now = _checked_input(user=user, raw_code=raw_code), timezone.now()
    campaigns = sorted(site.campaign_ids) if site is not None else None
    try:
        with transaction.atomic() if connection.in_atomic_block else nullcontext(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT outcome, redemption_id, starts_at, code_id, campaign_id"
                " FROM promotions_redeem(%s, %s, %s, %s::bigint[], %s, %s)",
                [text, user.pk, cart.pk, campaigns, now, with_details],
            )
            outcome, redemption_id, starts_at, code_id, campaign_id = cursor.fetchone()
    except IntegrityError:  # the same cart redeemed at the same moment elsewhere (one active code per cart)
        _refuse_cart_has_code()
    except DatabaseError as exc:
        reason = getattr(getattr(exc.__cause__, "diag", None), "message_primary", "") or ""
        if reason.startswith("promotions:used:"):
            _refuse_used(int(reason.rsplit(":", 1)[1]))
        if reason not in RAISED:
            raise
        RAISED[reason]()
    if outcome == "not_yet_valid":
        _refuse_not_yet_valid(starts_at)
    if outcome != "redeemed":
        ANSWERS[outcome]()
    # The row as written; its code, campaign and format load when a caller reads them.
    return Redemption(
        pk=redemption_id, code_id=code_id, campaign_id=campaign_id, user=user, cart=cart,
        status=Redemption.Status.ACTIVE, created_at=now,
    )  # fmt: skip


@transaction.atomic
def redemption_release(*, redemption: Redemption, reason: str) -> bool:
    """Give a redemption's use back to its code, campaign and customer, once; return whether it was active."""
    released = Redemption.objects.filter(pk=redemption.pk, status=Redemption.Status.ACTIVE).update(
        status=Redemption.Status.RELEASED, released_at=timezone.now(), release_reason=reason[:120]
    )
    if not released:
        return False
    RedemptionDetail.objects.filter(redemption_id=redemption.pk).delete()  # used for this code only (STX-8)
    _give_back_household(redemption)
    Code.objects.filter(pk=redemption.code_id, used__gt=0).update(used=F("used") - 1)
    Campaign.objects.filter(pk=redemption.campaign_id, redeemed__gt=0).update(redeemed=F("redeemed") - 1)
    if redemption.user_id:
        CampaignUse.objects.filter(campaign_id=redemption.campaign_id, user_id=redemption.user_id, count__gt=0).update(
            count=F("count") - 1
        )
    return True


def redemption_attach(*, cart, order) -> int:
    """Link the cart's active code to the order placed from it, so that cancelling the order gives it back."""
    return Redemption.objects.filter(cart=cart, status=Redemption.Status.ACTIVE).update(order=order)


def redemptions_settle(*, order) -> int:
    """Tie the code of a paid order to it for good and free its cart (which is reused) for the next order."""
    mine = Q(order=order)
    if order.cart_id:
        mine |= Q(cart_id=order.cart_id, order__isnull=True)
    return Redemption.objects.filter(mine, status=Redemption.Status.ACTIVE).update(order=order, cart=None)


REMINDER_BATCH = 500


@transaction.atomic
def code_reminders_send_due() -> int:
    """Mark the codes due for an expiry reminder (STX-7) and queue one e-mail each after commit; return how many.

    Rows are claimed under ``skip_locked`` locks on PostgreSQL, so two runs at once never remind twice.
    """
    from promotions.tasks import send_code_reminder

    now = timezone.now()
    ids = list(
        redemptions_expiring(now=now)
        .select_for_update(skip_locked=True, of=("self",))
        .order_by("pk")
        .values_list("pk", flat=True)[:REMINDER_BATCH]
    )
    Redemption.objects.filter(pk__in=ids).update(reminded_at=now)
    enqueue_many(send_code_reminder, [[pk] for pk in ids])
    return len(ids)


def code_reminder_deliver(*, redemption_id: int) -> bool:
    """Send the reminder of a code about to expire, in its owner's language; False when it was used or removed."""
    from django.urls import reverse

    from orders.services.reminders import service_message_send
    from photoshop.emails import absolute_url

    redemption = (
        Redemption.objects.select_related("user", "code", "campaign__sponsor", "campaign__format__product")
        .filter(pk=redemption_id, status=Redemption.Status.ACTIVE, order__isnull=True, user__isnull=False)
        .first()
    )
    if redemption is None:
        return False
    service_message_send(
        user=redemption.user,
        template="promotions/email/code_expiring",
        context=lambda: {
            "redemption": redemption,
            "campaign": redemption.campaign,
            "cart_url": absolute_url(reverse("orders:cart")),
        },
    )
    return True


# ---------------------------------------------------------------- fair use (STX-9)


def household_digest(kind: str, value: str) -> str:
    """Return the keyed hash (HMAC-SHA256) of a delivery address or phone number, as normalised text."""
    return salted_hmac(f"promotions.fair-use.{kind}", value, algorithm="sha256").hexdigest()


def _address_text(delivery) -> str:
    """One address however it is typed: case, spaces and punctuation do not count."""

    def squeeze(text: str) -> str:
        return re.sub(r"[\W_]+", "", (text or "").casefold())

    return "|".join(
        (str(delivery.ship_country).upper(), squeeze(delivery.ship_postal_code), squeeze(delivery.ship_street),
         squeeze(delivery.ship_line2))
    )  # fmt: skip


def _phone_text(delivery) -> str:
    import phonenumbers

    raw = str(delivery.ship_phone or "").strip()
    if not raw:
        return ""
    try:
        number = phonenumbers.parse(raw, str(delivery.ship_country).upper() or None)
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    except phonenumbers.NumberParseException:
        return re.sub(r"\D", "", raw)


def _claim_household(campaign: Campaign, kind: str, digest: str, limit: int | None, now) -> bool:
    use, _created = HouseholdUse.objects.get_or_create(
        campaign=campaign, kind=kind, digest=digest, defaults={"last_used_at": now}
    )
    claimed = HouseholdUse.objects.filter(pk=use.pk)
    if limit is not None:
        claimed = claimed.filter(count__lt=limit)
    return bool(claimed.update(count=F("count") + 1, last_used_at=now))


def _unclaim_household(campaign_id: int, kind: str, digest: str) -> None:
    if digest:
        HouseholdUse.objects.filter(campaign_id=campaign_id, kind=kind, digest=digest, count__gt=0).update(
            count=F("count") - 1
        )


def _give_back_household(redemption: Redemption) -> None:
    _unclaim_household(redemption.campaign_id, HouseholdUse.Kind.ADDRESS, redemption.address_digest)
    _unclaim_household(redemption.campaign_id, HouseholdUse.Kind.PHONE, redemption.phone_digest)
    Redemption.objects.filter(pk=redemption.pk).update(address_digest="", phone_digest="", device_digest="")


@transaction.atomic
def redemption_claim_delivery(*, cart, delivery, device: str = "") -> str:
    """Count the order's delivery address and phone against the limits of the cart's code (STX-9).

    Call it in the checkout's transaction, before the order is placed: a limit
    reached raises ``RedemptionError`` (the checkout shows it and nothing is
    placed). Each limit is one conditional UPDATE, so parallel checkouts to
    one address never exceed it; a checkout submitted again counts once.
    Return why the order should wait for staff review ("" when it need not):
    many different accounts using the campaign's codes for one address, or
    from one device (``device``: the browser's fair-use identifier,
    ``promotions.device``; kept as a keyed hash only).
    """
    redemption = (
        Redemption.objects.select_for_update(of=("self",))
        .select_related("campaign")
        .filter(cart=cart, status=Redemption.Status.ACTIVE)
        .first()
    )
    if redemption is None:
        return ""
    campaign, now = redemption.campaign, timezone.now()
    address = household_digest(HouseholdUse.Kind.ADDRESS, _address_text(delivery))
    phone_text = _phone_text(delivery)
    phone = household_digest(HouseholdUse.Kind.PHONE, phone_text) if phone_text else ""
    if redemption.address_digest != address:
        _unclaim_household(campaign.pk, HouseholdUse.Kind.ADDRESS, redemption.address_digest)
        if not _claim_household(campaign, HouseholdUse.Kind.ADDRESS, address, campaign.per_address_limit, now):
            _refuse(
                _("This sponsor's free products can go to one address %(count)s times, and this address has had them.")
                % {"count": campaign.per_address_limit},
                "address_limit",
            )
    if redemption.phone_digest != phone:
        _unclaim_household(campaign.pk, HouseholdUse.Kind.PHONE, redemption.phone_digest)
        if phone and not _claim_household(campaign, HouseholdUse.Kind.PHONE, phone, campaign.per_phone_limit, now):
            _refuse(
                _(
                    "This sponsor's free products can go with one phone number %(count)s times,"
                    " and this one has had them."
                )
                % {"count": campaign.per_phone_limit},
                "phone_limit",
            )
    device_digest = household_digest("device", device) if device else ""
    Redemption.objects.filter(pk=redemption.pk).update(
        address_digest=address, phone_digest=phone, device_digest=device_digest
    )
    if not campaign.review_after_accounts:
        return ""
    for field, digest, where in (
        ("address_digest", address, "for one delivery address"),
        ("device_digest", device_digest, "from one device"),
    ):
        if not digest:
            continue
        accounts = (
            Redemption.objects.filter(campaign=campaign, status=Redemption.Status.ACTIVE, **{field: digest})
            .exclude(user=None)
            .values("user")
            .distinct()
            .count()
        )
        if accounts >= campaign.review_after_accounts:
            return f"fair use: {accounts} accounts used codes of campaign {campaign.pk} {where}"
    return ""


# ---------------------------------------------------------------- sponsor adverts (STX-12)


def _age(birth_date: datetime.date | None, today: datetime.date) -> int | None:
    if birth_date is None:
        return None
    return today.year - birth_date.year - ((today.month, today.day) < (birth_date.month, birth_date.day))


def _matched(campaign: Campaign, inputs: dict) -> int | None:
    """How many of the campaign's targets the inputs meet, or None when one is not met."""
    targets = campaign.targets
    age = inputs.get("age")
    checks = {
        "language": lambda: inputs.get("language") == targets["language"],
        "age_min": lambda: age is not None and age >= targets["age_min"],
        "age_max": lambda: age is not None and age <= targets["age_max"],
        "region": lambda: region_within(inputs.get("region") or "", targets["region"]),
        "gender": lambda: inputs.get("gender") == targets["gender"],
    }
    if not all(checks[key]() for key in targets):
        return None
    return len(targets)


def _untargeted(candidates: list[Campaign]) -> Campaign:
    """An advert chosen by no one's data: one meant for everyone, else the campaign ending first."""
    return next((c for c in candidates if not c.targets), candidates[0])


def advert_choose(*, order) -> AdvertDecision | None:
    """Choose the sponsor's advert for a paid order's free products and log the decision with its inputs.

    Only orders with a code get one. The sponsor whose code made the product
    free has its own advert printed when it has one (no profiling). Otherwise
    the running campaigns with an advert for the same product compete: the
    one whose targets (language, age, region, gender) the customer meets
    best, unless the customer objected to profiling, restricted processing,
    ordered as a guest, or the preset promises no profiling (MYS-4); then an
    advert is chosen by no target and no personal data is used.
    """
    from privacy.schedule import profiling_permitted

    redemption = (
        Redemption.objects.select_related("campaign")
        .filter(order=order, status=Redemption.Status.ACTIVE)
        .order_by("pk")
        .first()
    )
    if redemption is None or AdvertDecision.objects.filter(order=order).exists():
        return None
    own, now = redemption.campaign, timezone.now()
    user = order.user
    decision = AdvertDecision(order=order, user=user)
    if own.advert and own.advert_placement:
        decision.campaign, decision.reason, decision.candidates = own, AdvertDecision.Reason.OWN_SPONSOR, [own.pk]
        decision.save()
        return decision
    candidates = list(
        Campaign.objects.filter(is_active=True, starts_at__lte=now, ends_at__gt=now, format_id=own.format_id)
        .exclude(advert="")
        .exclude(advert_placement="")
        .order_by("ends_at", "pk")
    )
    if not candidates:
        return None
    decision.candidates = [c.pk for c in candidates]
    if not profiling_permitted():
        decision.reason = AdvertDecision.Reason.NO_PROFILING
    elif user is None:
        decision.reason = AdvertDecision.Reason.GUEST
    elif user.profiling_objected_at is not None:
        decision.reason = AdvertDecision.Reason.OBJECTED
    elif user.processing_restricted_at is not None:
        decision.reason = AdvertDecision.Reason.RESTRICTED
    if decision.reason:
        decision.campaign = _untargeted(candidates)
        decision.save()
        return decision
    inputs = {
        "language": order.language or user.language,
        "age": _age(user.birth_date, timezone.localdate(now)),
        "region": region_of(order.ship_country, order.ship_postal_code),
        "gender": user.gender,
    }
    scored = [(score, c) for c in candidates if (score := _matched(c, inputs)) is not None]
    best = max(scored, key=lambda pair: pair[0], default=None)  # ties: the campaign ending first
    if best is None or best[0] == 0:
        decision.campaign, decision.reason = _untargeted(candidates), AdvertDecision.Reason.NO_MATCH
    else:
        decision.campaign, decision.reason, decision.targeted = best[1], AdvertDecision.Reason.MATCHED, True
    # Only what the decision used is kept with it.
    used = set().union(*(c.targets for c in candidates))
    wanted = {"language": "language", "age_min": "age", "age_max": "age", "region": "region", "gender": "gender"}
    decision.inputs = {wanted[key]: inputs[wanted[key]] for key in used}
    decision.save()
    return decision
