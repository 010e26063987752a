"""Moderators add, edit and remove glossary concepts in the admin."""

from django.db import migrations

GLOSSARY_PERMISSIONS = [
    "add_glossaryconcept",
    "change_glossaryconcept",
    "delete_glossaryconcept",
    "view_glossaryconcept",
]


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("search")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name="Moderators")
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="search",
            content_type__model="glossaryconcept",
            codename__in=GLOSSARY_PERMISSIONS,
        )
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name="Moderators").first()
    if group is not None:
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="search",
                content_type__model="glossaryconcept",
                codename__in=GLOSSARY_PERMISSIONS,
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0001_initial"),
        ("practices", "0002_roles"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
