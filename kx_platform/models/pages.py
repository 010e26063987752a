"""Site-wide pages."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.models import Page


class HomePage(Page):
    """The root of each language's site: what KX is, the map of practices, the newest ones."""

    intro = models.TextField(
        _("introduction"),
        blank=True,
        help_text=_("One or two sentences on what the platform is, shown under the title."),
    )

    setup_texts = "home"  # its title and intro in every language: kx_platform.site_texts

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    subpage_types = ["practices.PracticeIndexPage", "practices.GuidebookIndexPage"]
    parent_page_types = ["wagtailcore.Page"]
    max_count_per_parent = None

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        from practices.overview import home_overview

        context = super().get_context(request, *args, **kwargs)
        context.update(home_overview(request))
        return context
