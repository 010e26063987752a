"""The guidebook of good practices: editions, their chapters and chosen practices,
the expert comment period, and the frozen content of a published edition.

An edition is a Wagtail page per language (translations by simple_translation, like the
practices). Chapters and their practice selections are nested Orderables, so they are
versioned with the page's revisions and copied with it. What readers see of a published
edition never comes from the live practices: at publication each selected practice is
snapshotted into a `GuidebookSnapshot` (practices.guidebook_content), so later edits to a
practice do not change a published edition.
"""

import logging

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page

from practices.reader import ReaderFallbackRoute

logger = logging.getLogger(__name__)

EDITION_TEXT_FEATURES = ["bold", "italic", "ol", "ul", "link"]
COMMENT_MAX_LENGTH = 2000
RESOLUTION_MAX_LENGTH = 1000


class GuidebookIndexPage(ReaderFallbackRoute, Page):
    """The guidebook of one language: lists its published editions."""

    intro = models.TextField(_("introduction"), blank=True)

    setup_texts = "guidebook"  # kx_platform.site_texts

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["kx_platform.HomePage"]
    subpage_types = ["practices.GuidebookPage"]
    max_count_per_parent = 1
    template = "practices/guidebook/guidebook_index_page.html"

    class Meta:
        verbose_name = _("guidebook")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        from practices.reader import other_language_editions

        context["editions"] = (
            GuidebookPage.objects.live().child_of(self).order_by("-year", "-edition_number")
        )
        context["other_editions"] = other_language_editions(self, request)
        return context

    def fallback_child_model(self):
        return GuidebookPage


class GuidebookPage(RoutablePageMixin, Page):
    """One edition of the guidebook in one language: a web edition and a PDF."""

    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    edition_number = models.PositiveSmallIntegerField(
        _("edition number"), default=1, validators=[MinValueValidator(1)]
    )
    foreword = RichTextField(_("foreword"), features=EDITION_TEXT_FEATURES, blank=True)
    introduction = RichTextField(_("introduction"), features=EDITION_TEXT_FEATURES, blank=True)

    content_panels = [
        *Page.content_panels,
        FieldRowPanel([FieldPanel("year"), FieldPanel("edition_number")]),
        FieldPanel("foreword"),
        FieldPanel("introduction"),
        InlinePanel(
            "chapters",
            label=_("Chapter"),
            heading=_("Chapters"),
            help_text=_(
                "One chapter per pillar by default. Choose the practices of each chapter with "
                "the practice chooser (filters: pillar, region, evidence stage)."
            ),
        ),
    ]
    parent_page_types = ["practices.GuidebookIndexPage"]
    subpage_types = []
    template = "practices/guidebook/guidebook_page.html"

    class Meta:
        verbose_name = _("guidebook edition")
        verbose_name_plural = _("guidebook editions")

    def get_context(self, request, *args, **kwargs):
        from practices.guidebook_views import edition_context

        context = super().get_context(request, *args, **kwargs)
        context.update(edition_context(self, request, draft=False))
        return context

    def save(self, *args, **kwargs):
        """Every publication, whatever the path, ends here (practices.guidebook_publication):
        an edition does not go live while its comments are not dealt with."""
        fields = kwargs.get("update_fields")
        if (fields is None or {"live", "live_revision"} & set(fields)) and self._goes_live():
            from practices.guidebook_publication import check_ready

            check_ready(self)
        return super().save(*args, **kwargs)

    def _goes_live(self):
        """True when this save publishes a revision: Wagtail's PublishRevisionAction sets
        `live` and the new `live_revision`, then saves."""
        if not (self.pk and self.live and self.live_revision_id):
            return False
        return not GuidebookPage.objects.filter(
            pk=self.pk, live=True, live_revision_id=self.live_revision_id
        ).exists()

    def publish(self, revision, *args, log_action=True, **kwargs):
        """Publishing is all or nothing: a refused publication leaves no trace (not even the
        cleared schedules of other revisions). `publish_scheduled` publishes every due
        revision in one loop, so a refused edition is logged and stays scheduled there,
        rather than stopping the loop."""
        from practices.guidebook_publication import SCHEDULED_PUBLICATION, EditionNotReady

        try:
            with transaction.atomic():
                return super().publish(revision, *args, log_action=log_action, **kwargs)
        except EditionNotReady as refusal:
            if log_action != SCHEDULED_PUBLICATION:
                raise
            logger.warning(
                "Scheduled publication of guidebook edition %s postponed: %s",
                self.pk,
                " ".join(refusal.messages),
            )
            return None

    @path("pdf/")
    def pdf(self, request):
        from practices.guidebook_views import serve_pdf

        return serve_pdf(request, self)

    @property
    def language_code(self):
        return self.locale.language_code


class GuidebookChapter(Orderable, ClusterableModel):
    """A chapter of an edition: an introduction and an ordered selection of practices."""

    guidebook = ParentalKey(GuidebookPage, related_name="chapters", on_delete=models.CASCADE)
    title = models.CharField(_("title"), max_length=255)
    pillar = models.ForeignKey(
        "kx_platform.Pillar",
        verbose_name=_("pillar"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The pillar this chapter presents, if any."),
    )
    introduction = RichTextField(_("introduction"), features=EDITION_TEXT_FEATURES, blank=True)

    panels = [
        FieldRowPanel([FieldPanel("title"), FieldPanel("pillar")]),
        FieldPanel("introduction"),
        InlinePanel("selections", label=_("Practice"), heading=_("Practices")),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("chapter")
        verbose_name_plural = _("chapters")

    def __str__(self):
        return self.title


class GuidebookSelection(Orderable):
    """A practice chosen for a chapter. Any language version may be chosen: the edition
    shows the version in its own language when one is published."""

    chapter = ParentalKey(GuidebookChapter, related_name="selections", on_delete=models.CASCADE)
    practice = models.ForeignKey(
        "practices.GoodPracticePage",
        verbose_name=_("practice"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="guidebook_selections",
    )

    panels = [FieldPanel("practice")]

    class Meta(Orderable.Meta):
        verbose_name = _("practice in a chapter")
        verbose_name_plural = _("practices in a chapter")


class GuidebookSnapshot(models.Model):
    """What a published edition holds, frozen at publication: chapters and the full text
    of every selected practice. Readers and the PDF only ever see this."""

    guidebook = models.OneToOneField(
        GuidebookPage, on_delete=models.CASCADE, related_name="snapshot"
    )
    revision = models.ForeignKey(
        "wagtailcore.Revision", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    content = models.JSONField(default=dict)
    content_hash = models.CharField(max_length=64)
    frozen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("frozen guidebook edition")

    def __str__(self):
        return f"{self.guidebook_id} @ {self.frozen_at:%Y-%m-%d}"


class CommentPeriod(models.Model):
    """A draft edition opened to vetted experts for comments until a date (as GCTF does
    for its memoranda). One per edition; moderators may move the closing date."""

    guidebook = models.OneToOneField(
        GuidebookPage, on_delete=models.CASCADE, related_name="comment_period"
    )
    closes_at = models.DateTimeField(_("comments close at"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("comment period")

    def __str__(self):
        return f"{self.guidebook_id} until {self.closes_at:%Y-%m-%d}"

    def is_open(self, now=None):
        return (now or timezone.now()) < self.closes_at


class CommentStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Resolved")


class GuidebookComment(models.Model):
    """An expert's comment on a chapter or on a practice of a draft edition."""

    guidebook = models.ForeignKey(GuidebookPage, on_delete=models.CASCADE, related_name="comments")
    chapter = models.ForeignKey(
        GuidebookChapter, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    practice = models.ForeignKey(
        "practices.GoodPracticePage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # What was commented on, as named when the comment was written (chapters and
    # selections may be removed or renamed later).
    target_label = models.CharField(_("about"), max_length=300)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="guidebook_comments",
        verbose_name=_("author"),
    )
    body = models.TextField(_("comment"), max_length=COMMENT_MAX_LENGTH)
    created_at = models.DateTimeField(_("written"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=10, choices=CommentStatus.choices, default=CommentStatus.OPEN
    )
    resolution_note = models.TextField(
        _("resolution"), max_length=RESOLUTION_MAX_LENGTH, blank=True
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("guidebook comment")
        verbose_name_plural = _("guidebook comments")

    def __str__(self):
        return f"{self.target_label}: {self.body[:40]}"
