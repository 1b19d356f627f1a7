"""Visitors without an account: what they may store per client address and in total (issue 10 #20)."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from photos.models import Photo
from photos.tests import images
from photos.tests.conftest import upload_file

SIZE = len(images.jpeg(seed=0))  # every picture here is about this size


def _visitor(address: str = "203.0.113.7") -> Client:
    """A new visitor without cookies: a new session, so a new owner with its own quota."""
    return Client(REMOTE_ADDR=address)


def _post(upload, client: Client, seed: int) -> dict:
    return upload(client, upload_file(f"p{seed}.jpg", images.jpeg(seed=seed)), json=True).json()["results"][0]


@pytest.mark.django_db
def test_new_sessions_from_one_address_share_one_limit_and_are_told_to_sign_up(upload, settings):
    settings.PHOTOS_VISITOR_MAX_BYTES_PER_ADDRESS = int(SIZE * 3.5)
    results = [_post(upload, _visitor(), seed) for seed in range(5)]  # a new session each time
    assert [r["ok"] for r in results] == [True, True, True, False, False]
    assert "Create a free account or sign in to upload more" in results[3]["message"]
    assert Photo.objects.count() == 3
    # Another address is not affected; an account is not limited by it.
    assert _post(upload, _visitor("198.51.100.20"), 10)["ok"]


@pytest.mark.django_db
def test_ipv6_visitors_are_counted_per_64_network(upload, settings):
    settings.PHOTOS_VISITOR_MAX_BYTES_PER_ADDRESS = int(SIZE * 1.5)
    assert _post(upload, _visitor("2001:db8:1:2::1"), 1)["ok"]
    assert not _post(upload, _visitor("2001:db8:1:2:ffff::9"), 2)["ok"]
    assert _post(upload, _visitor("2001:db8:1:3::1"), 3)["ok"]


@pytest.mark.django_db
def test_the_address_limit_is_a_rolling_window(upload, settings):
    settings.PHOTOS_VISITOR_MAX_BYTES_PER_ADDRESS = int(SIZE * 1.5)
    settings.PHOTOS_VISITOR_WINDOW_HOURS = 24
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert _post(upload, _visitor(), 1)["ok"]
    with time_machine.travel(start + datetime.timedelta(hours=22), tick=False):
        assert not _post(upload, _visitor(), 2)["ok"]
    with time_machine.travel(start + datetime.timedelta(hours=25), tick=False):
        assert _post(upload, _visitor(), 3)["ok"]


@pytest.mark.django_db
def test_refused_and_duplicate_files_do_not_count_against_the_address(upload, settings):
    settings.PHOTOS_VISITOR_MAX_BYTES_PER_ADDRESS = int(SIZE * 2.5)
    client = _visitor()
    for _attempt in range(3):
        upload(client, upload_file("same.jpg", images.jpeg(seed=1)))
        upload(client, upload_file("cut.jpg", images.jpeg(seed=2)[:-3000]))
    assert _post(upload, client, 3)["ok"]
    assert Photo.objects.count() == 2


@pytest.mark.django_db
def test_visitors_together_cannot_store_more_than_their_total(upload, settings, shopper_client):
    settings.PHOTOS_VISITORS_TOTAL_BYTES = int(SIZE * 2.5)
    results = [_post(upload, _visitor(f"192.0.2.{n}"), n) for n in range(1, 5)]
    assert [r["ok"] for r in results] == [True, True, False, False]
    assert "Uploading without an account is not possible at the moment" in results[2]["message"]
    # Accounts are not limited by what visitors store.
    assert _post(upload, shopper_client, 20)["ok"]


@pytest.mark.django_db
def test_the_limits_are_told_in_the_visitors_language(upload, settings):
    from django.utils import translation

    settings.PHOTOS_VISITOR_MAX_BYTES_PER_ADDRESS = 1
    with translation.override("nl"):
        message = _post(upload, _visitor(), 1)["message"]
    assert "account" in message
    assert "Without an account" not in message
