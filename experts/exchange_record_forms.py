"""Forms of the exchange records: the moderators' admin form and the recipient's review."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from experts.currencies import currency_choices
from experts.models import ConfirmationStatus
from experts.models.exchanges import NOTE_MAX_LENGTH, record_problems
from kx_platform.formatting import EMPTY_CHOICE_LABEL
from kx_platform.sanitize import clean_text


class ExchangeRecordAdminForm(WagtailAdminModelForm):
    """The record as moderators enter it: the same checks as the model (record_problems),
    reported on the form's fields before the model runs them again."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "currency" in self.fields:
            # Still a text field underneath: the model's checks name a bad code themselves.
            self.fields["currency"].widget = forms.Select(
                choices=[("", EMPTY_CHOICE_LABEL), *currency_choices()]
            )

    def clean_currency(self):
        return (self.cleaned_data.get("currency") or "").strip().upper()

    def clean(self):
        cleaned = super().clean()
        provider, recipient = cleaned.get("provider_country"), cleaned.get("recipient_country")
        practice = cleaned.get("practice")
        problems = record_problems(
            provider=provider.pk if provider else None,
            recipient=recipient.pk if recipient else None,
            start=cleaned.get("start_date"),
            end=cleaned.get("end_date"),
            value=cleaned.get("value"),
            currency=cleaned.get("currency"),
            practice=practice.pk if practice else None,
            practice_use=cleaned.get("practice_use"),
        )
        for name, message in problems.items():
            if name in self.fields and name in cleaned:
                self.add_error(name, message)
            elif name not in self.errors:
                self.add_error(None, message)
        return cleaned


class RecordReviewForm(forms.Form):
    """Confirm, or dispute with a reason."""

    status = forms.ChoiceField(
        label=_("Your answer"),
        choices=[
            (ConfirmationStatus.CONFIRMED, _("Confirm: the record is right")),
            (ConfirmationStatus.DISPUTED, _("Dispute: the record is wrong")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=NOTE_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required for a dispute: say what is wrong (countries, kind, dates, value)."),
    )

    def clean_reason(self):
        return clean_text(self.cleaned_data.get("reason", ""))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("status") == ConfirmationStatus.DISPUTED and not cleaned.get("reason"):
            self.add_error(
                "reason", _("Say what is wrong with the record: a dispute needs a reason.")
            )
        return cleaned
