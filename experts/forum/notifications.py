"""Who hears about a forum post, on the site and by e-mail.

On-site notifications are the experts app's `Notification` rows (the same list and
unread badge as exchange requests). E-mail follows each user's choice
(`ForumMember.email_frequency`): at once, in a daily digest (`manage.py forum_digest`),
or never. Every e-mail carries an unsubscribe link with a signed token that works
without signing in (and a List-Unsubscribe header for one-click unsubscribe).

Nobody is told about a post they may not read: subscribers and mentioned users are
filtered by the category's visibility.

Everything is written in the recipient's language (`recipient_language`), not the
language of whoever triggered it: callers pass a message marked with gettext_noop and
its parameters, and it is translated per recipient.
"""

import logging
from collections import Counter

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from wagtail.users.models import UserProfile

from experts.forum import roles
from experts.forum.models import DigestItem, EmailFrequency, ForumMember, Subscription
from experts.models import Notification
from kx_platform.mail import MAIL_ERRORS

logger = logging.getLogger(__name__)

TOKEN_SALT = "kx.forum.unsubscribe"
MAX_MENTIONS = 10


# --- Unsubscribe tokens ----------------------------------------------------------------


def unsubscribe_token(user, kind, object_id=0):
    """A signed token: "thread"/"category" stops one subscription, "email" all forum
    e-mail. It never expires (old e-mails keep working) and names no address."""
    return signing.dumps({"u": user.pk, "k": kind, "i": int(object_id)}, salt=TOKEN_SALT)


def read_token(token):
    """(user, kind, object_id) from a token, or None when it is not genuine."""
    try:
        data = signing.loads(token, salt=TOKEN_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("k") not in ("thread", "category", "email"):
        return None
    user = get_user_model().objects.filter(pk=data.get("u")).first()
    if user is None:
        return None
    return user, data["k"], int(data.get("i") or 0)


def apply_unsubscribe(user, kind, object_id):
    if kind == "thread":
        Subscription.objects.filter(user=user, thread_id=object_id).delete()
    elif kind == "category":
        Subscription.objects.filter(user=user, category_id=object_id).delete()
    else:
        ForumMember.objects.update_or_create(
            user=user, defaults={"email_frequency": EmailFrequency.NEVER}
        )


def absolute(path):
    return f"{getattr(settings, 'WAGTAILADMIN_BASE_URL', '').rstrip('/')}{path}"


def unsubscribe_url(token):
    return absolute(reverse("forum_unsubscribe", kwargs={"token": token}))


# --- Sending ---------------------------------------------------------------------------


def frequency(user):
    record = ForumMember.objects.filter(user=user).only("email_frequency").first()
    return record.email_frequency if record else EmailFrequency.IMMEDIATE


def _supported(code):
    try:
        return translation.get_supported_language_variant(code) if code else None
    except LookupError:
        return None


def chosen_language(user):
    """The interface language `user` chose, or None. The only one the project stores is
    Wagtail's account setting, `UserProfile.preferred_language` (allauth and the expert
    profile keep none; the profile's languages are those the expert speaks)."""
    chosen = (
        UserProfile.objects.filter(user=user).values_list("preferred_language", flat=True).first()
    )
    return _supported(chosen)


def recipient_language(user, thread=None):
    """The language to write to `user` in: the one they chose, else the thread's, else
    the site's default."""
    return (
        chosen_language(user)
        or _supported(getattr(thread, "language", None))
        or settings.LANGUAGE_CODE
    )


def translated(message, params, language):
    """`message` (marked with gettext_noop) translated into `language`, then filled in."""
    with translation.override(language):
        return (_(message) % params)[:255]


def tell(user, message, params, url, *, thread=None):
    """An on-site notification only, in the user's language; returns (text, url, language).
    `url` may be a callable (`post.get_absolute_url`): it is then called in that language,
    so that the link opens the site in it too. Nobody to tell once the account is gone
    (`user` None: a former member's post): returns None."""
    if user is None:
        return None
    language = recipient_language(user, thread)
    text = translated(message, params, language)
    if callable(url):
        with translation.override(language):
            url = url()
    Notification.objects.create(user=user, text=text, url=url)
    return text, url, language


def notify(user, message, params, url, *, thread=None, token_kind=None, token_id=0):
    """Tell `user` on the site, then by e-mail as they prefer, in their language.
    `message` is marked with gettext_noop; `params` fill it in; `url` as in `tell`."""
    if user is None:
        return
    text, url, language = tell(user, message, params, url, thread=thread)
    if not user.email:
        return
    how = frequency(user)
    if how == EmailFrequency.NEVER:
        return
    token = unsubscribe_token(user, token_kind or "email", token_id)
    if how == EmailFrequency.DAILY:
        DigestItem.objects.create(
            user=user, text=text, url=url, unsubscribe_token=token, language=language
        )
        return
    # The default mailer queues the mail as a task of this transaction (kx_platform.mail):
    # it goes out once the notification is committed, from the worker.
    try:
        _mail_one(user, text, url, token, language)
    except MAIL_ERRORS:  # a synchronous mailer (not the platform's queue) failed
        logger.exception("Sending a forum e-mail to user %s failed", user.pk)


def _mail(user, subject, body, token):
    """Send one forum e-mail; call it with the recipient's language active."""
    link = unsubscribe_url(token)
    body = f"{body}\n\n-- \n" + _("Stop these e-mails (no sign-in needed): %(url)s") % {"url": link}
    message = EmailMessage(
        subject,
        body,
        None,
        [user.email],
        headers={
            "List-Unsubscribe": f"<{link}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.send()


def _mail_one(user, text, url, token, language):
    with translation.override(language):
        body = _("%(text)s\n\nRead it here:\n%(url)s") % {"text": text, "url": absolute(url)}
        _mail(user, _("[KX forum] %(text)s") % {"text": text[:90]}, body, token)


def _digest_language(user, items):
    """The user's chosen language, else the one most of the items are written in."""
    counts = Counter(item.language for item in items if _supported(item.language))
    return (
        chosen_language(user)
        or (counts.most_common(1)[0][0] if counts else None)
        or settings.LANGUAGE_CODE
    )


def send_digests(now=None):
    """One e-mail per user with waiting digest items; returns how many were sent."""
    now = now or timezone.now()
    waiting = DigestItem.objects.filter(sent_at__isnull=True).select_related("user")
    by_user = {}
    for item in waiting:
        by_user.setdefault(item.user, []).append(item)
    sent = 0
    for user, items in by_user.items():
        if user.email and frequency(user) == EmailFrequency.DAILY:
            lines = [f"- {item.text}\n  {absolute(item.url)}" for item in items]
            with translation.override(_digest_language(user, items)):
                body = _("What happened in the KX experts' forum since your last digest:")
                body += "\n\n" + "\n".join(lines)
                subject = _("[KX forum] Your daily digest: %(count)d updates") % {
                    "count": len(items)
                }
                try:
                    _mail(user, subject, body, unsubscribe_token(user, "email"))
                except Exception:
                    logger.exception("Sending the forum digest to user %s failed", user.pk)
                    continue
            sent += 1
        DigestItem.objects.filter(pk__in=[i.pk for i in items]).update(sent_at=now)
        ForumMember.objects.update_or_create(user=user, defaults={"last_digest_at": now})
    return sent


# --- What a new post triggers ----------------------------------------------------------


def mentioned_users(post):
    from kx_platform.sanitize import mentioned_usernames

    names = mentioned_usernames(post.body)[:MAX_MENTIONS]
    if not names:
        return []
    users = []
    model = get_user_model()
    for name in names:
        user = model.objects.filter(username__iexact=name, is_active=True).first()
        if user is not None and user.pk != post.author_id and user not in users:
            users.append(user)
    return users


def post_published(post):
    """Notify the mentioned users, then the thread's and category's subscribers (each
    user once, only those who may read the category)."""
    thread = post.thread
    category = thread.category
    author = roles.display_name(post.author)
    url = post.get_absolute_url
    told = {post.author_id}
    with transaction.atomic():
        for user in mentioned_users(post):
            if not roles.can_read(user, category):
                continue
            told.add(user.pk)
            notify(
                user,
                gettext_noop("%(name)s mentioned you in “%(title)s”"),
                {"name": author, "title": thread.title},
                url,
                thread=thread,
                token_kind="email",
            )
        subscriptions = Subscription.objects.filter(thread=thread) | Subscription.objects.filter(
            category=category
        )
        for sub in subscriptions.select_related("user").order_by("thread_id", "pk"):
            user = sub.user
            if user.pk in told or not user.is_active or not roles.can_read(user, category):
                continue
            told.add(user.pk)
            if post.is_opening:
                # The category itself, not its name: str() gives its name in the language
                # active when the message is filled in, the recipient's.
                message = gettext_noop("New thread in %(category)s: “%(title)s”")
                params = {"category": category, "title": thread.title}
            else:
                message = gettext_noop("%(name)s replied in “%(title)s”")
                params = {"name": author, "title": thread.title}
            kind, object_id = ("thread", thread.pk) if sub.thread_id else ("category", category.pk)
            notify(user, message, params, url, thread=thread, token_kind=kind, token_id=object_id)


# --- What moderators hear of -------------------------------------------------------------


def moderators():
    """Everyone who may moderate the forum (superusers included)."""
    return get_user_model().objects.with_perm(
        roles.MODERATE_PERMISSION,
        is_active=True,
        backend="django.contrib.auth.backends.ModelBackend",
    )


def _tell_moderators(post, message, params):
    def review_url():
        return reverse("forum_moderate_post", kwargs={"pk": post.pk})

    for moderator in moderators().exclude(pk=post.author_id):
        tell(moderator, message, params, review_url, thread=post.thread)


def post_awaits_approval(post):
    """A new member's post went to the moderation queue (on the site only)."""
    _tell_moderators(
        post,
        gettext_noop("A new member's message in “%(title)s” waits for approval."),
        {"title": post.thread.title},
    )


def post_hidden_by_flags(post, flags):
    """Flags from vetted members hid a post until a moderator reviews it."""
    _tell_moderators(
        post,
        gettext_noop("A message in “%(title)s” was hidden after %(count)d flags: review it."),
        {"title": post.thread.title, "count": flags},
    )
