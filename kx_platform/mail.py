"""Every e-mail goes out from the worker, and none is lost when the mail server is down.

`QueuedEmailBackend` is the default mailer: sending a message (allauth's account mail,
Wagtail's moderation notices, exchanges, the forum) stores it as a `send_email` task,
which the worker hands to the real mailer, `MAILERS["outgoing"]` (SMTP in production).
A request never waits for the mail server, and a request that rolls back sends nothing
(kx_platform.background.enqueue).

When the mail server cannot be reached or answers "try later" (4xx), the task enqueues
itself again after a growing delay (`KX_MAIL_RETRY_BASE_SECONDS` x 2^attempt, at most an
hour, `KX_MAIL_RETRY_ATTEMPTS` attempts in all), so the mail goes out once the server is
back. A refusal that will not change (5xx: no such mailbox) or the last attempt fails the
task, which `manage.py tasks status` then lists and `manage.py tasks retry` runs again.
"""

import base64
import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.core.mail.backends.base import BaseEmailBackend
from django.tasks import task
from django.utils import timezone

from kx_platform import background

logger = logging.getLogger(__name__)

OUTGOING = "outgoing"
# What a mail server that is down or refuses us raises (SMTPException is an OSError).
MAIL_ERRORS = (smtplib.SMTPException, OSError)


class QueuedEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        count = 0
        for message in email_messages:
            if not message.recipients():
                continue
            background.enqueue(send_email, serialize(message))
            count += 1
        return count


# --- A message as JSON (a task's arguments) and back ------------------------------------


def serialize(message):
    data = {
        "subject": str(message.subject),
        "body": str(message.body),
        "from_email": message.from_email or settings.DEFAULT_FROM_EMAIL,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "headers": {str(k): str(v) for k, v in message.extra_headers.items()},
        "content_subtype": message.content_subtype,
        "alternatives": [
            [str(content), mimetype] for content, mimetype in getattr(message, "alternatives", [])
        ],
        "attachments": [],
    }
    for attachment in message.attachments:
        filename, content, mimetype = attachment  # MIMEBase parts are not used by KX
        if isinstance(content, str):
            content = content.encode()
        data["attachments"].append([filename, base64.b64encode(content).decode("ascii"), mimetype])
    return data


def deserialize(data):
    message = EmailMultiAlternatives(
        data["subject"],
        data["body"],
        data["from_email"],
        data["to"],
        cc=data["cc"],
        bcc=data["bcc"],
        reply_to=data["reply_to"],
        headers=data["headers"],
    )
    message.content_subtype = data.get("content_subtype", "plain")
    for content, mimetype in data["alternatives"]:
        message.attach_alternative(content, mimetype)
    for filename, content, mimetype in data["attachments"]:
        message.attach(filename, base64.b64decode(content), mimetype)
    return message


# --- Delivery, with retries ----------------------------------------------------------------


def is_permanent(error):
    """A refusal that a later attempt would get again (5xx)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500
    return False


def retry_delay(attempt):
    base = settings.KX_MAIL_RETRY_BASE_SECONDS
    return timedelta(seconds=min(base * 2**attempt, 3600))


@task()
def send_email(message, attempt=0):
    """Hand one message to the outgoing mailer; on a passing failure, try again later."""
    email = deserialize(message)
    try:
        mailers[OUTGOING].send_messages([email])
    except MAIL_ERRORS as error:
        last = attempt + 1 >= settings.KX_MAIL_RETRY_ATTEMPTS
        if is_permanent(error) or last or not background.can_defer(send_email):
            logger.error(
                "Sending the e-mail “%s” failed for good (attempt %d): %s",
                email.subject,
                attempt + 1,
                error,
            )
            raise
        when = timezone.now() + retry_delay(attempt)
        send_email.using(run_after=when).enqueue(message, attempt + 1)
        logger.warning(
            "Sending the e-mail “%s” failed (attempt %d, %s); trying again at %s",
            email.subject,
            attempt + 1,
            error,
            when.isoformat(timespec="seconds"),
        )
        return {"retry_at": when.isoformat(), "attempt": attempt + 1}
    return {"sent_to": len(email.recipients())}
