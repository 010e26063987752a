from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ForumConfig(AppConfig):
    """The experts' forum, a sub-app of the experts app (app label "forum")."""

    name = "experts.forum"
    label = "forum"
    verbose_name = _("Experts' forum")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from experts.forum.account_data import register_parts

        register_parts()
