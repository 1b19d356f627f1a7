"""System checks: every personal field is declared, and every category has a retention rule."""

from __future__ import annotations

import re

from django.apps import apps
from django.conf import settings
from django.core import checks
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db import models
from phonenumber_field.modelfields import PhoneNumberField

PERSONAL_TYPES = (models.EmailField, models.GenericIPAddressField, models.FileField, PhoneNumberField)
PERSONAL_NAME = re.compile(
    r"(^|_)(e?mail|phone|mobile|name|first_name|last_name|full_name|address|street|postal_code|zip|city"
    r"|ip|ip_address|birth|birth_date|dob|gps|location|latitude|longitude|uid|token)($|_)"
)


def looks_personal(field: models.Field) -> bool:
    """Whether a concrete field looks like it holds personal data."""
    if isinstance(field, PERSONAL_TYPES):
        return True
    if field.is_relation or field.primary_key:
        return False
    return bool(PERSONAL_NAME.search(field.name))


def _links_to_a_person(model: type[models.Model]) -> bool:
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    return any(f.is_relation and f.many_to_one and f.related_model is user_model for f in model._meta.fields)


def _not_declared(model: type[models.Model]) -> checks.CheckMessage:
    suspects = [f.name for f in model._meta.concrete_fields if looks_personal(f)]
    what = f" (fields {', '.join(suspects)} look personal)" if suspects else ""
    if not suspects and _links_to_a_person(model):
        what = " (it links to a user)"
    return checks.Error(
        f"{model._meta.label} is neither declared as personal data nor as holding none{what}.",
        hint="Every model is classified, as Zulip's export does with every table: declare it with "
        "privacy.registry.register() in its app's privacy.py, or registry.not_personal() with the reason.",
        obj=model,
        id="privacy.E001",
    )


@checks.register("privacy")
def check_registry(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Every model, many-to-many tables included, is declared personal or not; declarations match the fields."""
    from privacy.registry import registry

    errors: list[checks.CheckMessage] = []
    models_by_label = {m._meta.label_lower: m for m in apps.get_models(include_auto_created=True)}
    for label in sorted(set(registry.declared_not_personal()) - set(models_by_label)):
        errors.append(
            checks.Error(
                f"{label} is declared as holding no personal data but no such model exists.", id="privacy.E002"
            )
        )
    for model_label, category, name in registry.unextended():
        errors.append(
            checks.Error(
                f"A trigger or scope {name!r} was added to {model_label} in category {category}, "
                f"which is not declared there.",
                id="privacy.E002",
            )
        )
    for model in models_by_label.values():
        label = model._meta.label
        entries = registry.for_model(label)
        if not entries:
            if not registry.is_not_personal(label):
                errors.append(_not_declared(model))
            continue
        declared = set().union(*(e.field_names() | set(e.not_personal_fields) for e in entries))
        for name in sorted(declared):
            try:
                model._meta.get_field(name)
            except FieldDoesNotExist:
                errors.append(
                    checks.Error(
                        f"{label}.{name} is declared as personal data but the field does not exist.",
                        hint="Update the declaration in the app's privacy.py.",
                        obj=model,
                        id="privacy.E002",
                    )
                )
        for field in model._meta.concrete_fields:
            if looks_personal(field) and field.name not in declared:
                errors.append(
                    checks.Error(
                        f"{label}.{field.name} looks like personal data but is not declared.",
                        hint="Add it to the model's declaration with how it is anonymised.",
                        obj=model,
                        id="privacy.E001",
                    )
                )
    return errors


@checks.register("privacy")
def check_schedule(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    from privacy.registry import registry
    from privacy.schedule import effective_schedule

    try:
        rules = effective_schedule()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="privacy.E004")]
    messages: list[checks.CheckMessage] = []
    # ALB-1: data goes once no longer needed, so a rule must reach every declaration.
    from privacy.sweep import applicable

    for entry in registry.entries():
        if not any(rule.category == entry.category and applicable(rule, entry) for rule in rules):
            messages.append(
                checks.Error(
                    f"Personal data of {entry.model} (category {str(entry.category)!r}) is held but no retention "
                    f"rule of the active schedule reaches it (ALB-1).",
                    hint="Add a rule with PRIVACY_RETENTION_EXTRA_RULES or choose another preset.",
                    id="privacy.E003",
                )
            )
    return messages


def waiting_rules() -> list[str]:
    """Return the ids of rules of the active schedule that reach no registered data yet."""
    from privacy.schedule import effective_schedule

    return [rule.id for rule in effective_schedule() if not rule_has_data(rule)]


@checks.register("privacy", deploy=True)
def check_rules_waiting(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Warn, where an operator looks (``check --deploy``, the sweep-run admin), of rules with no data yet.

    Not on every management command: it is expected while apps are missing.
    """
    try:
        waiting = waiting_rules()
    except ImproperlyConfigured:
        return []  # check_schedule reports it
    if not waiting:
        return []
    return [
        checks.Warning(
            f"Retention rules with no registered data yet: {', '.join(waiting)}.",
            hint="Each takes effect once an app registers data of its category with its trigger "
            "(manage.py privacy_schedule lists them).",
            id="privacy.W001",
        )
    ]


def rule_has_data(rule) -> bool:
    """Whether any registered model is reached by the rule."""
    from privacy.registry import registry
    from privacy.sweep import applicable

    return any(applicable(rule, entry) for entry in registry.for_category(rule.category))
