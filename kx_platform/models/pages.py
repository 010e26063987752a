"""Site-wide pages."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from wagtail.admin.panels import FieldPanel
from wagtail.models import Page


class HomePage(Page):
    """The root of each language's site: what KX is, the map of practices, the newest ones."""

    intro = models.TextField(
        _("introduction"),
        blank=True,
        help_text=_("One or two sentences on what the platform is, shown under the title."),
    )

    default_title = gettext_noop("Good practices from the South")
    default_intro = gettext_noop(
        "Experts and policymakers of Africa, Asia and the Pacific, the Arab States and Latin "
        "America and the Caribbean share what works in counter-terrorism and preventing violent "
        "extremism."
    )

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
