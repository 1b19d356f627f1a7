"""Personal data of the orders app, declared for the privacy engine.

Orders (STX-1:orders, SMP-3, MYS-1:orders, PIX-1), invoices under tax law
(PIX-1, a legal hold: an erasure restricts them), the print files an order
owns (SMP-5), carts and the multi-photo products customers compose (ALB-5).
This module also gives the photos app and the accounts app the clocks that
need orders: a photo's last order (MYS-1:images, SMP-6) and the ordered
photos' scope (SMP-5, ALB-2).
"""

from django.db.models import DateTimeField, F, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils.translation import gettext_lazy as _

from accounts.privacy import user_triggers
from privacy.registry import Anonymise, Category, LegalBasis, PersonalData, Scope, Strategy, register, registry

S = Strategy

# Orders that still need their photos: paid and not yet shipped (ALB-2).
OPEN_STATUSES = ("placed", "paid", "in_production")


def _last_order_of(user_ref: str):
    """Return the newest order date of the user at ``user_ref`` (an OuterRef path), or NULL."""
    from orders.models import Order

    return Subquery(
        Order.objects.filter(user=OuterRef(user_ref))
        .order_by()
        .values("user")
        .annotate(last=Max("placed_at"))
        .values("last")[:1],
        output_field=DateTimeField(),
    )


def _order_last_order():
    # A guest's order is its own last order; an account's orders count from its newest (MYS-1, SMP-3).
    return Coalesce(_last_order_of("user"), F("placed_at"))


def _order_last_activity():
    # STX-1:orders: the account's last activity; a guest order counts from its own date.
    return Coalesce(F("user__last_activity"), F("user__date_joined"), F("placed_at"))


ORDER_TRIGGERS = {
    "last_activity": _order_last_activity,
    "account_closed": F("user__closed_at"),
    "last_order": _order_last_order,
    "order_date": F("placed_at"),
    "order_completed": F("completed_at"),
}


def _via_order(prefix: str) -> dict:
    """Return the order clocks for a row linked to its order at ``prefix`` (e.g. ``"order__"``)."""
    return {
        "last_activity": lambda: Coalesce(
            F(f"{prefix}user__last_activity"), F(f"{prefix}user__date_joined"), F(f"{prefix}placed_at")
        ),
        "account_closed": F(f"{prefix}user__closed_at"),
        "last_order": lambda: Coalesce(_last_order_of(f"{prefix}user"), F(f"{prefix}placed_at")),
        "order_date": F(f"{prefix}placed_at"),
        "order_completed": F(f"{prefix}completed_at"),
    }


register(
    PersonalData(
        model="orders.Order",
        category=Category.ORDER,
        purpose=_("Delivering your order, answering your questions about it and handling returns."),
        record_purpose=_("Delivering the customer's orders, answering questions about them and handling returns."),
        legal_basis=LegalBasis.CONTRACT,
        examples=_("e-mail address, delivery and billing address, phone, VAT number, what you ordered"),
        subject="user",
        fields=(
            Anonymise("user", S.NULL),
            Anonymise("email", S.UNIQUE_PLACEHOLDER, "order-{pk}@anonymised.invalid"),
            Anonymise("ship_name", S.PLACEHOLDER, "anonymised"),
            Anonymise("ship_company", S.BLANK),
            Anonymise("ship_street", S.BLANK),
            Anonymise("ship_line2", S.BLANK),
            Anonymise("ship_postal_code", S.BLANK),
            Anonymise("ship_city", S.BLANK),
            Anonymise("ship_phone", S.BLANK),
            Anonymise("bill_name", S.BLANK),
            Anonymise("bill_company", S.BLANK),
            Anonymise("bill_vat_number", S.BLANK),
            Anonymise("bill_street", S.BLANK),
            Anonymise("bill_line2", S.BLANK),
            Anonymise("bill_postal_code", S.BLANK),
            Anonymise("bill_city", S.BLANK),
            Anonymise("tracking_number", S.BLANK),
            Anonymise("status_reason", S.BLANK),
        ),
        anonymised_marker="anonymised_at",
        restricted_marker="restricted_at",
        not_personal_fields={"shipping_name": "the shipping method as sold"},
        triggers=ORDER_TRIGGERS,
    )
)

register(
    PersonalData(
        model="orders.OrderLine",
        category=Category.ORDER,
        purpose=_("Delivering your order, answering your questions about it and handling returns."),
        record_purpose=_("Delivering the customer's orders, answering questions about them and handling returns."),
        legal_basis=LegalBasis.CONTRACT,
        examples=_("which photo was printed in which format, and what the print lab reported"),
        subject="order__user",
        fields=(Anonymise("photo", S.NULL), Anonymise("lab_note", S.BLANK)),
        not_personal_fields={
            "product_name": "the product as sold",
            "format_name": "the format as sold",
            "finish_name": "the finish as sold",
        },
        anonymise_by_deleting=True,
        triggers=_via_order("order__"),
        # The lines are the accounting record of an order kept under a hold: they go with the order.
        scope=Q(order__isnull=False),
    )
)

for _model, _examples in (
    ("orders.OrderEvent", _("what happened to your order and when, and who at our company did it")),
    ("orders.OrderDiscount", _("discounts and promotion codes applied to your order")),
    ("orders.Payment", _("your payment's reference at our payment provider and whether it succeeded")),
    ("orders.Refund", _("refunds of your order and their reason")),
):
    register(
        PersonalData(
            model=_model,
            category=Category.ORDER,
            purpose=_("Delivering your order, answering your questions about it and handling returns."),
            record_purpose=_("Delivering the customer's orders, answering questions about them and handling returns."),
            legal_basis=LegalBasis.CONTRACT,
            examples=_examples,
            subject="order__user",
            fields=(),
            anonymise_by_deleting=True,
            triggers=_via_order("order__"),
        )
    )


def _invoice_held_minimum(rows) -> int:
    """Keep of an erased customer's invoices what tax law needs (PIX-1); return how many lost more.

    Number, date, lines, amounts and VAT stay, and for a business customer its
    name, address and VAT number; a consumer's name and address go, and with
    them the stored PDF that shows them (the download renders the invoice
    from what is kept). Never the e-mail address: invoices hold none.
    """
    from django.db import transaction

    from privacy import files
    from privacy.services import ERASURE

    consumer = rows.filter(customer_vat_number="")
    removals = files.record_removals(consumer.exclude(pdf="").values_list("pdf", flat=True), rule_id=ERASURE)
    changed = consumer.update(customer_name="", customer_company="", customer_address="", pdf="")
    transaction.on_commit(lambda: files.remove(removals))
    return changed


register(
    PersonalData(
        model="orders.Invoice",
        category=Category.INVOICE,
        purpose=_("Invoicing your order, as tax law requires us to keep invoices."),
        record_purpose=_("Invoicing the customer's orders and keeping the invoices as tax law requires."),
        legal_basis=LegalBasis.LEGAL_OBLIGATION,
        examples=_("invoice number, your name, address and VAT number, amounts and VAT"),
        subject="user",
        fields=(
            Anonymise("customer_name", S.PLACEHOLDER, "anonymised"),
            Anonymise("customer_company", S.BLANK),
            Anonymise("customer_vat_number", S.BLANK),
            Anonymise("customer_address", S.BLANK),
            Anonymise("user", S.NULL),
        ),
        files=("pdf",),
        anonymise_by_deleting=True,
        restricted_marker="restricted_at",
        held_minimum=lambda rows: _invoice_held_minimum(rows),
        triggers={
            # Counted from the completion of the order; an invoice whose order is gone counts from its issue.
            "order_completed": lambda: Coalesce(F("order__completed_at"), F("issued_at")),
            "order_date": F("issued_at"),
        },
    )
)

register(
    PersonalData(
        model="orders.PrintFile",
        category=Category.IMAGE,
        purpose=_("Printing the photos you order."),
        record_purpose=_("Printing the photos the customer ordered."),
        legal_basis=LegalBasis.CONTRACT,
        examples=_("the print-ready copy of each ordered photo, without location data"),
        subject="line__order__user",
        fields=(Anonymise("file", S.DROP), Anonymise("source_photo", S.NULL)),
        files=("file",),
        anonymise_by_deleting=True,
        triggers={
            **_via_order("line__order__"),
            "upload_date": F("line__order__placed_at"),
            "upload_or_last_order": F("line__order__placed_at"),
        },
        # An order in production keeps its print files (ALB-2); retention applies once it is done.
        exclude=Q(line__order__status__in=OPEN_STATUSES),
        scopes={"ordered": Scope(Q(), _("that are part of an ordered product"))},
    )
)

register(
    PersonalData(
        model="orders.LabExport",
        category=Category.IMAGE,
        purpose=_("Printing the photos you order."),
        record_purpose=_("Sending the print lab the files and job tickets of the orders to produce."),
        legal_basis=LegalBasis.CONTRACT,
        examples=_("the print lab's archive of print files and job tickets with the delivery name"),
        subject=None,
        fields=(Anonymise("archive", S.DROP),),
        files=("archive",),
        anonymise_by_deleting=True,
        triggers={"order_date": F("created_at"), "upload_date": F("created_at"), "recorded": F("created_at")},
        scopes={"ordered": Scope(Q(), _("that are part of an ordered product"))},
    )
)
registry.not_personal("orders.LabExport_orders", "which orders a print-lab export holds (the export is declared)")


def _visitor_cart_end(prefix: str = ""):
    """A visitor's cart ends with the visit: the session's last use, or the cart's own if the session is gone."""
    from accounts.models import Session

    last_use = Session.objects.filter(session_key=OuterRef(f"{prefix}session_key")).values("modified_at")[:1]
    return Greatest(
        Coalesce(Subquery(last_use, output_field=DateTimeField()), F(f"{prefix}updated_at")), F(f"{prefix}updated_at")
    )


for _model, _prefix, _subject in (("orders.Cart", "", "user"), ("orders.CartLine", "cart__", "cart__user")):
    _fields = (Anonymise("session_key", S.BLANK),) if _model == "orders.Cart" else ()
    register(
        PersonalData(
            model=_model,
            category=Category.ORDER,
            purpose=_("Keeping your cart until you order."),
            record_purpose=_("Keeping the customer's cart until the order is placed."),
            legal_basis=LegalBasis.CONTRACT,
            examples=_("the photos, formats and quantities in your cart"),
            subject=_subject,
            fields=_fields,
            anonymise_by_deleting=True,
            triggers={
                **user_triggers(f"{_prefix}user__"),
                "last_order": lambda p=_prefix: Coalesce(_last_order_of(f"{p}user"), F(f"{p}updated_at")),
                "order_date": F(f"{_prefix}updated_at"),
            },
            scope=Q(**{f"{_prefix}user__isnull": False}),
        )
    )
    register(
        PersonalData(
            model=_model,
            category=Category.VISITOR,
            purpose=_("Remembering your visit: language, basket and uploads before you sign in."),
            record_purpose=_("Remembering a visit: language, basket and uploads before signing in."),
            legal_basis=LegalBasis.LEGITIMATE_INTEREST,
            examples=_("the photos, formats and quantities in your cart before you sign in"),
            subject=None,
            subject_hint=_("the visitor's cart in the session"),
            fields=_fields,
            anonymise_by_deleting=True,
            triggers={"session_end": lambda p=_prefix: _visitor_cart_end(p)},
            scope=Q(**{f"{_prefix}user__isnull": True}),
        )
    )

for _model, _subject, _prefix in (
    ("orders.Creation", "user", "user__"),
    ("orders.CreationPage", "creation__user", "creation__user__"),
):
    register(
        PersonalData(
            model=_model,
            category=Category.IMAGE,
            purpose=_("Suggesting a photo book or calendar made from your own best photos, only when you ask for it."),
            record_purpose=_(
                "Composing photo books and calendars from the customer's own photos, suggested only on request."
            ),
            legal_basis=LegalBasis.CONTRACT,
            examples=_("the photo books and calendars you compose or asked us to suggest, and their photos"),
            subject=_subject,
            fields=(Anonymise("title", S.BLANK),) if _model == "orders.Creation" else (),
            anonymise_by_deleting=True,
            triggers={
                **user_triggers(_prefix),
                "upload_date": F("created_at") if _model == "orders.Creation" else F("creation__created_at"),
                "last_order": lambda p=_prefix: Coalesce(_last_order_of(p.removesuffix("__")), F(f"{p}date_joined")),
                "upload_or_last_order": lambda p=_prefix: Coalesce(
                    _last_order_of(p.removesuffix("__")), F(f"{p}date_joined")
                ),
            },
        )
    )

for _model in ("Product", "ProductImage", "Format", "Finish"):
    registry.not_personal(f"orders.{_model}", "the catalogue")
registry.not_personal("orders.VatRate", "VAT rates per product kind and country")
registry.not_personal("orders.ShippingMethod", "shipping methods and prices")
registry.not_personal(
    "orders.LabOrder", "the print lab's view of orders.Order (a proxy: the same rows, declared as orders.Order)"
)
registry.not_personal("orders.InvoiceSequence", "the last invoice number of each year")
registry.not_personal("orders.StripeEvent", "ids and types of Stripe events received; no payload is stored")


# ---- clocks other apps' data counts from


def _photo_last_order():
    """The newest order placed with this photo, else the owner's newest order, else the upload."""
    return Coalesce(_last_order_of("user"), F("uploaded_at"))


def _photo_upload_or_last_order():
    # SMP-6: 2 years from the upload, extended by 2 years at each new order of the customer.
    return Greatest(F("uploaded_at"), Coalesce(_last_order_of("user"), F("uploaded_at")))


registry.add_trigger("photos.Photo", Category.IMAGE, "last_order", _photo_last_order)
registry.add_trigger("photos.Photo", Category.IMAGE, "upload_or_last_order", _photo_upload_or_last_order)


def _account_last_order(subject: str):
    """Return the clock "the customer's last order" for account data reached at ``subject``.

    MYS-1: customer data is erased 3 years after the last order; an account
    that never ordered counts from its last activity (or its sign-up).
    """
    user_ref = subject or "pk"
    prefix = f"{subject}__" if subject else ""
    return lambda: Coalesce(_last_order_of(user_ref), F(f"{prefix}last_activity"), F(f"{prefix}date_joined"))


for _entry in registry.entries():
    if (
        _entry.category in (Category.ACCOUNT, Category.COMMUNICATION)
        and _entry.subject is not None
        and "last_order" not in _entry.triggers
    ):
        registry.add_trigger(_entry.model, _entry.category, "last_order", _account_last_order(_entry.subject))
