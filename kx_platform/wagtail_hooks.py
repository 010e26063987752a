"""Moderators manage the shared taxonomy in the admin."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from kx_platform.models import Country, Pillar, Region, Theme


class PillarViewSet(SnippetViewSet):
    model = Pillar
    icon = "list-ol"
    list_display = ["roman", "short_name", "name"]
    menu_order = 100


class RegionViewSet(SnippetViewSet):
    model = Region
    icon = "site"
    list_display = ["name", "slug", "is_global_south", "sort_order"]


class CountryViewSet(SnippetViewSet):
    model = Country
    icon = "globe"
    list_display = ["code", "name", "region"]
    list_filter = ["region"]
    search_fields = ["code"]
    search_backend_name = None


class ThemeViewSet(SnippetViewSet):
    model = Theme
    icon = "tag"
    list_display = ["name", "name_ar", "name_fr", "name_es", "is_curated"]
    list_filter = ["is_curated"]
    search_fields = ["name", "name_ar", "name_fr", "name_es"]
    search_backend_name = None


class TaxonomyGroup(SnippetViewSetGroup):
    items = (PillarViewSet, RegionViewSet, CountryViewSet, ThemeViewSet)
    menu_icon = "folder-open-inverse"
    menu_label = gettext_lazy("Taxonomy")
    menu_name = "taxonomy"


register_snippet(TaxonomyGroup)


@hooks.register("before_delete_snippet")
def protect_pillars_in_use(request, instances):
    in_use = [p for p in instances if isinstance(p, Pillar) and p.usage_count()]
    if in_use:
        messages.error(
            request,
            _("Practices are classified under %(pillars)s, so it cannot be deleted.")
            % {"pillars": ", ".join(str(p) for p in in_use)},
        )
        return redirect("wagtailsnippets_kx_platform_pillar:list")
    return None
