from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    """Search across practices (and, later, experts and discussions) in four languages.

    One service (`search.service.search`) in front of two backends: an embedded SQLite
    FTS5 index (the default, no server) and Elasticsearch (when ELASTICSEARCH_URL is set).
    """

    name = "search"
    verbose_name = _("Search")

    def ready(self):
        from . import checks, signals  # noqa: F401
