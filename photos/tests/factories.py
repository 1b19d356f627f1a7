"""factory_boy factories of the photos app: a stored, processed photo in an account by default."""

from __future__ import annotations

import hashlib

import factory
from django.core.files.base import ContentFile

from accounts.tests.factories import UserFactory
from photos.models import Album, Photo
from photos.tests import images


class AlbumFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Album

    user = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Album {n}")


class PhotoFactory(factory.django.DjangoModelFactory):
    """A photo whose original is a real JPEG in storage (``gps=True`` puts a location in its EXIF).

    For a visitor's photo pass ``user=None, session_key="..."``.
    """

    class Meta:
        model = Photo

    class Params:
        gps = False
        width_px = 800
        height_px = 600
        data = factory.LazyAttributeSequence(lambda o, n: images.jpeg(o.width_px, o.height_px, seed=n, gps=o.gps))

    user = factory.SubFactory(UserFactory)
    filename = factory.Sequence(lambda n: f"photo-{n}.jpg")
    original = factory.LazyAttribute(lambda o: ContentFile(o.data, name="upload.jpg"))
    original_geotagged = factory.LazyAttribute(lambda o: o.gps)
    content_hash = factory.LazyAttribute(lambda o: hashlib.sha256(o.data).hexdigest())
    size_bytes = factory.LazyAttribute(lambda o: len(o.data))
    image_format = "JPEG"
    width = factory.LazyAttribute(lambda o: o.width_px)
    height = factory.LazyAttribute(lambda o: o.height_px)
    status = Photo.Status.READY
    review = Photo.Review.CLEAN
