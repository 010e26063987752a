"""Forms of the forum. They check shapes and lengths; the rules (who may post, limits,
duplicates) are checked again by experts.forum.posting and moderation, the writers."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from experts.forum.models import (
    BODY_MAX_LENGTH,
    REASON_MAX_LENGTH,
    Category,
    EmailFrequency,
    FlagReason,
    ModerationKind,
)
from experts.forum.moderation import MAX_SUSPENSION_DAYS, POST_ACTIONS
from experts.forum.posting import MAX_THEMES, clean_body, clean_title
from kx_platform.bidi import isolate_syntax_examples, set_text_direction
from kx_platform.models import Theme

BODY_HELP = isolate_syntax_examples(
    _(
        "Markdown: **bold**, _italic_, > quote, - list, `code`, [link](https://…). "
        "Mention someone with @username. At most 20,000 characters."
    )
)


def current_language():
    code = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return code if code in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


class BodyField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Message"))
        kwargs.setdefault("help_text", BODY_HELP)
        super().__init__(
            max_length=BODY_MAX_LENGTH,
            widget=forms.Textarea(attrs={"rows": 10, "dir": "auto"}),
            strip=False,
            **kwargs,
        )

    def clean(self, value):
        return clean_body(super().clean(value))


class LanguageField(forms.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(
            label=_("Language of your message"),
            choices=(),
            help_text=_("Search finds your message in this language."),
            **kwargs,
        )
        self.choices = list(settings.LANGUAGES)


class ThreadForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=1000,  # checked after cleaning (clean_title): invisible characters go first
        widget=forms.TextInput(attrs={"maxlength": 200, "dir": "auto"}),
    )
    body = BodyField()
    language = LanguageField()
    themes = forms.ModelMultipleChoiceField(
        label=_("Themes"),
        queryset=Theme.objects.none(),
        required=False,
        help_text=_("Up to five."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].initial = current_language()
        themes = sorted(Theme.objects.filter(is_curated=True), key=lambda t: t.display_name)
        self.fields["themes"].queryset = Theme.objects.filter(is_curated=True)
        self.fields["themes"].choices = [(t.pk, t.display_name) for t in themes]

    def clean_title(self):
        return clean_title(self.cleaned_data["title"])

    def clean_themes(self):
        themes = self.cleaned_data.get("themes") or []
        if len(themes) > MAX_THEMES:
            raise ValidationError(_("Choose at most %(max)d themes."), params={"max": MAX_THEMES})
        return themes


class ReplyForm(forms.Form):
    body = BodyField(label=_("Your reply"))
    language = LanguageField()
    quote = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].initial = current_language()


class EditForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=1000,
        required=False,
        widget=forms.TextInput(attrs={"maxlength": 200, "dir": "auto"}),
    )
    body = BodyField()

    def __init__(self, *args, opening=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not opening:
            del self.fields["title"]

    def clean_title(self):
        return clean_title(self.cleaned_data["title"])


class FlagForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why should moderators look at this message?"),
        choices=FlagReason.choices,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Anything moderators should know (optional)"),
        max_length=REASON_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        set_text_direction(self)


class PostModerationForm(forms.Form):
    action = forms.ChoiceField(
        choices=[(k.value, k.label) for k in POST_ACTIONS], widget=forms.HiddenInput
    )
    reason = forms.CharField(label=_("Reason"), max_length=REASON_MAX_LENGTH, required=False)


THREAD_CHOICES = [
    (k.value, k.label)
    for k in (
        ModerationKind.LOCK,
        ModerationKind.UNLOCK,
        ModerationKind.PIN,
        ModerationKind.UNPIN,
        ModerationKind.MOVE,
    )
]


class ThreadModerationForm(forms.Form):
    action = forms.ChoiceField(label=_("Action"), choices=THREAD_CHOICES)
    category = forms.ModelChoiceField(
        label=_("Move to"), queryset=Category.objects.all(), required=False
    )
    reason = forms.CharField(label=_("Reason"), max_length=REASON_MAX_LENGTH, required=False)


class UserModerationForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Action"),
        choices=[
            (k.value, k.label)
            for k in (ModerationKind.WARN, ModerationKind.SUSPEND, ModerationKind.UNSUSPEND)
        ],
    )
    days = forms.IntegerField(
        label=_("Days of suspension"), min_value=1, max_value=MAX_SUSPENSION_DAYS, required=False
    )
    reason = forms.CharField(label=_("Reason"), max_length=REASON_MAX_LENGTH, required=False)


class PreferencesForm(forms.Form):
    email_frequency = forms.ChoiceField(
        label=_("E-mail me about forum notifications"),
        choices=EmailFrequency.choices,
        widget=forms.RadioSelect,
    )


class SubscribeForm(forms.Form):
    target = forms.ChoiceField(choices=[("category", "category"), ("thread", "thread")])
    object_id = forms.IntegerField(min_value=1)
    subscribe = forms.BooleanField(required=False)
