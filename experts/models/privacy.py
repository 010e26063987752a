"""Privacy tiers of the expert profile and the moderators' minimum tier per field.

Experts choose, per configurable field, the lowest tier of viewer that may see it;
moderators set, per field, the lowest tier an expert may choose. The effective tier of
a field is the higher of the two, so raising a minimum hides existing profiles at once.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting


class FieldVisibility(models.TextChoices):
    PUBLIC = "public", _("Everyone")
    MEMBERS = "members", _("Signed-in members")
    EXPERTS = "experts", _("Vetted experts")
    MODERATORS = "moderators", _("Moderators only")


TIER_RANK = {
    FieldVisibility.PUBLIC: 0,
    FieldVisibility.MEMBERS: 1,
    FieldVisibility.EXPERTS: 2,
    FieldVisibility.MODERATORS: 3,
}

# The fields an expert may show or hide, with their labels (in form order).
CONFIGURABLE_FIELDS = {
    "organisation": _("Organisation"),
    "institution": _("Institution"),
    "country": _("Country"),
    "biography": _("Biography"),
    "photo": _("Photo"),
    "links": _("Publications and links"),
    "languages": _("Languages"),
    "years_of_experience": _("Years of experience"),
    "availability": _("Availability"),
}

# What moderators allow at least, until they decide otherwise.
DEFAULT_MINIMUM_TIERS = {name: FieldVisibility.PUBLIC for name in CONFIGURABLE_FIELDS} | {
    "photo": FieldVisibility.MEMBERS,
}

# What a new profile starts with: cautious, the expert opens up what they want.
DEFAULT_PROFILE_TIERS = {
    "organisation": FieldVisibility.MEMBERS,
    "institution": FieldVisibility.PUBLIC,
    "country": FieldVisibility.PUBLIC,
    "biography": FieldVisibility.MEMBERS,
    "photo": FieldVisibility.MEMBERS,
    "links": FieldVisibility.MEMBERS,
    "languages": FieldVisibility.PUBLIC,
    "years_of_experience": FieldVisibility.PUBLIC,
    "availability": FieldVisibility.MEMBERS,
}


def rank(tier):
    """The rank of a tier; anything unknown counts as moderators-only (fail closed)."""
    return TIER_RANK.get(tier, TIER_RANK[FieldVisibility.MODERATORS])


def higher(a, b):
    return a if rank(a) >= rank(b) else b


class _PrivacyPolicyFormBase(WagtailAdminModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.instance.minimums() if self.instance else dict(DEFAULT_MINIMUM_TIERS)
        for name in CONFIGURABLE_FIELDS:
            self.initial.setdefault(f"minimum_{name}", current[name])

    def clean(self):
        cleaned = super().clean()
        tiers = {}
        for name in CONFIGURABLE_FIELDS:
            value = cleaned.get(f"minimum_{name}")
            if value not in TIER_RANK:
                raise ValidationError(_("Choose a tier for every field."))
            tiers[name] = value
        self.instance.minimum_tiers = tiers
        return cleaned


# One select per configurable field (declared on the class so that panels can name them).
PrivacyPolicyForm = type(
    "PrivacyPolicyForm",
    (_PrivacyPolicyFormBase,),
    {
        f"minimum_{name}": forms.ChoiceField(label=label, choices=FieldVisibility.choices)
        for name, label in CONFIGURABLE_FIELDS.items()
    },
)


@register_setting(icon="lock")
class PrivacyPolicy(BaseGenericSetting):
    """The lowest tier experts may choose for each configurable profile field."""

    minimum_tiers = models.JSONField(
        _("minimum tier per field"), default=dict, blank=True, editable=False
    )

    base_form_class = PrivacyPolicyForm

    class Meta:
        verbose_name = _("expert privacy policy")

    def minimums(self):
        stored = self.minimum_tiers if isinstance(self.minimum_tiers, dict) else {}
        minimums = {}
        for name, default in DEFAULT_MINIMUM_TIERS.items():
            value = stored.get(name, default)
            minimums[name] = value if value in TIER_RANK else FieldVisibility.MODERATORS
        return minimums

    def minimum_for(self, name):
        return self.minimums()[name]

    @classmethod
    def current(cls):
        return cls.load()


PrivacyPolicy.panels = [
    MultiFieldPanel(
        [FieldPanel(f"minimum_{name}") for name in CONFIGURABLE_FIELDS],
        heading=_("Lowest tier an expert may choose for each field"),
        help_text=_(
            "E-mail and phone are always visible to moderators only. Name, title, pillars, "
            "regions, themes and kinds of support are public once a profile is approved."
        ),
    )
]
