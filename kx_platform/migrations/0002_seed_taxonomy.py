"""Seed the four pillars, the regions, every ISO 3166-1 country and the curated themes."""

from django.db import migrations
from django.utils.text import slugify


def seed(apps, schema_editor):
    from kx_platform.taxonomy_data import PILLARS, REGIONS, THEMES, country_regions

    Pillar = apps.get_model("kx_platform", "Pillar")
    Region = apps.get_model("kx_platform", "Region")
    Country = apps.get_model("kx_platform", "Country")
    Theme = apps.get_model("kx_platform", "Theme")

    for data in PILLARS:
        Pillar.objects.update_or_create(number=data["number"], defaults=data)
    regions = {}
    for data in REGIONS:
        regions[data["slug"]], _ = Region.objects.update_or_create(slug=data["slug"], defaults=data)
    for code, slug in country_regions():
        Country.objects.get_or_create(code=code, defaults={"region": regions[slug]})
    for name, ar, fr, es in THEMES:
        Theme.objects.update_or_create(
            slug=slugify(name),
            defaults={"name": name, "name_ar": ar, "name_fr": fr, "name_es": es, "is_curated": True},
        )


class Migration(migrations.Migration):
    dependencies = [("kx_platform", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
