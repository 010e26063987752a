"""The shared taxonomy: pillars, regions, countries and themes, seeded by migrations."""

import pytest
from django.db.models import ProtectedError
from django.utils import translation
from django_countries import countries

from kx_platform.models import Country, Pillar, Region, Theme
from tests.factories import PracticeFactory

pytestmark = pytest.mark.django_db


def test_the_four_pillars_carry_their_official_names_in_four_languages():
    pillars = list(Pillar.objects.all())
    assert [p.number for p in pillars] == [1, 2, 3, 4]
    fourth = pillars[3]
    with translation.override("ar"):
        assert fourth.name.startswith("التدابير الرامية إلى ضمان احترام حقوق الإنسان")
    with translation.override("fr"):
        assert fourth.name.startswith("Mesures garantissant le respect des droits de l'homme")
    with translation.override("es"):
        assert fourth.name.startswith("Medidas para asegurar el respeto universal")
    with translation.override("en"):
        assert fourth.name.startswith("Measures to ensure respect for human rights")
        assert fourth.roman == "IV"


def test_untranslated_names_fall_back_to_english():
    pillar = Pillar.objects.get(number=2)
    with translation.override("ru"):
        assert pillar.name == "Measures to prevent and combat terrorism"


def test_a_pillar_in_use_cannot_be_deleted():
    PracticeFactory(pillars=[2])
    with pytest.raises(ProtectedError):
        Pillar.objects.get(number=2).delete()
    Pillar.objects.get(number=3).delete()  # unused: allowed
    assert Pillar.objects.count() == 3


def test_the_admin_refuses_to_delete_a_pillar_in_use(admin_user):
    from tests.conftest import signed_in

    PracticeFactory(pillars=[1])
    pillar = Pillar.objects.get(number=1)
    client = signed_in(admin_user)
    response = client.post(f"/admin/snippets/kx_platform/pillar/delete/{pillar.pk}/", follow=True)
    assert Pillar.objects.filter(pk=pillar.pk).exists()
    assert "cannot be deleted" in response.content.decode()


def test_regions_of_the_south_are_seeded_and_moderators_may_add_more():
    south = set(Region.objects.filter(is_global_south=True).values_list("slug", flat=True))
    assert south == {"africa", "asia-pacific", "arab-states", "latin-america-caribbean"}
    Region.objects.create(slug="small-island-states", name_en="Small island developing States")
    assert Region.objects.count() == 6


def test_every_iso_country_is_seeded_with_a_region():
    assert set(Country.objects.values_list("code", flat=True)) == {code for code, _ in countries}
    assert not Country.objects.filter(region__isnull=True).exists()


@pytest.mark.parametrize(
    ("code", "region"),
    [
        ("KE", "africa"),
        ("NG", "africa"),
        ("MA", "arab-states"),
        ("EG", "arab-states"),
        ("SO", "arab-states"),
        ("JO", "arab-states"),
        ("ID", "asia-pacific"),
        ("KZ", "asia-pacific"),
        ("FJ", "asia-pacific"),
        ("CO", "latin-america-caribbean"),
        ("JM", "latin-america-caribbean"),
        ("DE", "europe-north-america"),
        ("AU", "europe-north-america"),
    ],
)
def test_countries_follow_the_un_m49_regions(code, region):
    assert Country.objects.get(code=code).region.slug == region


def test_country_names_are_localized_by_django_countries():
    country = Country.objects.get(code="EG")
    with translation.override("ar"):
        assert country.name == "مصر"
    with translation.override("fr"):
        assert country.name == "Égypte"


def test_curated_themes_are_seeded_with_translations():
    theme = Theme.objects.get(slug="prison-deradicalisation-and-reintegration")
    assert theme.is_curated
    with translation.override("ar"):
        assert theme.display_name == "اجتثاث التطرف في السجون وإعادة الإدماج"
    assert Theme.objects.filter(is_curated=True).count() == 15


def test_free_themes_can_be_added_and_show_their_own_name():
    PracticeFactory(themes=["Sport for development"])
    theme = Theme.objects.get(name="Sport for development")
    assert not theme.is_curated
    with translation.override("es"):
        assert theme.display_name == "Sport for development"
