"""Forum categories in the admin (moderators manage them) and the moderation queue link."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from experts.forum import roles
from experts.forum.models import Category
from kx_platform.admin_menu import PerRequestMenuItem
from kx_platform.models.taxonomy import localized_panels


class CategoryViewSet(SnippetViewSet):
    model = Category
    icon = "folder-open-inverse"
    menu_label = _("Forum categories")
    menu_order = 260
    add_to_admin_menu = True
    list_display = ["name", "slug", "kind", "visibility", "members_may_post", "sort_order"]
    list_filter = ["kind", "visibility"]
    search_backend_name = None
    panels = [
        FieldPanel("slug"),
        localized_panels("name", _("Name")),
        localized_panels("description", _("Description")),
        FieldPanel("kind"),
        FieldPanel("pillar"),
        FieldPanel("region"),
        FieldPanel("visibility"),
        FieldPanel("members_may_post"),
        FieldPanel("sort_order"),
    ]


register_snippet(CategoryViewSet)


@hooks.register("register_admin_menu_item")
def register_forum_moderation_menu_item():
    return PerRequestMenuItem(
        _("Forum moderation"),
        "forum_moderation",
        is_allowed=roles.is_moderator,
        icon_name="warning",
        order=265,
    )
