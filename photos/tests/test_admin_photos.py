"""The photo admin as staff get it: review queue and decisions (STX-10), readable figures, the print lab's view."""

from __future__ import annotations

import datetime
import html
import re

import pytest
from django.contrib.auth.models import Group
from django.db.models.fields.related import ForeignObjectRel
from django.urls import reverse
from django.utils.functional import Promise

from accounts.tests.factories import UserFactory
from photos.models import Album, Photo, PhotoConsent
from photos.tests.factories import PhotoFactory

CHANGELIST = "admin:photos_photo_changelist"


def _text(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", response.content.decode()))


@pytest.mark.django_db
def test_list_previews_are_sized_by_the_admin_stylesheet_not_inline_styles(staff_client):
    PhotoFactory(thumbnail_small="photos/thumbnails/ab/x-small.jpg")
    text = _text(staff_client("Support").get(reverse(CHANGELIST)))
    assert "/static/photos/admin.css" in text
    assert re.search(r'<img class="photo-preview" src="[^"]+" alt="" loading="lazy" width="64" height="48">', text)
    # The site's CSP refuses inline styles, so none may carry the layout.
    assert "style=" not in text.split('id="result_list"', 1)[1]


@pytest.mark.django_db
def test_review_queue_link_shows_how_many_photos_are_held(staff_client):
    PhotoFactory.create_batch(3, review=Photo.Review.HELD)
    PhotoFactory(review=Photo.Review.CLEAN)
    client = staff_client("Support")
    text = _text(client.get(reverse(CHANGELIST)))
    queue = reverse(CHANGELIST) + "?review__exact=held"
    assert f'<a href="{queue}" class="review-queue-link"> Te controleren: 3 foto\'s tegengehouden </a>' in text
    assert _text(client.get(queue)).count('class="action-select"') == 3


@pytest.mark.django_db
def test_stx10_approve_action_approves_the_held_photos_and_leaves_the_others(staff_client):
    held = PhotoFactory.create_batch(2, review=Photo.Review.HELD)
    clean = PhotoFactory(review=Photo.Review.CLEAN)
    client = staff_client("Support")
    ids = [p.pk for p in [*held, clean]]
    response = client.post(reverse(CHANGELIST), {"action": "approve_photos", "_selected_action": ids}, follow=True)
    text = _text(response)
    # The admin speaks the site's default language, Dutch.
    assert "2 foto's goedgekeurd." in text
    assert "1 foto was niet tegengehouden voor controle en is ongewijzigd gebleven." in text
    assert {p.review for p in Photo.objects.filter(pk__in=[h.pk for h in held])} == {Photo.Review.APPROVED}
    clean.refresh_from_db()
    assert clean.review == Photo.Review.CLEAN


@pytest.mark.django_db
def test_stx10_reject_action_asks_for_the_reason_then_rejects_each_photo(staff_client):
    held = PhotoFactory.create_batch(2, review=Photo.Review.HELD)
    client = staff_client("Support")
    ids = [p.pk for p in held]

    asked = client.post(reverse(CHANGELIST), {"action": "reject_photos", "_selected_action": ids})
    assert asked.status_code == 200
    assert "2 foto's afwijzen: die kunnen niet worden afgedrukt" in _text(asked)
    assert 'name="reason"' in _text(asked)
    assert set(Photo.objects.values_list("review", flat=True)) == {Photo.Review.HELD}

    blank = client.post(
        reverse(CHANGELIST), {"action": "reject_photos", "_selected_action": ids, "apply": "yes", "reason": " "}
    )
    assert blank.status_code == 200  # the reason is required: asked again
    assert set(Photo.objects.values_list("review", flat=True)) == {Photo.Review.HELD}

    done = client.post(
        reverse(CHANGELIST),
        {"action": "reject_photos", "_selected_action": ids, "apply": "yes", "reason": "Nudity cannot be printed."},
        follow=True,
    )
    assert "2 foto's afgewezen." in _text(done)
    assert set(Photo.objects.values_list("review", "review_reason")) == {
        (Photo.Review.REJECTED, "Nudity cannot be printed.")
    }


@pytest.mark.django_db
def test_a_held_photos_page_has_approve_and_reject_buttons_and_readable_scanner_labels(staff_client):
    labels = {"labels": {"FEMALE_BREAST_EXPOSED": 0.931, "FACE_FEMALE": 0.8}, "flagged": ["FEMALE_BREAST_EXPOSED"]}
    photo = PhotoFactory(review=Photo.Review.HELD, nsfw_labels=labels)
    client = staff_client("Support")
    text = _text(client.get(reverse("admin:photos_photo_change", args=[photo.pk])))
    assert 'name="_approve"' in text
    assert 'name="_reject"' in text
    assert '<li class="flagged">female breast exposed: 93%</li>' in text
    assert "<li>face female: 80%</li>" in text
    assert "FEMALE_BREAST_EXPOSED" not in text
    assert '{"labels"' not in text

    client.post(reverse("admin:photos_photo_change", args=[photo.pk]), {"_approve": "1", "review_reason": ""})
    photo.refresh_from_db()
    assert photo.review == Photo.Review.APPROVED
    decided = _text(client.get(reverse("admin:photos_photo_change", args=[photo.pk])))
    assert 'name="_approve"' not in decided


@pytest.mark.django_db
def test_a_photo_viewer_sees_size_dpi_quality_and_capture_date_but_not_whose_photo_it_is(
    staff_client, django_assert_max_num_queries, print_formats
):
    # A role with only "view photo" (the print lab had it until it got the print files of ordered lines only).
    from django.contrib.auth.models import Permission

    viewer, _created = Group.objects.get_or_create(name="Photo viewer")
    viewer.permissions.add(Permission.objects.get(content_type__app_label="photos", codename="view_photo"))
    customer = UserFactory(email="emma.janssens@example.com")
    taken = datetime.datetime(2025, 7, 14, 15, 30, tzinfo=datetime.UTC)
    photo = PhotoFactory(
        user=customer,
        filename="emma-janssens-wedding.jpg",
        width=4000,
        height=3000,
        sharpness=150.0,
        quality_score=82.4,
        taken_at=taken,
    )
    PhotoFactory.create_batch(30, width=2000, height=1500, sharpness=100.0, quality_score=60)
    client = staff_client("Photo viewer")

    with django_assert_max_num_queries(14):
        page = client.get(reverse(CHANGELIST))
    text = _text(page)
    assert "4000 \u00d7 3000 px" in text
    assert "30x40: 250 dpi" in text
    assert "82/100" in text
    assert "14 juli 2025" in text
    assert f"#{customer.pk}" in text
    assert photo.id.hex[:12] in text
    assert "@example.com" not in text
    assert "emma-janssens" not in text
    assert 'name="q"' not in text  # no search by e-mail address either

    detail = _text(client.get(reverse("admin:photos_photo_change", args=[photo.pk])))
    assert "emma.janssens@example.com" not in detail
    assert "250 dpi" in detail
    assert f"#{customer.pk}" in detail


@pytest.mark.django_db
def test_support_sees_the_customer_in_the_list(staff_client):
    PhotoFactory(user=UserFactory(email="emma.janssens@example.com"), filename="beach.jpg")
    text = _text(staff_client("Support").get(reverse(CHANGELIST)))
    assert "emma.janssens@example.com" in text
    assert "beach.jpg" in text


@pytest.mark.django_db
def test_admin_column_and_field_labels_are_translated(staff_client):
    taken = datetime.datetime(2025, 7, 14, 15, 30, tzinfo=datetime.UTC)
    photo = PhotoFactory(width=4000, height=3000, review=Photo.Review.HELD, quality_score=70, taken_at=taken)
    client = staff_client("Support")
    listing = _text(client.get(reverse(CHANGELIST)))
    for label in ["DPI per afdrukformaat", "Afmetingen", "Gemaakt op: 14 juli 2025", "Afdrukkwaliteit: 70/100"]:
        assert label in listing
    detail = _text(client.get(reverse("admin:photos_photo_change", args=[photo.pk])))
    assert "Labels van de scanner" in detail
    assert "Goedkeuren: mag worden afgedrukt" in detail


@pytest.mark.parametrize("model", [Photo, Album, PhotoConsent])
def test_every_field_has_a_translatable_label(model):
    unlabelled = [
        field.name
        for field in model._meta.get_fields()
        if not isinstance(field, ForeignObjectRel)
        and not field.auto_created
        and not isinstance(field.verbose_name, Promise)
    ]
    assert not unlabelled
