"""The admin form of a practice: the checks a moderator should not have to make by hand."""

from django import forms
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm

from kx_platform.formatting import sort_country_field
from practices.choices import SupportKind

# Addresses under a library that belong to views, not practices (practices.submission_urls,
# the feed): a practice with one of these slugs could never be opened.
RESERVED_SLUGS = frozenset({"submit", "mine", "feed"})


class GoodPracticePageForm(WagtailAdminPageForm):
    support_kinds = forms.MultipleChoiceField(
        label=_("Kinds of support offered"),
        choices=SupportKind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "pillars" in self.fields:
            self.fields["pillars"].widget = forms.CheckboxSelectMultiple(
                choices=self.fields["pillars"].choices
            )
            self.fields["pillars"].error_messages["required"] = _(
                "Choose at least one pillar of the UN Global Counter-Terrorism Strategy."
            )
        if "countries" in self.fields:
            self.fields["countries"].error_messages["required"] = _(
                "Name at least one implementing country."
            )
        for name in ("countries", "partner_countries"):
            if name in self.fields:
                field = self.fields[name]
                field.error_messages["invalid_choice"] = _("%(value)s is not a known country code.")
                field.error_messages["invalid_pk_value"] = _("%(pk)s is not a known country code.")
                # Sort by the name in the editor's language, not by ISO code.
                sort_country_field(field)

    # Rich text that must say something: an editor's empty paragraph is not an answer.
    required_rich_text = ("human_rights",)

    def clean(self):
        cleaned = super().clean()
        deferred = getattr(self, "deferred_required_fields", [])  # a draft may be incomplete
        for name in self.required_rich_text:
            if name in deferred:
                continue
            if name in cleaned and not strip_tags(cleaned[name] or "").strip():
                self.add_error(name, forms.Field.default_error_messages["required"])
        if (cleaned.get("slug") or "").lower() in RESERVED_SLUGS:
            self.add_error("slug", _("This address is reserved by the site: choose another slug."))
        start, end = cleaned.get("start_year"), cleaned.get("end_year")
        if start and end and end < start:
            self.add_error("end_year", _("The end year cannot be before the start year."))
        countries = cleaned.get("countries")
        if countries and "regions" in cleaned:
            regions = {r.pk: r for r in cleaned.get("regions") or []}
            for country in countries:
                regions.setdefault(country.region_id, country.region)
            cleaned["regions"] = list(regions.values())
        return cleaned
