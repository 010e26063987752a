"""allauth's sign-up and password-reset views, all or nothing when the mail cannot go.

Sign-up writes the user and their e-mail address, then sends the confirmation: with the
mail server down, allauth would leave an account nobody can confirm, whose address is
then taken. Here the whole sign-up runs in one transaction, rolled back when the mail
failed (kx_platform.account_adapter), and the form says so: the same address can sign up
again a few minutes later. The password reset form likewise shows the failure itself
rather than "we have sent you an e-mail".
"""

from allauth.account import views as allauth_views
from allauth.account.internal.stagekit import clear_login
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from kx_platform.account_adapter import mail_failed

SIGNUP_MAIL_FAILED = _(
    "We could not send the confirmation e-mail; nothing was saved. "
    "Please try again in a few minutes."
)
RESET_MAIL_FAILED = _(
    "We could not send the password reset e-mail: the mail server is not answering. "
    "Please try again in a few minutes."
)


class _MailFailed(Exception):
    pass


class AllOrNothingMail:
    """Run `form_valid` in a transaction; when an e-mail could not be sent, roll back and
    show the form again with `mail_failed_message`."""

    mail_failed_message = ""

    def form_valid(self, form):
        self.request._kx_mail_reported_by_view = True
        try:
            with transaction.atomic():
                response = super().form_valid(form)
                if mail_failed(self.request):
                    raise _MailFailed
        except _MailFailed:
            clear_login(self.request)  # the pending "verify your address" stage
            form.add_error(None, self.mail_failed_message)
            return self.form_invalid(form)
        return response


class SignupView(AllOrNothingMail, allauth_views.SignupView):
    mail_failed_message = SIGNUP_MAIL_FAILED


class PasswordResetView(AllOrNothingMail, allauth_views.PasswordResetView):
    mail_failed_message = RESET_MAIL_FAILED


signup = SignupView.as_view()
password_reset = PasswordResetView.as_view()
