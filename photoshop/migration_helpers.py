"""Helpers for data migrations that give staff roles (groups) their permissions.

Each app grants its own permissions to the roles in a migration of its own;
these functions are the one implementation of that step. They work on the
migration's historical models (``apps``), never on the current ones, so an
applied migration keeps doing what it did when the models change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.contrib.auth.management import create_permissions
from django.db.models import Q, QuerySet

CodenamesByApp = Mapping[str, Iterable[str]]


def _create_missing_permissions(apps, app_labels: Iterable[str]) -> None:
    """Create the permission rows of these apps now (migrate makes them only after its last migration)."""
    for label in app_labels:
        app_config = apps.get_app_config(label)
        # create_permissions skips an app without a models module, and the
        # historical app configs of a migration have none.
        models_module = getattr(app_config, "models_module", None)
        if models_module is None:
            app_config.models_module = True
        try:
            create_permissions(app_config, apps=apps, verbosity=0)
        finally:
            app_config.models_module = models_module


def _permissions(apps, codenames_by_app: CodenamesByApp) -> QuerySet:
    Permission = apps.get_model("auth", "Permission")
    wanted = Q(pk__in=[])
    for app_label, codenames in codenames_by_app.items():
        wanted |= Q(content_type__app_label=app_label, codename__in=list(codenames))
    return Permission.objects.filter(wanted)


def grant_permissions(apps, group_name: str, codenames_by_app: CodenamesByApp) -> None:
    """Give the group (created if missing) these permissions, ``{"app_label": ["codename", ...]}``.

    Permissions not created yet are created first. A codename that names no
    permission stops the migration: a typo must not leave a role short of a
    permission without anyone noticing.
    """
    _create_missing_permissions(apps, codenames_by_app)
    found = list(_permissions(apps, codenames_by_app).select_related("content_type"))
    have = {(p.content_type.app_label, p.codename) for p in found}
    missing = sorted(
        f"{app_label}.{codename}"
        for app_label, codenames in codenames_by_app.items()
        for codename in codenames
        if (app_label, codename) not in have
    )
    if missing:
        raise LookupError(f"No such permission for the group {group_name!r}: {', '.join(missing)}")
    Group = apps.get_model("auth", "Group")
    group, _created = Group.objects.get_or_create(name=group_name)
    group.permissions.add(*found)


def revoke_permissions(apps, group_name: str, codenames_by_app: CodenamesByApp) -> None:
    """Take these permissions from the group, if it exists (the reverse of ``grant_permissions``).

    The group and its other permissions stay.
    """
    Group = apps.get_model("auth", "Group")
    permissions = list(_permissions(apps, codenames_by_app))
    for group in Group.objects.filter(name=group_name):
        group.permissions.remove(*permissions)


def grants(by_role: Mapping[str, CodenamesByApp]):
    """A migration operation giving each role (group) these permissions, and taking them back when reversed.

    ``{"Privacy officer": {"privacy": ["view_breach", ...]}}``.
    """
    from django.db import migrations

    def forwards(apps, schema_editor) -> None:
        for role, permissions in by_role.items():
            grant_permissions(apps, role, permissions)

    def backwards(apps, schema_editor) -> None:
        for role, permissions in by_role.items():
            revoke_permissions(apps, role, permissions)

    return migrations.RunPython(forwards, backwards)
