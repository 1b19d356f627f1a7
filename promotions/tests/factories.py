import datetime

import factory
from django.utils import timezone

from orders.tests.factories import FormatFactory
from promotions.models import Campaign, Code, Sponsor


class SponsorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sponsor

    name = factory.Sequence(lambda n: f"Sponsor {n}")
    slug = factory.Sequence(lambda n: f"sponsor-{n}")


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    sponsor = factory.SubFactory(SponsorFactory)
    name = "20 free prints"
    format = factory.SubFactory(FormatFactory)
    quantity = 20
    shipping_included = True
    starts_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1))
    ends_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=30))


class CodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Code

    campaign = factory.SubFactory(CampaignFactory)
    code = factory.Sequence(lambda n: f"TESTCODE{n:04d}")
