"""Factories for the expert roster (kept apart from tests/factories.py)."""

import io

import factory
from PIL import Image

from experts.models import ExpertLanguage, ExpertLink, ExpertProfile, Institution
from kx_platform.models import Country, Pillar, Region
from tests.factories import UserFactory


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Centre for Prevention {n}")
    slug = factory.Sequence(lambda n: f"centre-{n}")
    country = factory.LazyFunction(lambda: Country.objects.get(code="KE"))
    kind = "research_centre"
    website = "https://centre.example.org/"
    description = "Trains prison staff across East Africa."
    is_published = True


class ExpertProfileFactory(factory.django.DjangoModelFactory):
    """An approved profile by default; every configurable field filled in."""

    class Meta:
        model = ExpertProfile
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    display_name = factory.Sequence(lambda n: f"Expert Person {n}")
    professional_title = "Head of prison rehabilitation"
    organisation = "Ministry of Interior"
    country = factory.LazyFunction(lambda: Country.objects.get(code="KE"))
    years_of_experience = 12
    biography = "Twelve years of work with returning fighters."
    support_kinds = factory.LazyFunction(lambda: ["training", "mentoring"])
    availability = "limited"
    email = factory.Sequence(lambda n: f"private-contact-{n}@expert.example")
    phone = "+254 20 555 0199"
    status = "approved"
    visibility = factory.LazyFunction(dict)

    @factory.post_generation
    def pillars(self, create, extracted, **kwargs):
        if create:
            self.pillars.set(Pillar.objects.filter(number__in=extracted or [1]))

    @factory.post_generation
    def regions(self, create, extracted, **kwargs):
        if create:
            self.regions.set(Region.objects.filter(slug__in=extracted or []))

    @factory.post_generation
    def extras(self, create, extracted, **kwargs):
        if create and extracted is not False:
            ExpertLanguage.objects.create(profile=self, language="ar", level="native")
            ExpertLink.objects.create(
                profile=self, title="Report on reintegration", url="https://example.org/report"
            )


def image_bytes(fmt="PNG", size=(64, 64), color=(200, 30, 30)):
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format=fmt)
    return buffer.getvalue()
