import factory

from microsites.models import Microsite
from promotions.tests.factories import SponsorFactory


class MicrositeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Microsite
        skip_postgeneration_save = True

    sponsor = factory.SubFactory(SponsorFactory)
    name = factory.Sequence(lambda n: f"Brand {n} prints")
    slug = factory.Sequence(lambda n: f"brand-{n}")
    colour = "#7a1f5c"
    accent = "#f0b400"
    headline_nl = "Twintig gratis foto's van Brand"
    headline_fr = "Vingt photos gratuites de Brand"
    headline_en = "Twenty free prints from Brand"
    intro_nl = "Vul je code in en kies je foto's."

    @factory.post_generation
    def products(self, create, extracted, **kwargs):
        if create and extracted:
            self.products.set(extracted)

    @factory.post_generation
    def campaigns(self, create, extracted, **kwargs):
        if create and extracted:
            self.campaigns.set(extracted)
