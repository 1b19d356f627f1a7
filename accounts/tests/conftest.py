"""Fixtures of the accounts tests."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from accounts.models import User
from accounts.tests.factories import UserFactory


@pytest.fixture
def staff_login(client, activate_totp):
    """Sign a new staff member with the given role (or a superuser) into the admin; return them."""

    def login(role: str | None = None, *, superuser: bool = False) -> User:
        name = (role or "root").lower().replace(" ", "-")
        member = UserFactory(is_staff=True, is_superuser=superuser, email=f"{name}@staff.example")
        if role:
            member.groups.add(Group.objects.get(name=role))
        activate_totp(member)
        client.force_login(member)
        return member

    return login
