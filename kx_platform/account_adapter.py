"""allauth's account adapter: no request fails because the mail server is down.

The platform's mailer queues every message for the worker (kx_platform.mail), which
retries while the mail server is down, so sending cannot fail in a request. This adapter
covers a synchronous mailer (a deployment that sets MAILERS["default"] to SMTP itself):
every account e-mail (the address confirmation at sign-up and its re-sending, password
reset, "an account already exists", security notices) goes through `send_mail`. When the
mail server cannot be reached or refuses the message, the error is logged, the request is
marked (`mail_failed(request)`) and the member told with a translated message instead of
a 500; allauth's own "e-mail sent" message is then left out. Views that must not leave
anything half-done (sign-up, kx_platform.account_views) roll back when the mail failed,
and the rate limit the attempt used is given back.
Installed through `ACCOUNT_ADAPTER`.
"""

import logging

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import ratelimit
from django.contrib import messages
from django.utils.translation import gettext_lazy as _

from kx_platform.mail import MAIL_ERRORS

logger = logging.getLogger(__name__)


MAIL_FAILED = _(
    "We could not send the e-mail: the mail server is not answering. "
    "Please try again in a few minutes."
)

# allauth's messages that say a mail went out.
SENT_MESSAGES = {
    "account/messages/email_confirmation_sent.txt",
    "account/messages/email_confirmation_sent_to_address.txt",
}


# The rate limits a mail that never went must not use up (so that "try again" works).
RATE_LIMIT_OF = {
    "account/email/email_confirmation": "confirm_email",
    "account/email/email_confirmation_signup": "confirm_email",
    "account/email/password_reset_key": "reset_password",
}


def mail_failed(request):
    return getattr(request, "_kx_mail_failed", False)


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix, email, context):
        try:
            super().send_mail(template_prefix, email, context)
        except MAIL_ERRORS:
            logger.exception("Sending the account e-mail %s failed", template_prefix)
            request = self.request
            if request is None:
                raise
            request._kx_mail_failed = True
            if template_prefix in RATE_LIMIT_OF:
                ratelimit.clear(request, action=RATE_LIMIT_OF[template_prefix], key=email.lower())
            if not getattr(request, "_kx_mail_reported_by_view", False):
                messages.error(request, MAIL_FAILED)

    def add_message(self, request, level, message_template=None, *args, **kwargs):
        if mail_failed(request) and message_template in SENT_MESSAGES:
            return
        super().add_message(request, level, message_template, *args, **kwargs)
