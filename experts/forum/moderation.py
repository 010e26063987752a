"""Flags and moderation: the only code that hides, restores, approves or deletes posts,
locks, pins or moves threads, and warns or suspends members. Every action writes a
`ModerationAction` row in the same transaction.

FLAGS_TO_HIDE flags from distinct vetted users (approved experts or moderators) hide a
post until a moderator reviews it; flags from other members go to the queue only.
"""

from datetime import timedelta

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from experts.forum import roles
from experts.forum.models import (
    REASON_MAX_LENGTH,
    Category,
    Flag,
    FlagReason,
    ForumMember,
    ModerationAction,
    ModerationKind,
    Post,
    PostState,
    Thread,
)
from experts.forum.posting import count_towards, rate_key
from kx_platform import background
from kx_platform.sanitize import clean_text

FLAGS_TO_HIDE = 3
FLAG_RATE_LIMIT = 10  # flags per user …
FLAG_RATE_WINDOW = 3600  # … per hour
MAX_SUSPENSION_DAYS = 365

K = ModerationKind
S = PostState

# action: (states it may start from, state it leads to)
POST_ACTIONS = {
    K.APPROVE: ({S.PENDING}, S.PUBLISHED),
    K.REJECT: ({S.PENDING}, S.REJECTED),
    K.HIDE: ({S.PUBLISHED}, S.HIDDEN),
    K.RESTORE: ({S.HIDDEN, S.DELETED, S.REJECTED}, S.PUBLISHED),
    K.DELETE: ({S.PUBLISHED, S.HIDDEN, S.PENDING}, S.DELETED),
    K.DISMISS_FLAGS: ({S.PUBLISHED, S.HIDDEN}, S.PUBLISHED),
}
THREAD_ACTIONS = (K.LOCK, K.UNLOCK, K.PIN, K.UNPIN, K.MOVE)
REASON_REQUIRED = {K.HIDE, K.DELETE, K.REJECT, K.WARN, K.SUSPEND}


def _require_moderator(user):
    if not roles.is_moderator(user):
        raise PermissionDenied(_("Only moderators can do this."))


def _clean_reason(reason, action):
    reason = clean_text(reason or "")[:REASON_MAX_LENGTH]
    if action in REASON_REQUIRED and not reason:
        raise ValidationError(_("Give a reason: it is logged and the author reads it."))
    return reason


def refresh_thread(thread_id):
    """Recompute what a thread shows from its posts: visible when its opening post is
    published; the number of published replies; the time of the last one."""
    thread = Thread.objects.select_for_update().get(pk=thread_id)
    published = thread.posts.filter(state=S.PUBLISHED)
    opening = thread.posts.filter(number=1).values_list("state", flat=True).first()
    thread.is_visible = opening == S.PUBLISHED
    thread.reply_count = published.exclude(number=1).count()
    thread.last_posted_at = published.aggregate(m=Max("created_at"))["m"] or thread.created_at
    if thread.accepted_answer_id and not published.filter(pk=thread.accepted_answer_id).exists():
        thread.accepted_answer = None
    thread.save(update_fields=["is_visible", "reply_count", "last_posted_at", "accepted_answer"])
    return thread


def _log(moderator, kind, *, post=None, thread=None, user=None, reason="", **details):
    return ModerationAction.objects.create(
        moderator=moderator,
        kind=kind,
        post=post,
        thread=thread or (post.thread if post else None),
        target_user=user or (post.author if post else None),
        reason=reason,
        details=details,
    )


def _tell_author(post, message, params):
    from experts.forum.notifications import tell

    tell(post.author, message, params, post.get_absolute_url, thread=post.thread)


# --- Flags ---------------------------------------------------------------------------


def flag_post(user, post, reason, note=""):
    """Flag `post`; returns the Flag. Hides the post when it reaches FLAGS_TO_HIDE
    open flags from distinct vetted users."""
    if not roles.can_flag(user, post):
        raise PermissionDenied(_("You cannot flag this message."))
    if reason not in FlagReason.values:
        raise ValidationError(_("Choose a reason."), code="reason")
    if (cache.get(rate_key(user, "flag", FLAG_RATE_WINDOW)) or 0) >= FLAG_RATE_LIMIT:
        raise ValidationError(
            _("You have flagged %(limit)d messages in the last hour. Please try again later.")
            % {"limit": FLAG_RATE_LIMIT},
            code="rate_limited",
        )
    note = clean_text(note)[:REASON_MAX_LENGTH]
    with transaction.atomic():
        locked = (
            Post.objects.select_for_update(of=("self",)).select_related("thread").get(pk=post.pk)
        )
        if Flag.objects.filter(post=locked, user=user, resolved_at__isnull=True).exists():
            raise ValidationError(_("You have already flagged this message."), code="duplicate")
        flag = Flag.objects.create(
            post=locked, user=user, reason=reason, note=note, by_vetted=roles.is_vetted(user)
        )
        open_flags = Flag.objects.filter(post=locked, resolved_at__isnull=True)
        locked.flag_count = open_flags.count()
        update = ["flag_count"]
        vetted = open_flags.filter(by_vetted=True).values("user").distinct().count()
        if locked.state == S.PUBLISHED and vetted >= FLAGS_TO_HIDE:
            locked.state = S.HIDDEN
            update.append("state")
            _log(None, K.AUTO_HIDE, post=locked, flags=vetted)
        locked.save(update_fields=update)
        if "state" in update:
            from experts.forum.notifications import post_hidden_by_flags

            refresh_thread(locked.thread_id)
            _tell_author(
                locked,
                gettext_noop(
                    "Your message in “%(title)s” was hidden after flags, until a moderator "
                    "reviews it."
                ),
                {"title": locked.thread.title},
            )
            post_hidden_by_flags(locked, vetted)
        count_towards(user, "flag", FLAG_RATE_WINDOW)
    post.state, post.flag_count = locked.state, locked.flag_count
    return flag


# --- Posts ---------------------------------------------------------------------------


def moderate_post(moderator, post, action, reason=""):
    """Apply a moderator's decision on a post; returns the ModerationAction."""
    _require_moderator(moderator)
    try:
        action = ModerationKind(action)
    except ValueError:
        raise ValidationError(_("Unknown action."), code="unknown_action") from None
    if action not in POST_ACTIONS:
        raise ValidationError(_("Unknown action."), code="unknown_action")
    reason = _clean_reason(reason, action)
    approved_now = False
    with transaction.atomic():
        locked = (
            Post.objects.select_for_update(of=("self",))
            .select_related("thread", "author")
            .get(pk=post.pk)
        )
        sources, target = POST_ACTIONS[action]
        if locked.state not in sources:
            raise ValidationError(
                _("A message that is “%(state)s” cannot be given “%(action)s”.")
                % {"state": locked.get_state_display(), "action": action.label},
                code="invalid_transition",
            )
        before = locked.state
        locked.state = target
        Flag.objects.filter(post=locked, resolved_at__isnull=True).update(
            resolved_at=timezone.now()
        )
        locked.flag_count = 0
        locked.save(update_fields=["state", "flag_count"])
        entry = _log(moderator, action, post=locked, reason=reason, before=before, after=target)
        thread = refresh_thread(locked.thread_id)
        if action == K.APPROVE:
            approved_now = True
            if locked.author_id is not None:  # else a former member's
                record, _created = ForumMember.objects.get_or_create(user=locked.author)
                ForumMember.objects.filter(pk=record.pk).update(
                    approved_posts=record.approved_posts + 1
                )
            _tell_author(
                locked,
                gettext_noop("Your message in “%(title)s” was approved."),
                {"title": thread.title},
            )
        elif action in (K.HIDE, K.DELETE, K.REJECT):
            _tell_author(
                locked,
                gettext_noop("A moderator removed your message in “%(title)s”: %(reason)s"),
                {"title": thread.title, "reason": reason},
            )
        if approved_now:
            from experts.forum.tasks import announce_post

            background.enqueue(announce_post, locked.pk)
    post.state = locked.state
    return entry


# --- Threads -------------------------------------------------------------------------


def moderate_thread(moderator, thread, action, reason="", category=None):
    """Lock, unlock, pin, unpin or move (to `category`) a thread."""
    _require_moderator(moderator)
    try:
        action = ModerationKind(action)
    except ValueError:
        raise ValidationError(_("Unknown action."), code="unknown_action") from None
    if action not in THREAD_ACTIONS:
        raise ValidationError(_("Unknown action."), code="unknown_action")
    reason = _clean_reason(reason, action)
    with transaction.atomic():
        locked = Thread.objects.select_for_update().get(pk=thread.pk)
        details = {}
        if action == K.MOVE:
            if not isinstance(category, Category):
                raise ValidationError(_("Choose the category to move the thread to."))
            if category.pk == locked.category_id:
                raise ValidationError(_("The thread is already in this category."))
            details = {"from": locked.category.slug, "to": category.slug}
            locked.category = category
        else:
            field, value = {
                K.LOCK: ("is_locked", True),
                K.UNLOCK: ("is_locked", False),
                K.PIN: ("is_pinned", True),
                K.UNPIN: ("is_pinned", False),
            }[action]
            setattr(locked, field, value)
        locked.save()
        entry = _log(moderator, action, thread=locked, user=locked.author, reason=reason, **details)
    for name in ("category_id", "is_locked", "is_pinned"):
        setattr(thread, name, getattr(locked, name))
    return entry


# --- Members -------------------------------------------------------------------------


def warn_user(moderator, user, reason):
    _require_moderator(moderator)
    reason = _clean_reason(reason, K.WARN)
    from experts.forum.notifications import tell

    with transaction.atomic():
        record, _created = ForumMember.objects.select_for_update().get_or_create(user=user)
        record.warnings += 1
        record.save(update_fields=["warnings"])
        tell(user, gettext_noop("A forum moderator warned you: %(reason)s"), {"reason": reason}, "")
        return _log(moderator, K.WARN, user=user, reason=reason, warnings=record.warnings)


def suspend_user(moderator, user, days, reason):
    _require_moderator(moderator)
    if user.pk == moderator.pk:
        raise ValidationError(_("You cannot suspend yourself."))
    reason = _clean_reason(reason, K.SUSPEND)
    try:
        days = int(days)
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= MAX_SUSPENSION_DAYS:
        raise ValidationError(
            _("Suspend for 1 to %(max)d days.") % {"max": MAX_SUSPENSION_DAYS}, code="days"
        )
    from experts.forum.notifications import tell

    until = timezone.now() + timedelta(days=days)
    with transaction.atomic():
        record, _created = ForumMember.objects.select_for_update().get_or_create(user=user)
        record.suspended_until = until
        record.suspension_reason = reason
        record.save(update_fields=["suspended_until", "suspension_reason"])
        tell(
            user,
            gettext_noop("You are suspended from the forum for %(days)d days: %(reason)s"),
            {"days": days, "reason": reason},
            "",
        )
        return _log(moderator, K.SUSPEND, user=user, reason=reason, days=days)


def unsuspend_user(moderator, user, reason=""):
    _require_moderator(moderator)
    reason = _clean_reason(reason, K.UNSUSPEND)
    with transaction.atomic():
        ForumMember.objects.filter(user=user).update(suspended_until=None, suspension_reason="")
        return _log(moderator, K.UNSUSPEND, user=user, reason=reason)
