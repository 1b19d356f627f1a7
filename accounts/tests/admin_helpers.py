"""Filling in the admin's change forms, for the admin tests."""

from __future__ import annotations

import datetime
from typing import Any


def _post_value(value: Any) -> Any:
    if isinstance(value, bool):
        return "on" if value else None
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return "" if value is None else str(value)


def change_form_data(page) -> dict[str, Any]:
    """Return the POST data an admin change page submits unchanged: its form and every inline formset."""
    data: dict[str, Any] = {}
    forms = [page.context["adminform"].form]
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        forms.append(formset.management_form)
        forms.extend(formset.forms)
    for form in forms:
        for name, field in form.fields.items():
            if field.disabled:
                continue
            value = _post_value(form[name].value())
            if value is not None:
                data[form.add_prefix(name)] = value
    return data
