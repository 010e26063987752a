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


# --- Deleting a user from the admin -----------------------------------------------------


@hooks.register("before_delete_user")
def delete_user_through_the_account_pipeline(request, user):
    """An administrator deleting a user in Wagtail's Users screen runs the same pipeline as
    a member deleting their own account (kx_platform.accounts): open exchange requests are
    cancelled and the other side told, the photo goes, what others rely on stays."""
    if request.method != "POST":
        return None  # Wagtail's view shows the confirmation.
    return _delete_users(request, [user])


@hooks.register("before_bulk_action")
def bulk_delete_users_through_the_account_pipeline(request, action_type, objects, action):
    from django.contrib.auth import get_user_model

    if action_type != "delete" or action.model is not get_user_model():
        return None
    if request.method != "POST":
        return None
    return _delete_users(request, objects)


def _delete_users(request, users):
    from django.core.exceptions import PermissionDenied
    from django.http import HttpResponseRedirect
    from django.urls import reverse
    from wagtail.users.utils import user_can_delete_user

    from kx_platform.accounts import delete_account

    if not all(user_can_delete_user(request.user, user) for user in users):
        raise PermissionDenied
    for user in users:
        name = str(user)
        delete_account(user)
        messages.success(request, _("User '%(name)s' deleted.") % {"name": name})
    return HttpResponseRedirect(reverse("wagtailusers_users:index"))
