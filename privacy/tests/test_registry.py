"""The registry's extension points and its exhaustive classification of every model."""

import pytest
from django.db.models import F, Q

from privacy import checks
from privacy.registry import Anonymise, Category, LegalBasis, PersonalData, Registry, Scope, Strategy, registry
from privacy.schedule import Action, Period, Rule, Trigger
from privacy.sweep import applicable


@pytest.fixture
def isolated(monkeypatch):
    """Let a test add to the registry and leave it as it was."""
    saved = (list(registry._entries), list(registry._extensions), dict(registry._not_personal))
    yield registry
    registry._entries[:], registry._extensions[:] = saved[0], saved[1]
    registry._not_personal.clear()
    registry._not_personal.update(saved[2])


def _declaration(**changes) -> PersonalData:
    fields = {
        "model": "photos.Photo",
        "category": Category.CONTACT,
        "purpose": "test",
        "legal_basis": LegalBasis.CONTRACT,
        "fields": (Anonymise("filename", Strategy.BLANK),),
        "triggers": {"upload_date": F("uploaded_at")},
    }
    return PersonalData(**{**fields, **changes})


def test_another_app_adds_a_scope_with_its_wording_and_rules_reach_it(isolated):
    smp5 = Rule("SMP-5", Category.IMAGE, Trigger.ORDER_DATE, Period(days=60), Action.DELETE, scope="ordered")
    photo = next(e for e in registry.entries() if e.model == "photos.Photo")
    assert not applicable(smp5, photo)

    registry.add_trigger("photos.Photo", Category.IMAGE, "order_date", F("uploaded_at"))
    registry.add_scope(
        "photos.Photo", Category.IMAGE, "ordered", Q(size_bytes__gt=0), "that are part of an ordered product"
    )

    photo = next(e for e in registry.entries() if e.model == "photos.Photo")
    assert applicable(smp5, photo)
    assert registry.scope_wording("ordered") == "that are part of an ordered product"
    assert checks.check_registry() == []


def test_unknown_trigger_names_are_refused():
    with pytest.raises(ValueError, match="unknown trigger 'order_placed'"):
        Registry().register(_declaration(triggers={"order_placed": F("uploaded_at")}))
    with pytest.raises(ValueError, match="unknown trigger"):
        registry.add_trigger("photos.Photo", Category.IMAGE, "paid", F("uploaded_at"))


def test_a_scope_needs_its_wording():
    with pytest.raises(ValueError, match="wording"):
        Registry().register(_declaration(scopes={"ordered": Q(size_bytes__gt=0)}))
    with pytest.raises(ValueError, match="wording"):
        registry.add_scope("photos.Photo", Category.IMAGE, "ordered", Q(size_bytes__gt=0), "")
    Registry().register(_declaration(scopes={"ordered": Scope(Q(size_bytes__gt=0), "that were ordered")}))


def test_an_extension_of_an_undeclared_model_fails_the_check(isolated):
    registry.add_trigger("photos.Photo", Category.ORDER, "order_date", F("uploaded_at"))
    assert any(e.id == "privacy.E002" and "photos.photo" in e.msg for e in checks.check_registry())


def test_every_model_is_classified_even_without_personal_looking_fields(isolated):
    """A model reached only through another (an order line) has no tell-tale field: it must still be declared."""
    del registry._not_personal["privacy.pendingfileremoval"]
    errors = checks.check_registry()
    assert any(e.id == "privacy.E001" and "privacy.PendingFileRemoval" in e.msg for e in errors)


def test_many_to_many_tables_are_classified_too(isolated):
    del registry._not_personal["accounts.user_groups"]
    assert any("accounts.User_groups" in e.msg for e in checks.check_registry())


def test_declaring_a_model_that_does_not_exist_as_not_personal_is_an_error(isolated):
    registry.not_personal("orders.Nothing", "test")
    assert any(e.id == "privacy.E002" and "orders.nothing" in e.msg for e in checks.check_registry())


def test_data_no_rule_reaches_is_an_error_alb1(isolated):
    registry.register(
        _declaration(model="accounts.Address", category=Category.PHONE_VERIFICATION, triggers={"recorded": F("pk")})
    )
    errors = [m for m in checks.check_schedule() if m.id == "privacy.E003"]
    assert any("accounts.Address" in e.msg for e in errors)
