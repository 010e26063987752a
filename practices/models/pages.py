"""The good-practice library: the practice page and the index that lists and filters them."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import ItemBase
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from kx_platform.models import Theme
from practices.blocks import ApproachBlock, LinkBlock, OrganisationBlock
from practices.choices import EvidenceStage, Scale, SupportKind
from practices.forms import GoodPracticePageForm
from practices.panels import RequiredFieldsPanel
from practices.reader import ReaderFallbackRoute

RICH_TEXT_FEATURES = ["bold", "italic", "ol", "ul", "link"]
EARLIEST_YEAR = 1945
LATEST_YEAR = 2100


class PracticeTheme(ItemBase):
    """Links a practice to a theme (the through model of its taggit manager)."""

    tag = models.ForeignKey(Theme, related_name="practice_items", on_delete=models.CASCADE)
    content_object = ParentalKey(
        "practices.GoodPracticePage", related_name="theme_items", on_delete=models.CASCADE
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["content_object", "tag"], name="unique_theme_per_practice"
            )
        ]


class PracticeIndexPage(ReaderFallbackRoute, Page):
    """The practice library of one language: lists and filters every published practice."""

    intro = models.TextField(_("introduction"), blank=True)

    setup_texts = "practices"  # kx_platform.site_texts

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["kx_platform.HomePage"]
    subpage_types = ["practices.GoodPracticePage"]

    class Meta:
        verbose_name = _("practice library")

    def get_context(self, request, *args, **kwargs):
        from practices.listing import PracticeListing

        context = super().get_context(request, *args, **kwargs)
        context["listing"] = PracticeListing.from_request(request, index_page=self)
        return context

    def fallback_child_model(self):
        return GoodPracticePage


class GoodPracticePage(Page):
    """A good practice in CT/PVE from a country of the South, as its experts tell it."""

    summary = models.CharField(
        _("summary"),
        max_length=300,
        help_text=_("At most 300 characters: what was done, where, and what changed."),
    )
    challenge = RichTextField(_("the challenge"), features=RICH_TEXT_FEATURES, blank=True)
    approach = StreamField(ApproachBlock(), verbose_name=_("the approach"), blank=True)
    results = RichTextField(_("results and evidence"), features=RICH_TEXT_FEATURES, blank=True)
    lessons = RichTextField(_("lessons learned"), features=RICH_TEXT_FEATURES, blank=True)
    replicability = RichTextField(
        _("replicability"),
        features=RICH_TEXT_FEATURES,
        blank=True,
        help_text=_("What another country needs in order to adopt this practice."),
    )
    human_rights = RichTextField(
        _("human-rights and gender considerations"),
        features=RICH_TEXT_FEATURES,
        help_text=_(
            "How the practice respects human rights and the rule of law (pillar IV), and how it "
            "takes gender into account."
        ),
    )

    pillars = ParentalManyToManyField(
        "kx_platform.Pillar", verbose_name=_("pillars"), related_name="practices"
    )
    regions = ParentalManyToManyField(
        "kx_platform.Region", verbose_name=_("regions"), related_name="practices", blank=True
    )
    countries = ParentalManyToManyField(
        "kx_platform.Country",
        verbose_name=_("implementing countries"),
        related_name="implemented_practices",
    )
    partner_countries = ParentalManyToManyField(
        "kx_platform.Country",
        verbose_name=_("partner countries"),
        related_name="partner_practices",
        blank=True,
    )
    contact_experts = ParentalManyToManyField(
        "experts.ExpertProfile",
        verbose_name=_("contact experts"),
        related_name="contact_for_practices",
        blank=True,
        limit_choices_to={"status": "approved"},
        help_text=_("Vetted experts of the roster who can tell others about this practice."),
    )
    themes = ClusterTaggableManager(through=PracticeTheme, verbose_name=_("themes"), blank=True)
    scale = models.CharField(_("scale of cooperation"), max_length=20, choices=Scale.choices)
    evidence_stage = models.CharField(
        _("evidence stage"), max_length=20, choices=EvidenceStage.choices
    )
    support_kinds = models.JSONField(_("kinds of support offered"), default=list, blank=True)
    start_year = models.PositiveSmallIntegerField(
        _("start year"),
        validators=[MinValueValidator(EARLIEST_YEAR), MaxValueValidator(LATEST_YEAR)],
    )
    end_year = models.PositiveSmallIntegerField(
        _("end year"),
        null=True,
        blank=True,
        validators=[MinValueValidator(EARLIEST_YEAR), MaxValueValidator(LATEST_YEAR)],
        help_text=_("Leave empty if the practice is ongoing."),
    )
    organisations = StreamField(
        [("organisation", OrganisationBlock())],
        verbose_name=_("implementing organisations"),
        blank=True,
    )
    sources = StreamField([("source", LinkBlock())], verbose_name=_("sources"), blank=True)
    is_demo = models.BooleanField(
        _("demo content"),
        default=False,
        editable=False,
        help_text=_("Loaded by load_demo; not a real practice."),
    )

    base_form_class = GoodPracticePageForm
    parent_page_types = ["practices.PracticeIndexPage"]
    subpage_types = []

    content_panels = [
        RequiredFieldsPanel(),
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("challenge"),
        FieldPanel("approach"),
        FieldPanel("results"),
        FieldPanel("lessons"),
        FieldPanel("replicability"),
        FieldPanel("human_rights"),
    ]
    classification_panels = [
        FieldPanel("pillars"),
        FieldPanel("themes"),
        MultiFieldPanel(
            [FieldPanel("regions"), FieldPanel("countries"), FieldPanel("partner_countries")],
            heading=_("Where"),
        ),
        FieldRowPanel([FieldPanel("scale"), FieldPanel("evidence_stage")]),
        FieldPanel("support_kinds"),
        FieldRowPanel([FieldPanel("start_year"), FieldPanel("end_year")], heading=_("Period")),
        FieldPanel("organisations"),
        FieldPanel("contact_experts"),
        FieldPanel("sources"),
    ]

    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("challenge"),
        index.FilterField("locale"),
    ]

    class Meta:
        verbose_name = _("good practice")
        verbose_name_plural = _("good practices")

    @classmethod
    def edit_handler_tabs(cls):
        from wagtail.admin.panels import ObjectList, TabbedInterface

        return TabbedInterface(
            [
                ObjectList(cls.content_panels, heading=_("Practice")),
                ObjectList(cls.classification_panels, heading=_("Classification")),
                ObjectList(cls.promote_panels, heading=_("Promote")),
                ObjectList(cls.settings_panels, heading=_("Settings")),
            ]
        )

    @property
    def language_code(self):
        return self.locale.language_code

    def support_kind_labels(self):
        labels = dict(SupportKind.choices)
        return [labels[k] for k in self.support_kinds if k in labels]

    def get_context(self, request, *args, **kwargs):
        from practices.detail import practice_context

        context = super().get_context(request, *args, **kwargs)
        context.update(practice_context(self, request))
        return context


GoodPracticePage.edit_handler = GoodPracticePage.edit_handler_tabs()
