from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExpertsConfig(AppConfig):
    """The expert roster and the experts' forum.

    The roster (profiles, privacy tiers, exchange requests) arrives in a later issue.
    Until then this app owns the seam practice pages use to show their contact experts:
    `templates/experts/practice_contacts.html`, which the roster will fill from its own
    model instead of the practice keeping contact details itself.
    """

    name = "experts"
    verbose_name = _("Experts")

    def ready(self):
        from experts.measurement import connect_signals

        connect_signals()

        from experts.account_data import register_parts

        register_parts()
