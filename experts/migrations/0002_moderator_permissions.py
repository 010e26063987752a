"""Moderators vet experts, manage institutions and set the privacy policy."""

from django.db import migrations

MODERATOR_PERMISSIONS = [
    ("experts", "expertprofile", "vet_expert"),
    ("experts", "institution", "add_institution"),
    ("experts", "institution", "change_institution"),
    ("experts", "institution", "delete_institution"),
    ("experts", "privacypolicy", "change_privacypolicy"),
]


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("experts")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name="Moderators")
    for app_label, model, codename in MODERATOR_PERMISSIONS:
        group.permissions.add(
            Permission.objects.get(
                content_type__app_label=app_label, content_type__model=model, codename=codename
            )
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name="Moderators").first()
    if group is None:
        return
    for app_label, model, codename in MODERATOR_PERMISSIONS:
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label=app_label, content_type__model=model, codename=codename
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("experts", "0001_initial"),
        ("practices", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
