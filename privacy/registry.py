"""The registry of personal data: what the platform holds, why, and how it ends.

Each app declares its personal data in ``<app>/privacy.py`` with ``register()``;
third-party models (allauth, admin log) are declared in ``privacy/privacy.py``.
Nothing is stored in the database: the registry, together with the active
retention schedule, is the single source for the sweep, the system check and
the public privacy policy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import Expression, F, Q, Value
from django.db.models.functions import Cast, Coalesce, Concat, TruncYear
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
    - ``scopes``: named row sets a rule can ask for (e.g. ``microsite``).
    """

    model: str
    category: Category
    purpose: str
    legal_basis: LegalBasis
    fields: tuple[Anonymise, ...]
    triggers: dict[str, Any]
    examples: str = ""
    subject: str | None = ""
    subject_hint: str = ""
    anonymise_by_deleting: bool = False
    files: tuple[str, ...] = ()
    scope: Q | None = None
    scopes: dict[str, Q] = field(default_factory=dict)
    # Fields set when a row is anonymised / restricted / archived (idempotency markers).
    anonymised_marker: str | None = None
    restricted_marker: str | None = None
    archived_marker: str | None = None
    # Extra values written with an anonymisation (e.g. deactivate the account).
    anonymise_also: dict[str, Any] = field(default_factory=dict)
    # Rows never touched by the sweep (e.g. staff accounts are handled by hand).
    exclude: Q | None = None

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
        self._extra_triggers: list[tuple[str, Category, str, Any]] = []
        self._not_personal: dict[str, str] = {}

    def register(self, entry: PersonalData) -> PersonalData:
        key = (entry.label, entry.category)
        if any((e.label, e.category) == key for e in self._entries):
            raise ValueError(f"{entry.model} is already registered in category {entry.category}")
        self._entries.append(entry)
        return entry

    def add_trigger(self, model: str, category: Category, name: str, expression: Any) -> None:
        """Let another app supply a trigger for a model it does not own (e.g. last_order for users)."""
        self._extra_triggers.append((model.lower(), category, name, expression))

    def not_personal(self, model: str, reason: str) -> None:
        """Declare that a model holds no personal data, with the reason (read by the system check)."""
        self._not_personal[model.lower()] = reason

    def entries(self) -> list[PersonalData]:
        result = []
        for entry in self._entries:
            extra = {n: e for (m, c, n, e) in self._extra_triggers if m == entry.label and c == entry.category}
            result.append(entry if not extra else _with_triggers(entry, extra))
        return result

    def for_category(self, category: str) -> list[PersonalData]:
        return [e for e in self.entries() if e.category == category]

    def for_model(self, label: str) -> list[PersonalData]:
        return [e for e in self.entries() if e.label == label.lower()]

    def is_not_personal(self, label: str) -> bool:
        return label.lower() in self._not_personal

    def categories_with_data(self) -> set[str]:
        return {e.category for e in self._entries}


def user_triggers(prefix: str = "") -> dict[str, Any]:
    """Return the triggers of account data, read from the user row at ``prefix`` (e.g. ``"user__"``).

    A user who never came back counts from the sign-up.
    """
    return {
        "last_activity": lambda: Coalesce(F(f"{prefix}last_activity"), F(f"{prefix}date_joined")),
        "account_closed": F(f"{prefix}closed_at"),
    }


def _with_triggers(entry: PersonalData, extra: dict[str, Any]) -> PersonalData:
    from dataclasses import replace

    return replace(entry, triggers={**entry.triggers, **extra})


registry = Registry()
register = registry.register
