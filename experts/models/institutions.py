"""Centres of excellence: the institutions of the South that hold CT/PVE expertise."""

from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager
from taggit.models import ItemBase
from wagtail.admin.panels import FieldPanel

from kx_platform.models import Theme

DESCRIPTION_MAX_LENGTH = 2000


class InstitutionKind(models.TextChoices):
    GOVERNMENT_AGENCY = "government_agency", _("Government agency")
    RESEARCH_CENTRE = "research_centre", _("Research centre")
    TRAINING_CENTRE = "training_centre", _("Training centre")
    NGO = "ngo", _("Non-governmental organisation")
    REGIONAL_ORGANISATION = "regional_organisation", _("Regional organisation")
    ACADEMIC = "academic", _("Academic institution")


class InstitutionTheme(ItemBase):
    """Links an institution to a theme (the through model of its taggit manager)."""

    tag = models.ForeignKey(Theme, related_name="institution_items", on_delete=models.CASCADE)
    content_object = models.ForeignKey(
        "experts.Institution", related_name="theme_items", on_delete=models.CASCADE
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["content_object", "tag"], name="unique_theme_per_institution"
            )
        ]


class Institution(models.Model):
    """A centre of excellence; moderators create and publish them."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True, allow_unicode=True)
    country = models.ForeignKey(
        "kx_platform.Country",
        verbose_name=_("country"),
        related_name="institutions",
        on_delete=models.PROTECT,
    )
    kind = models.CharField(_("kind"), max_length=30, choices=InstitutionKind.choices)
    pillars = models.ManyToManyField(
        "kx_platform.Pillar", verbose_name=_("pillars"), related_name="institutions", blank=True
    )
    themes = TaggableManager(through=InstitutionTheme, verbose_name=_("themes"), blank=True)
    website = models.URLField(_("website"), max_length=500, blank=True)
    description = models.TextField(
        _("description"),
        max_length=DESCRIPTION_MAX_LENGTH,
        blank=True,
        validators=[MaxLengthValidator(DESCRIPTION_MAX_LENGTH)],
        help_text=_("Plain text, at most 2000 characters."),
    )
    is_published = models.BooleanField(
        _("published"),
        default=False,
        help_text=_("Only published institutions appear on the site and in the expert form."),
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("kind"),
        FieldPanel("country"),
        FieldPanel("pillars"),
        FieldPanel("themes"),
        FieldPanel("website"),
        FieldPanel("description"),
        FieldPanel("is_published"),
    ]

    class Meta:
        ordering = ["name"]
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("institution_detail", kwargs={"slug": self.slug})
