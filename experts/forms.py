"""The expert application form, its language and link formsets, and the vetting form."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from experts.models import (
    CONFIGURABLE_FIELDS,
    ExpertLanguage,
    ExpertLink,
    ExpertProfile,
    FieldVisibility,
    Institution,
    PrivacyPolicy,
    SupportOffer,
    VettingAction,
)
from experts.models.privacy import DEFAULT_PROFILE_TIERS, higher, rank
from experts.models.profiles import REASON_MAX_LENGTH, allowed_language_codes
from experts.photos import PhotoField
from kx_platform.bidi import set_text_direction
from kx_platform.formatting import EMPTY_CHOICE_LABEL, country_choices
from kx_platform.models import Pillar, Region
from kx_platform.sanitize import clean_text
from kx_platform.themes import ThemeTagField, theme_help_text

MAX_THEMES = 15
MAX_THEME_LENGTH = 100
MAX_LANGUAGES = 12
MAX_LINKS = 10


def visibility_field_name(name):
    return f"visibility_{name}"


class ExpertProfileForm(forms.ModelForm):
    """The application: what the expert tells about themself and who may see it."""

    photo = PhotoField(
        label=_("Photo"),
        required=False,
        help_text=_("Optional. JPEG, PNG or WebP, at most 5 MB and 4000 × 4000 pixels."),
    )
    support_kinds = forms.MultipleChoiceField(
        label=_("Kinds of support you offer"),
        choices=SupportOffer.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    pillars = forms.ModelMultipleChoiceField(
        label=_("Pillars of the UN Global Counter-Terrorism Strategy"),
        queryset=Pillar.objects.all(),
        widget=forms.CheckboxSelectMultiple,
    )
    regions = forms.ModelMultipleChoiceField(
        label=_("Regions you have worked in"),
        queryset=Region.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = ExpertProfile
        fields = [
            "display_name",
            "professional_title",
            "organisation",
            "institution",
            "country",
            "regions",
            "pillars",
            "themes",
            "years_of_experience",
            "biography",
            "support_kinds",
            "availability",
            "photo",
            "email",
            "phone",
        ]
        widgets = {"biography": forms.Textarea(attrs={"rows": 8})}
        # Any language's comma separates; a theme's name in any language is that theme.
        field_classes = {"themes": ThemeTagField}
        help_texts = {"themes": theme_help_text()}

    def __init__(self, *args, policy=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.policy = policy or PrivacyPolicy.current()
        self.fields["institution"].queryset = Institution.objects.filter(is_published=True)
        self.fields["country"].choices = country_choices()
        minimums = self.policy.minimums()
        chosen = self.instance.visibility if isinstance(self.instance.visibility, dict) else {}
        for name, label in CONFIGURABLE_FIELDS.items():
            minimum = minimums[name]
            choices = [(v, lbl) for v, lbl in FieldVisibility.choices if rank(v) >= rank(minimum)]
            field = forms.ChoiceField(
                label=_("Who may see: %(field)s") % {"field": label},
                label_suffix="",  # the label has its colon already
                choices=choices,
                initial=higher(chosen.get(name, DEFAULT_PROFILE_TIERS[name]), minimum),
            )
            self.fields[visibility_field_name(name)] = field
        set_text_direction(self)

    @property
    def visibility(self):
        """{profile field: its "Who may see" bound field}, so the template places each
        choice next to the field it governs (templates/experts/_field_privacy.html)."""
        return {name: self[visibility_field_name(name)] for name in CONFIGURABLE_FIELDS}

    def clean_biography(self):
        """Plain text through the platform's one sanitizer (kx_platform.sanitize)."""
        return clean_text(self.cleaned_data.get("biography", ""))

    def clean_themes(self):
        themes = self.cleaned_data.get("themes") or []
        if len(themes) > MAX_THEMES:
            raise ValidationError(_("Choose at most %(max)d themes."), params={"max": MAX_THEMES})
        for theme in themes:
            if len(theme) > MAX_THEME_LENGTH:
                raise ValidationError(
                    _("A theme may have at most %(max)d characters."),
                    params={"max": MAX_THEME_LENGTH},
                )
        return themes

    def clean(self):
        cleaned = super().clean()
        minimums = self.policy.minimums()
        visibility = {}
        for name in CONFIGURABLE_FIELDS:
            value = cleaned.get(visibility_field_name(name))
            if value is None:
                continue  # the field has its own error already
            if rank(value) < rank(minimums[name]):  # belt and braces: choices already refuse it
                self.add_error(
                    visibility_field_name(name),
                    _("Moderators require at least “%(tier)s” for this field.")
                    % {"tier": FieldVisibility(minimums[name]).label},
                )
                continue
            visibility[name] = value
        self.instance.visibility = visibility
        return cleaned


class LanguageForm(forms.ModelForm):
    language = forms.ChoiceField(label=_("Language"), choices=())

    class Meta:
        model = ExpertLanguage
        fields = ["language", "level"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = []
        for code in allowed_language_codes():
            try:
                choices.append((code, get_language_info(code)["name_local"]))
            except KeyError:
                choices.append((code, code))
        self.fields["language"].choices = [("", EMPTY_CHOICE_LABEL), *choices]


class BaseLanguageFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        seen = set()
        for form in self.forms:
            if not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            code = form.cleaned_data.get("language")
            if code in seen:
                raise ValidationError(_("Each language can be listed only once."))
            seen.add(code)


class LinkForm(forms.ModelForm):
    url = forms.URLField(
        label=_("Address"),
        max_length=500,
        assume_scheme="https",
        help_text=_("A web address starting with https:// or http://."),
    )

    class Meta:
        model = ExpertLink
        fields = ["title", "url"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        set_text_direction(self)

    def clean_url(self):
        url = self.cleaned_data["url"]
        if not url.lower().startswith(("https://", "http://")):
            raise ValidationError(_("Only web addresses (https:// or http://) are accepted."))
        return url


LanguageFormSet = forms.inlineformset_factory(
    ExpertProfile,
    ExpertLanguage,
    form=LanguageForm,
    formset=BaseLanguageFormSet,
    extra=2,
    max_num=MAX_LANGUAGES,
    validate_max=True,
    can_delete=True,
)
LinkFormSet = forms.inlineformset_factory(
    ExpertProfile,
    ExpertLink,
    form=LinkForm,
    extra=2,
    max_num=MAX_LINKS,
    validate_max=True,
    can_delete=True,
)


class DecisionForm(forms.Form):
    action = forms.ChoiceField(label=_("Decision"), choices=VettingAction.choices)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required to reject, request information or suspend. The expert reads it."),
    )

    def __init__(self, *args, actions=None, **kwargs):
        super().__init__(*args, **kwargs)
        if actions is not None:
            self.fields["action"].choices = [(a.value, a.label) for a in actions]
