from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KxPlatformConfig(AppConfig):
    name = "kx_platform"
    verbose_name = _("KX platform")

    def ready(self):
        # The empty choice of every select in the reader's language (Django's way to set
        # it: its own label is translated in some catalogues only). kx_platform.formatting.
        import django.db.models.fields as model_fields

        from . import checks  # noqa: F401 - registers the system checks
        from .background import connect_heartbeat

        connect_heartbeat()
        from .formatting import EMPTY_CHOICE_LABEL

        model_fields.BLANK_CHOICE_LABEL = EMPTY_CHOICE_LABEL

        # Every admin form's theme field resolves names typed in any language to the
        # existing theme and says which separators work (kx_platform.themes).
        from taggit.managers import TaggableManager
        from wagtail.admin.forms.models import register_form_field_override

        from .themes import admin_tag_field_override

        register_form_field_override(TaggableManager, override=admin_tag_field_override)

        from django.db.models.signals import post_migrate

        from .site_setup import ensure_site_structure

        post_migrate.connect(ensure_site_structure, sender=self)

        from .accounts import export_sign_in, register_account_part

        # Allauth's addresses and authenticators, and the sessions, go with the user.
        register_account_part("account", export=export_sign_in)
