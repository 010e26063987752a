"""The glossary in the admin: moderators add concepts and terms to the curated base."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from search.models import GlossaryConcept


class GlossaryConceptViewSet(SnippetViewSet):
    model = GlossaryConcept
    icon = "list-ul"
    menu_label = _("Glossary")
    menu_order = 270
    add_to_admin_menu = True
    list_display = [
        "key",
        Column("preferred_en", label=_("English"), accessor="preferred_terms.en"),
        Column("preferred_ar", label=_("Arabic"), accessor="preferred_terms.ar"),
        Column("preferred_fr", label=_("French"), accessor="preferred_terms.fr"),
        Column("preferred_es", label=_("Spanish"), accessor="preferred_terms.es"),
    ]
    search_fields = ["key", "terms_en", "terms_ar", "terms_fr", "terms_es"]
    search_backend_name = None


register_snippet(GlossaryConceptViewSet)
