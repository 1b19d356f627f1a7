"""The registry of personal data: what the platform holds, why, and how it ends.

Each app declares its personal data in ``<app>/privacy.py`` with ``register()``;
third-party models (allauth, admin log) are declared in ``privacy/privacy.py``.
Nothing is stored in the database: the registry, together with the active
retention schedule, is the single source for the sweep, the system check and
the public privacy policy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import Expression, F, Q, Value
from django.db.models.functions import Cast, Concat, TruncYear
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    """Categories of personal data, after the policies (SMP-1..8, STX-2/3/5, PIX-1/4/9)."""

    VISITOR = "visitor", _("Visitor data without an account")
    ACCOUNT = "account", _("Account data")
    ORDER = "order", _("Order and delivery data")
    COMMUNICATION = "communication", _("Newsletter and communication data")
    IMAGE = "image", _("Images")
    COOKIE_CONSENT = "cookie_consent", _("Cookie consent records")
    MICROSITE_ORDER = "microsite_order", _("Orders placed through a sponsor's microsite")
    PHONE_VERIFICATION = "phone_verification", _("Phone number kept for verification after account deletion")
    INVOICE = "invoice", _("Invoices under tax retention")
    CONTACT = "contact", _("Contact form messages")
    PRIVACY_REQUEST = "privacy_request", _("Privacy requests")
    ACCESS_LOG = "access_log", _("Access logs")


class Trigger(models.TextChoices):
    """The moments retention counts from; every declared trigger is one of these."""

    LAST_ACTIVITY = "last_activity", _("your last activity")
    ORDER_DATE = "order_date", _("the order date")
    ORDER_COMPLETED = "order_completed", _("the order is completed")
    LAST_ORDER = "last_order", _("your last order")
    UPLOAD_OR_LAST_ORDER = "upload_or_last_order", _("the upload or your last order, whichever is later")
    ACCOUNT_CLOSED = "account_closed", _("your account is closed")
    LAST_COMMUNICATION = "last_communication", _("the last communication")
    UNSUBSCRIBED = "unsubscribed", _("you unsubscribe")
    UPLOAD_DATE = "upload_date", _("the upload")
    SESSION_END = "session_end", _("the end of your visit")
    CONSENT_GIVEN = "consent_given", _("your cookie choice")
    TICKET_RESOLVED = "ticket_resolved", _("your question is resolved")
    REQUEST_CLOSED = "request_closed", _("your request is handled")
    RECORDED = "recorded", _("the moment it was recorded")


class LegalBasis(models.TextChoices):
    """GDPR article 6(1) bases."""

    CONSENT = "consent", _("Your consent (GDPR art. 6(1)(a))")
    CONTRACT = "contract", _("Performance of our contract with you (GDPR art. 6(1)(b))")
    LEGAL_OBLIGATION = "legal_obligation", _("A legal obligation, such as tax law (GDPR art. 6(1)(c))")
    LEGITIMATE_INTEREST = "legitimate_interest", _("Our legitimate interest (GDPR art. 6(1)(f))")


class Strategy(models.TextChoices):
    """How one field is made anonymous."""

    BLANK = "blank", _("emptied")
    NULL = "null", _("removed")
    PLACEHOLDER = "placeholder", _("replaced by a fixed placeholder")
    UNIQUE_PLACEHOLDER = "unique_placeholder", _("replaced by a unique, non-identifying placeholder")
    GENERALISE_YEAR = "generalise_year", _("generalised to the year")
    DROP = "drop", _("dropped (stored file deleted)")


@dataclass(frozen=True)
class Anonymise:
    """One personal field and how it is anonymised.

    ``value`` is the placeholder for PLACEHOLDER, and for UNIQUE_PLACEHOLDER a
    template in which ``{pk}`` stands for the row's primary key.
    """

    name: str
    how: Strategy
    value: Any = None

    def expression(self) -> Expression | Any:
        """Return the SQL value that replaces the field, computed per row by the database."""
        if self.how in (Strategy.BLANK, Strategy.DROP):
            return ""
        if self.how == Strategy.NULL:
            return None
        if self.how == Strategy.PLACEHOLDER:
            return self.value
        if self.how == Strategy.GENERALISE_YEAR:
            return TruncYear(self.name)
        if self.how == Strategy.UNIQUE_PLACEHOLDER:
            before, _sep, after = str(self.value).partition("{pk}")
            return Concat(Value(before), Cast("pk", models.CharField()), Value(after), output_field=models.CharField())
        raise ValueError(f"unknown anonymisation strategy {self.how!r}")


@dataclass(frozen=True)
class Scope:
    """A named set of a model's rows that a rule can address, with its wording on the policy page.

    ``wording`` completes "Images ...:", e.g. "that are part of an ordered product".
    ``needs_rule``: the rows have no account whose clock the general rules
    count from (a visitor's uploads), so only a rule naming this scope ends
    them; where the chosen policy has none, the platform's default fills in.
    """

    condition: Q
    wording: str
    needs_rule: bool = False


@dataclass(frozen=True)
class PersonalData:
    """The declaration of one model's personal data.

    - ``category``: the data category the retention rules address.
    - ``subject``: the lookup from the model to the data subject's user
      (``""`` for the user itself, ``"user"`` for a foreign key), or None when
      the subject is someone without an account (reached by ``subject_hint``).
    - ``fields``: every personal field with its anonymisation.
    - ``triggers``: trigger name -> expression giving the moment retention
      counts from, per row; rules whose trigger is missing here skip the model.
    - ``anonymise_by_deleting``: anonymising such a row means deleting it
      (a row that is nothing but personal data).
    - ``files``: file fields whose stored objects go with the row.
    - ``scope``: a filter that limits the declaration to some rows.
    - ``scopes``: named row sets a rule can ask for (e.g. ``microsite``),
      each a ``Scope`` with its wording for the policy page.
    - ``objection``: rows that record an objection (an opt-out of messages
      sent by default). Retention never deletes or anonymises them while the
      person's account lives, since the default would come back with the
      next message; they go with the account (closure, anonymisation, erasure).
    """

    model: str
    category: Category
    purpose: str
    legal_basis: LegalBasis
    fields: tuple[Anonymise, ...]
    triggers: dict[str, Any]
    examples: str = ""
    # The purpose in the third person, for the records of processing (art. 30); ``purpose`` speaks to the customer.
    record_purpose: str = ""
    subject: str | None = ""
    subject_hint: str = ""
    anonymise_by_deleting: bool = False
    files: tuple[str, ...] = ()
    scope: Q | None = None
    scopes: dict[str, Scope] = field(default_factory=dict)
    objection: Q | None = None
    # Fields set when a row is anonymised / restricted / archived (idempotency markers).
    anonymised_marker: str | None = None
    restricted_marker: str | None = None
    archived_marker: str | None = None
    # Extra values written with an anonymisation (e.g. deactivate the account).
    anonymise_also: dict[str, Any] = field(default_factory=dict)
    # Rows never touched by the sweep (e.g. staff accounts are handled by hand).
    exclude: Q | None = None
    # Fields whose names look personal but hold none, with the reason (e.g. a product name as sold).
    not_personal_fields: dict[str, str] = field(default_factory=dict)
    # Writes the audit rows of a change, in its transaction and before it:
    # ``audit(rows=QuerySet, action=str, rule_id=str, at=datetime)`` (accounts: AccountEvent).
    audit: Callable[..., Any] | None = None
    # What a legal hold keeps of an erased person's records is the minimum the law needs:
    # ``held_minimum(rows=QuerySet)`` gets the person's rows an erasure kept under a hold and
    # removes the rest of their data, in the erasure's transaction (files after its commit).
    held_minimum: Callable[..., Any] | None = None

    @property
    def label(self) -> str:
        return self.model.lower()

    def get_model(self) -> type[models.Model]:
        return apps.get_model(self.model)

    def field_names(self) -> set[str]:
        return {f.name for f in self.fields} | set(self.files)

    def trigger(self, name: str) -> Expression | None:
        expr = self.triggers.get(name)
        if callable(expr) and not isinstance(expr, (Expression, F)):
            expr = expr()
        return expr

    def base_queryset(self) -> models.QuerySet:
        qs = self.get_model()._base_manager.all()
        if self.scope is not None:
            qs = qs.filter(self.scope)
        if self.exclude is not None:
            qs = qs.exclude(self.exclude)
        return qs

    def anonymise_values(self) -> dict[str, Any]:
        return {f.name: f.expression() for f in self.fields} | dict(self.anonymise_also)


class Registry:
    """All declarations, keyed by model label; a model may appear once per category."""

    def __init__(self) -> None:
        self._entries: list[PersonalData] = []
        self._extensions: list[tuple[str, Category, str, str, Any]] = []
        self._not_personal: dict[str, str] = {}

    def register(self, entry: PersonalData) -> PersonalData:
        """Add a declaration; unknown trigger names and scopes without wording are refused."""
        key = (entry.label, entry.category)
        if any((e.label, e.category) == key for e in self._entries):
            raise ValueError(f"{entry.model} is already registered in category {entry.category}")
        for name in entry.triggers:
            _check_trigger(entry.model, name)
        for name, scope in entry.scopes.items():
            _check_scope(entry.model, name, scope)
        self._entries.append(entry)
        return entry

    def add_trigger(self, model: str, category: Category, name: str, expression: Any) -> None:
        """Let another app supply a trigger for a model it does not own (e.g. last_order for users).

        Applied when the declarations are read, so the owning app may register later.
        """
        _check_trigger(model, name)
        self._extensions.append((model.lower(), Category(category), "triggers", name, expression))

    def add_scope(self, model: str, category: Category, name: str, condition: Q, wording: str) -> None:
        """Let another app declare a row set of a model it does not own (e.g. photos of an order).

        ``wording`` is how the policy page names the rows: it completes
        "Images ...:" (e.g. "that are part of an ordered product").
        """
        scope = Scope(condition, wording)
        _check_scope(model, name, scope)
        self._extensions.append((model.lower(), Category(category), "scopes", name, scope))

    def not_personal(self, model: str, reason: str) -> None:
        """Declare that a model holds no personal data, with the reason (read by the system check)."""
        self._not_personal[model.lower()] = reason

    def entries(self) -> list[PersonalData]:
        """Return every declaration with the triggers and scopes other apps added to it."""
        result = []
        for entry in self._entries:
            extra: dict[str, dict[str, Any]] = {"triggers": {}, "scopes": {}}
            for model, category, kind, name, value in self._extensions:
                if (model, category) == (entry.label, entry.category):
                    extra[kind][name] = value
            if extra["triggers"] or extra["scopes"]:
                entry = replace(
                    entry,
                    triggers={**entry.triggers, **extra["triggers"]},
                    scopes={**entry.scopes, **extra["scopes"]},
                )
            result.append(entry)
        return result

    def unextended(self) -> list[tuple[str, str, str]]:
        """Return (model, category, name) of added triggers and scopes whose declaration does not exist."""
        known = {(e.label, e.category) for e in self._entries}
        return [(m, str(c), n) for m, c, _kind, n, _v in self._extensions if (m, c) not in known]

    def scope_wording(self, name: str) -> str | None:
        """Return how the policy page words a scope, as declared with it (None if undeclared)."""
        for entry in self.entries():
            if name in entry.scopes:
                return entry.scopes[name].wording
        return None

    def declared_not_personal(self) -> dict[str, str]:
        """Return the models declared to hold no personal data, with the reason."""
        return dict(self._not_personal)

    def for_category(self, category: str) -> list[PersonalData]:
        return [e for e in self.entries() if e.category == category]

    def for_model(self, label: str) -> list[PersonalData]:
        return [e for e in self.entries() if e.label == label.lower()]

    def is_not_personal(self, label: str) -> bool:
        return label.lower() in self._not_personal

    def categories_with_data(self) -> set[str]:
        return {e.category for e in self._entries}


def _check_trigger(model: str, name: str) -> None:
    if name not in Trigger.values:
        raise ValueError(f"{model}: unknown trigger {name!r}; use one of {', '.join(Trigger.values)}")


def _check_scope(model: str, name: str, scope: Any) -> None:
    if not isinstance(scope, Scope) or not isinstance(scope.condition, Q) or not str(scope.wording).strip():
        raise ValueError(f"{model}: scope {name!r} needs a Scope(condition, wording) with the policy page's wording")


registry = Registry()
register = registry.register
