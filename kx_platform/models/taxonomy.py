"""The classification axes every app shares: pillars, regions, countries, themes.

Names are stored once per UN language (ar, en, fr, es, ru, zh) so that Russian and
Chinese only need switching on in settings.LANGUAGES; English is the fallback.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import ProtectedError
from django.utils.text import format_lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from taggit.models import TagBase
from wagtail.admin.panels import FieldPanel, MultiFieldPanel

UN_LANGUAGES = ("ar", "en", "fr", "es", "ru", "zh")


def active_language_code():
    """The active interface language as a two-letter code ('zh-hans' -> 'zh')."""
    return (get_language() or settings.LANGUAGE_CODE).split("-")[0].lower()


def language_label(label, code):
    """A field label that names its language: "name (AR)"."""
    return format_lazy("{label} ({code})", label=label, code=code.upper())


def add_localized_fields(model, name, make_field):
    """Add `<name>_<lang>` for every UN language; English is the required one."""
    for code in UN_LANGUAGES:
        field = make_field(required=(code == "en"))
        field.verbose_name = language_label(field.verbose_name, code)
        model.add_to_class(f"{name}_{code}", field)


def localized_panels(name, heading):
    """One panel per configured interface language, in settings order."""
    codes = [code.split("-")[0] for code, _label in settings.LANGUAGES]
    fields = [FieldPanel(f"{name}_{code}") for code in codes if code in UN_LANGUAGES]
    return MultiFieldPanel(fields, heading=heading)


class LocalizedText:
    """Read a per-language field in the active language, falling back to English."""

    def localized(self, name):
        value = getattr(self, f"{name}_{active_language_code()}", "")
        return value or getattr(self, f"{name}_en")


class Pillar(LocalizedText, models.Model):
    """A pillar of the UN Global Counter-Terrorism Strategy (A/RES/60/288)."""

    number = models.PositiveSmallIntegerField(_("number"), unique=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("pillar")
        verbose_name_plural = _("pillars")

    def __str__(self):
        return f"{self.roman}. {self.short_name}"

    @property
    def roman(self):
        return {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V", 6: "VI"}.get(
            self.number, str(self.number)
        )

    @property
    def name(self):
        return self.localized("name")

    @property
    def short_name(self):
        return self.localized("short_name")

    @property
    def description(self):
        return self.localized("description")

    def usage_count(self):
        return self.practices.count()

    def delete(self, *args, **kwargs):
        if self.usage_count():
            raise ProtectedError(
                _("This pillar is used by practices and cannot be deleted."), {self}
            )
        return super().delete(*args, **kwargs)


add_localized_fields(
    Pillar,
    "name",
    lambda required: models.CharField(_("official name"), max_length=300, blank=not required),
)
add_localized_fields(
    Pillar,
    "short_name",
    lambda required: models.CharField(_("short name"), max_length=80, blank=not required),
)
add_localized_fields(
    Pillar,
    "description",
    lambda required: models.TextField(_("description"), blank=True),
)
Pillar.panels = [
    FieldPanel("number"),
    localized_panels("name", _("Official name")),
    localized_panels("short_name", _("Short name")),
    localized_panels("description", _("Description")),
]


class Region(LocalizedText, models.Model):
    """A region of the South named by the project; moderators may add more."""

    slug = models.SlugField(_("slug"), unique=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=10)
    is_global_south = models.BooleanField(
        _("region of the Global South"),
        default=True,
        help_text=_("Regions outside the South hold partner countries of triangular cooperation."),
    )

    class Meta:
        ordering = ["sort_order", "slug"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self):
        return self.name

    @property
    def name(self):
        return self.localized("name")


add_localized_fields(
    Region,
    "name",
    lambda required: models.CharField(_("name"), max_length=120, blank=not required),
)
Region.panels = [
    FieldPanel("slug"),
    localized_panels("name", _("Name")),
    FieldPanel("sort_order"),
    FieldPanel("is_global_south"),
]


class Country(models.Model):
    """An ISO 3166-1 country; its localized name comes from django-countries."""

    code = models.CharField(_("ISO 3166-1 code"), max_length=2, primary_key=True)
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        related_name="countries",
        on_delete=models.PROTECT,
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("country")
        verbose_name_plural = _("countries")

    def __str__(self):
        return self.name

    @property
    def name(self):
        return str(countries.name(self.code)) or self.code

    panels = [FieldPanel("code", read_only=True), FieldPanel("region")]


class Theme(TagBase):
    """A theme (django-taggit tag) with its name in each UN language.

    The curated seed list comes from DOMAIN.md; experts may add free themes, which
    then only have their canonical `name` until a moderator translates them.
    """

    is_curated = models.BooleanField(_("curated"), default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")

    @property
    def display_name(self):
        return getattr(self, f"name_{active_language_code()}", "") or self.name

    def clean(self):
        """A name holding a list separator or a quote could not be typed back as one
        theme (kx_platform.themes.parse_tag_list)."""
        from kx_platform.themes import SEPARATORS

        forbidden = set(SEPARATORS) | {'"'}
        errors = {}
        for field in [f for f in self._meta.get_fields() if f.name.startswith("name")]:
            value = getattr(self, field.name, "") or ""
            if forbidden & set(value):
                errors[field.name] = ValidationError(
                    _("A theme name cannot contain commas, semicolons or quotes: %(chars)s"),
                    params={"chars": " ".join(SEPARATORS) + ' "'},
                )
        if errors:
            raise ValidationError(errors)


for _code in UN_LANGUAGES:
    if _code != "en":
        Theme.add_to_class(f"name_{_code}", models.CharField(_("name"), max_length=100, blank=True))
Theme.panels = [
    FieldPanel("name"),
    FieldPanel("slug"),
    MultiFieldPanel(
        [FieldPanel(f"name_{c}") for c in UN_LANGUAGES if c != "en"],
        heading=_("Translations"),
    ),
    FieldPanel("is_curated"),
]
