import factory
from allauth.account.models import EmailAddress

from accounts.models import Address, User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    first_name = "Emma"
    last_name = "Janssens"
    language = "nl"
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery-staple")

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        obj.save()
        if create and extracted is not False:
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


class AddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Address

    user = factory.SubFactory(UserFactory)
    kind = Address.Kind.DELIVERY
    full_name = "Emma Janssens"
    street_address = "Kerkstraat 1"
    postal_code = "9000"
    city = "Gent"
    country = "BE"
