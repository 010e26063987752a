"""Forms of the exchange requests: asking, answering and closing."""

from django import forms
from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from experts.models import ExchangeRequest, ExchangeState
from experts.models.exchanges import MESSAGE_MAX_LENGTH, NOTE_MAX_LENGTH
from kx_platform.bidi import set_text_direction
from kx_platform.formatting import sort_country_field
from kx_platform.models import Country
from kx_platform.sanitize import clean_text


class ExchangeRequestForm(forms.ModelForm):
    language = forms.ChoiceField(label=_("Preferred language"), choices=())
    requesting_country = forms.ModelChoiceField(
        label=_("Requesting country"),
        queryset=Country.objects.all(),
        help_text=_("The country that receives the support."),
    )
    message = forms.CharField(
        label=_("Message"),
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Plain text, at most 5000 characters. Do not include contact details."),
    )

    class Meta:
        model = ExchangeRequest
        fields = [
            "topic",
            "support_kind",
            "requesting_country",
            "language",
            "start_date",
            "end_date",
            "message",
        ]
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}),
            "end_date": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = list(settings.LANGUAGES)
        sort_country_field(self.fields["requesting_country"])
        set_text_direction(self)
        current = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
        if current in dict(settings.LANGUAGES):
            self.fields["language"].initial = current
        profile = getattr(user, "expert_profile", None) if user else None
        if profile is not None:
            self.fields["requesting_country"].initial = profile.country_id

    def clean_topic(self):
        return clean_text(self.cleaned_data.get("topic", ""), multiline=False)

    def clean_message(self):
        """Plain text through the platform's one sanitizer (kx_platform.sanitize)."""
        message = clean_text(self.cleaned_data.get("message", ""))
        if not message:
            raise forms.ValidationError(_("Write a message."))
        return message

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date cannot be before the start date."))
        return cleaned

    def _post_clean(self):
        # The model's own checks (one target, dates) run in create_request(), once the
        # target is known; here only the fields are validated.
        pass


class TransitionForm(forms.Form):
    to_state = forms.ChoiceField(choices=ExchangeState.choices, widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Note"), max_length=NOTE_MAX_LENGTH, required=False, widget=forms.Textarea
    )
    share_email = forms.BooleanField(label=_("Share my contact e-mail"), required=False)
    share_phone = forms.BooleanField(label=_("Share my phone number"), required=False)

    def clean_note(self):
        return clean_text(self.cleaned_data.get("note", ""))


class CloseForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for closing"),
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Both parties read it."),
    )
