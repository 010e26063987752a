"""What the search app stores in the main database: the outbox and the glossary."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.search import index


class OutboxEntry(models.Model):
    """A change to index, written in the same transaction as the change itself.

    After commit a task drains entries into the embedded index (search.tasks);
    `search_sync` drains them into Elasticsearch. An entry stays until every configured
    backend has taken it, so a crash or an Elasticsearch outage between commit and
    indexing loses nothing.
    """

    class Action(models.TextChoices):
        INDEX = "index", _("index")
        DELETE = "delete", _("delete")

    content_type = models.CharField(max_length=40)
    object_id = models.PositiveBigIntegerField()
    action = models.CharField(max_length=10, choices=Action.choices)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    embedded_done = models.BooleanField(default=False, db_index=True)
    elasticsearch_done = models.BooleanField(default=False, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("search outbox entry")
        verbose_name_plural = _("search outbox entries")

    def __str__(self):
        return f"{self.action} {self.content_type}:{self.object_id}"


class GlossaryConcept(index.Indexed, models.Model):
    """A CT/PVE concept with its terms in each language, for cross-language search.

    The curated base glossary lives in search/data/glossary.json; moderators extend it
    here. Each language field holds one term per line, the preferred term first.
    """

    key = models.SlugField(_("key"), unique=True, max_length=80)
    terms_ar = models.TextField(_("Arabic terms"), blank=True, help_text=_("One term per line."))
    terms_en = models.TextField(_("English terms"), blank=True, help_text=_("One term per line."))
    terms_fr = models.TextField(_("French terms"), blank=True, help_text=_("One term per line."))
    terms_es = models.TextField(_("Spanish terms"), blank=True, help_text=_("One term per line."))

    panels = [
        FieldPanel(
            "key",
            help_text=_(
                "A short identifier such as cattle-rustling. The key of a concept of the"
                " curated glossary adds these terms to that concept."
            ),
        ),
        MultiFieldPanel(
            [
                FieldPanel("terms_ar"),
                FieldPanel("terms_en"),
                FieldPanel("terms_fr"),
                FieldPanel("terms_es"),
            ],
            heading=_("Terms"),
        ),
    ]
    search_fields = [
        index.SearchField("key"),
        index.SearchField("terms_en"),
        index.SearchField("terms_ar"),
        index.SearchField("terms_fr"),
        index.SearchField("terms_es"),
    ]

    class Meta:
        ordering = ["key"]
        verbose_name = _("glossary concept")
        verbose_name_plural = _("glossary concepts")

    def __str__(self):
        return self.key

    def terms(self):
        """{language: [terms]} with blank lines dropped."""
        return {
            code: [t.strip() for t in getattr(self, f"terms_{code}").splitlines() if t.strip()]
            for code in ("ar", "en", "fr", "es")
        }

    def preferred_terms(self):
        """{language: the preferred (first) term, or ""}, for the admin's list."""
        return {code: terms[0] if terms else "" for code, terms in self.terms().items()}

    def clean(self):
        terms = self.terms()
        if not any(terms.values()):
            raise ValidationError(_("Give at least one term."))
        too_long = {
            f"terms_{code}": _("A term may have at most 100 characters.")
            for code, language_terms in terms.items()
            if any(len(t) > 100 for t in language_terms)
        }
        if too_long:
            raise ValidationError(too_long)
