"""allauth's account forms with the length limits of what they keep or look up.

allauth's e-mail fields accept 320 characters (RFC 5321's path limit) while its
`EmailAddress` and Django's user keep 254, and its login field has no limit at all: an
over-long value would pass the form and then fail in the database (PostgreSQL refuses
it), or be hashed and looked up for nothing. Here the form refuses it with a message.
Installed through `ACCOUNT_FORMS`.
"""

from allauth.account import forms as allauth_forms
from django.core.validators import MaxLengthValidator

EMAIL_MAX_LENGTH = 254  # allauth's ACCOUNT_EMAIL_MAX_LENGTH, Django's user e-mail
LOGIN_MAX_LENGTH = 254  # an e-mail address or a username (150)

LIMITS = {"email": EMAIL_MAX_LENGTH, "login": LOGIN_MAX_LENGTH}


def limit_lengths(form):
    for name, limit in LIMITS.items():
        field = form.fields.get(name)
        if field is None:
            continue
        field.max_length = limit
        field.validators.append(MaxLengthValidator(limit))
        field.widget.attrs["maxlength"] = str(limit)


class LimitedLengths:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit_lengths(self)


class LoginForm(LimitedLengths, allauth_forms.LoginForm):
    pass


class SignupForm(LimitedLengths, allauth_forms.SignupForm):
    pass


class AddEmailForm(LimitedLengths, allauth_forms.AddEmailForm):
    pass


class ResetPasswordForm(LimitedLengths, allauth_forms.ResetPasswordForm):
    pass
