from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    """Search across practices, experts and discussions.

    For now the practice list's text box matches titles and summaries in the database
    (practices/listing.py); the multilingual search service replaces that match here.
    """

    name = "search"
    verbose_name = _("Search")
