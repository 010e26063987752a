"""The first categories (general, one per pillar, one per region of the South, and a
room for vetted experts) and the Moderators' forum permissions."""

from django.db import migrations

MODERATOR_PERMISSIONS = [
    ("category", "moderate_forum"),
    ("category", "add_category"),
    ("category", "change_category"),
    ("category", "delete_category"),
]

GENERAL = {
    "slug": "general",
    "kind": "general",
    "sort_order": 1,
    "visibility": "public",
    "members_may_post": True,
    "name_en": "General discussion",
    "name_ar": "نقاش عام",
    "name_fr": "Discussion générale",
    "name_es": "Debate general",
    "description_en": "Questions and news about South-South cooperation on CT and PVE.",
    "description_ar": "أسئلة وأخبار حول التعاون فيما بين بلدان الجنوب في مكافحة الإرهاب ومنع التطرف العنيف.",
    "description_fr": "Questions et nouvelles sur la coopération Sud-Sud en matière de lutte antiterroriste et de PEV.",
    "description_es": "Preguntas y noticias sobre la cooperación Sur-Sur en la lucha antiterrorista y la PEV.",
}
EXPERTS_ROOM = {
    "slug": "experts-room",
    "kind": "other",
    "sort_order": 30,
    "visibility": "experts",
    "members_may_post": False,
    "name_en": "Vetted experts' room",
    "name_ar": "قاعة الخبراء المعتمدين",
    "name_fr": "Salon des experts vérifiés",
    "name_es": "Sala de expertos verificados",
    "description_en": "Only vetted experts read and write here.",
    "description_ar": "لا يقرأ ويكتب هنا إلا الخبراء المعتمدون.",
    "description_fr": "Seuls les experts vérifiés lisent et écrivent ici.",
    "description_es": "Solo los expertos verificados leen y escriben aquí.",
}
LANGS = ("en", "ar", "fr", "es", "ru", "zh")


def create(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    Category = apps.get_model("forum", "Category")
    Pillar = apps.get_model("kx_platform", "Pillar")
    Region = apps.get_model("kx_platform", "Region")
    Category.objects.update_or_create(slug=GENERAL["slug"], defaults=GENERAL)
    for pillar in Pillar.objects.order_by("number"):
        names = {f"name_{c}": getattr(pillar, f"short_name_{c}", "") for c in LANGS}
        Category.objects.update_or_create(
            slug=f"pillar-{pillar.number}",
            defaults={
                "kind": "pillar",
                "pillar": pillar,
                "sort_order": 10 + pillar.number,
                "visibility": "public",
                **names,
            },
        )
    for region in Region.objects.filter(is_global_south=True).order_by("sort_order"):
        names = {f"name_{c}": getattr(region, f"name_{c}", "") for c in LANGS}
        Category.objects.update_or_create(
            slug=f"region-{region.slug}",
            defaults={
                "kind": "region",
                "region": region,
                "sort_order": 20 + region.sort_order,
                # Regional rooms are for signed-in members, who may post there too.
                "visibility": "members",
                "members_may_post": True,
                **names,
            },
        )
    Category.objects.update_or_create(slug=EXPERTS_ROOM["slug"], defaults=EXPERTS_ROOM)

    app_config = apps.get_app_config("forum")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name="Moderators")
    for model, codename in MODERATOR_PERMISSIONS:
        group.permissions.add(
            Permission.objects.get(
                content_type__app_label="forum", content_type__model=model, codename=codename
            )
        )


def remove(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name="Moderators").first()
    if group is not None:
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="forum",
                codename__in=[codename for _model, codename in MODERATOR_PERMISSIONS],
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("forum", "0001_initial"),
        ("kx_platform", "0002_seed_taxonomy"),
        ("experts", "0002_moderator_permissions"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create, remove)]
