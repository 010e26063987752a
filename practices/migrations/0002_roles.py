"""The Experts group and the admin rights of Experts and Moderators.

Wagtail's own migrations create the Moderators group (with page rights on the whole
tree) and its "Moderators approval" workflow; page rights of Experts on the practice
libraries are granted by kx_platform.site_setup once the page tree exists.
"""

from django.db import migrations

EXPERT_PERMISSIONS = [
    ("wagtailadmin", "admin", "access_admin"),
    ("wagtailimages", "image", "add_image"),
    ("wagtailimages", "image", "choose_image"),
    ("wagtaildocs", "document", "add_document"),
    ("wagtaildocs", "document", "choose_document"),
    ("simple_translation", "simpletranslation", "submit_translation"),
]
MODERATOR_PERMISSIONS = [
    *EXPERT_PERMISSIONS,
    ("wagtailimages", "image", "change_image"),
    ("wagtaildocs", "document", "change_document"),
    ("kx_platform", "pillar", "change_pillar"),
    ("kx_platform", "region", "add_region"),
    ("kx_platform", "region", "change_region"),
    ("kx_platform", "country", "change_country"),
    ("kx_platform", "theme", "add_theme"),
    ("kx_platform", "theme", "change_theme"),
    ("kx_platform", "theme", "delete_theme"),
]


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    Collection = apps.get_model("wagtailcore", "Collection")
    root_collection = Collection.objects.filter(depth=1).first()

    for name, wanted in (("Experts", EXPERT_PERMISSIONS), ("Moderators", MODERATOR_PERMISSIONS)):
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, model, codename in wanted:
            permission = Permission.objects.get(content_type__app_label=app_label, codename=codename)
            if app_label in ("wagtailimages", "wagtaildocs") and root_collection is not None:
                GroupCollectionPermission.objects.get_or_create(
                    group=group, collection=root_collection, permission=permission
                )
            else:
                group.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("practices", "0001_initial"),
        ("kx_platform", "0002_seed_taxonomy"),
        ("wagtailadmin", "0006_formstate"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("simple_translation", "0001_initial"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
