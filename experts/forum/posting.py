"""Writing in the forum: new threads, replies, edits and accepted answers.

These functions are the only writers of threads and posts outside moderation. Each one
checks the author's right on the server, applies the abuse limits (rate limits, the
duplicate-post guard, link limits for new members), renders the Markdown through
`kx_platform.sanitize`, and hands the published post to the notifications after commit.

A member who is not a vetted expert is "new" until NEW_MEMBER_APPROVED_POSTS of their
posts have been approved: until then their posts wait in the moderation queue.
"""

import hashlib
from datetime import timedelta

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from experts.forum import roles
from experts.forum.models import (
    BODY_MAX_LENGTH,
    BODY_MIN_LENGTH,
    TITLE_MAX_LENGTH,
    TITLE_MIN_LENGTH,
    ModerationAction,
    ModerationKind,
    Post,
    PostRevision,
    PostState,
    Subscription,
    Thread,
)
from kx_platform import background
from kx_platform.sanitize import clean_markdown_source, clean_text, count_links, render_markdown

EDIT_WINDOW = timedelta(hours=24)
NEW_MEMBER_APPROVED_POSTS = 2  # posts approved before a member posts without review
NEW_MEMBER_MAX_LINKS = 2
POST_RATE_LIMIT = 10  # posts (threads and replies) per user …
POST_RATE_WINDOW = 600  # … per this many seconds
NEW_MEMBER_POST_RATE_LIMIT = 3
DUPLICATE_WINDOW = timedelta(hours=24)
MAX_THEMES = 5


# --- Checks --------------------------------------------------------------------------


def rate_key(user, kind, window):
    return f"kx:forum:{kind}:{user.pk}:{int(timezone.now().timestamp()) // window}"


def count_towards(user, kind, window):
    key = rate_key(user, kind, window)
    if not cache.add(key, 1, window):
        try:
            cache.incr(key)
        except ValueError:  # expired in between
            cache.add(key, 1, window)


def is_new_member(user):
    """Not a vetted expert and fewer than NEW_MEMBER_APPROVED_POSTS approved posts."""
    if roles.is_vetted(user):
        return False
    return roles.member_record(user).approved_posts < NEW_MEMBER_APPROVED_POSTS


def body_hash(body):
    normalised = " ".join(clean_markdown_source(body).casefold().split())
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


def clean_title(title):
    title = clean_text(title, multiline=False)
    if len(title) < TITLE_MIN_LENGTH:
        raise ValidationError(
            _("Give the thread a title of at least %(min)d characters.")
            % {"min": TITLE_MIN_LENGTH},
            code="title_too_short",
        )
    if len(title) > TITLE_MAX_LENGTH:
        raise ValidationError(
            _("The title is too long (at most %(max)d characters).") % {"max": TITLE_MAX_LENGTH},
            code="title_too_long",
        )
    return title


def clean_body(body):
    if len(body or "") > BODY_MAX_LENGTH:
        raise ValidationError(
            _("The message is too long (at most %(max)d characters).") % {"max": BODY_MAX_LENGTH},
            code="body_too_long",
        )
    # Typed tags are text in Markdown (a post may be a snippet of HTML): only invisible
    # and control characters are taken out before the length is checked.
    body = clean_markdown_source(body).strip()
    if len(body) < BODY_MIN_LENGTH:
        raise ValidationError(_("Write a message."), code="body_empty")
    return body


def check_can_write(user, category, body, *, new_member):
    """Raise ValidationError when `user` may not post `body` now (limits, duplicates)."""
    until = roles.suspended_until(user)
    if until is not None:
        raise PermissionDenied(
            _("You are suspended from the forum until %(date)s.")
            % {"date": timezone.localtime(until).strftime("%Y-%m-%d %H:%M UTC")}
        )
    if not roles.may_post_in(user, category):
        raise PermissionDenied(_("You may not post in this category."))
    limit = NEW_MEMBER_POST_RATE_LIMIT if new_member else POST_RATE_LIMIT
    if (cache.get(rate_key(user, "post", POST_RATE_WINDOW)) or 0) >= limit:
        raise ValidationError(
            _("You have posted %(limit)d messages in the last minutes. Please wait a little.")
            % {"limit": limit},
            code="rate_limited",
        )
    recent = timezone.now() - DUPLICATE_WINDOW
    if (
        Post.objects.filter(author=user, body_hash=body_hash(body), created_at__gte=recent)
        .exclude(state__in=[PostState.DELETED, PostState.REJECTED])
        .exists()
    ):
        raise ValidationError(
            _("You posted the same message a moment ago. Edit it instead of posting it again."),
            code="duplicate",
        )
    if new_member and count_links(body) > NEW_MEMBER_MAX_LINKS:
        raise ValidationError(
            _("New members may include at most %(max)d links in a message.")
            % {"max": NEW_MEMBER_MAX_LINKS},
            code="too_many_links",
        )


def _language(language, user):
    from django.conf import settings

    codes = dict(settings.LANGUAGES)
    if language in codes:
        return language
    return settings.LANGUAGE_CODE


# --- Writing -------------------------------------------------------------------------


def _new_post(thread, author, body, language, number, quoted=None, state=PostState.PUBLISHED):
    return Post.objects.create(
        thread=thread,
        author=author,
        number=number,
        body=body,
        body_html=render_markdown(body),
        body_hash=body_hash(body),
        language=language,
        quoted=quoted,
        state=state,
    )


def _subscribe(user, thread):
    Subscription.objects.get_or_create(user=user, thread=thread)


def create_thread(author, category, *, title, body, language, themes=()):
    """Open a thread with its first post; returns the thread.

    The thread is visible at once for vetted experts and established members; a new
    member's thread waits for a moderator's approval.
    """
    from experts.forum.notifications import post_awaits_approval
    from experts.forum.tasks import announce_post

    if not roles._active(author):
        raise PermissionDenied(_("Sign in to post."))
    title = clean_title(title)
    body = clean_body(body)
    new_member = is_new_member(author)
    check_can_write(author, category, body, new_member=new_member)
    language = _language(language, author)
    state = PostState.PENDING if new_member else PostState.PUBLISHED
    with transaction.atomic():
        now = timezone.now()
        thread = Thread.objects.create(
            category=category,
            title=title,
            author=author,
            language=language,
            is_visible=state == PostState.PUBLISHED,
            last_posted_at=now,
        )
        if themes:
            thread.themes.set(list(themes)[:MAX_THEMES])
        post = _new_post(thread, author, body, language, 1, state=state)
        _subscribe(author, thread)
        count_towards(author, "post", POST_RATE_WINDOW)
        if state == PostState.PUBLISHED:
            background.enqueue(announce_post, post.pk)
        else:
            post_awaits_approval(post)
    return thread


def reply(author, thread, *, body, language, quoted=None):
    """Add a reply to `thread`; returns the post (pending for new members)."""
    from experts.forum.notifications import post_awaits_approval
    from experts.forum.tasks import announce_post

    if not roles._active(author):
        raise PermissionDenied(_("Sign in to post."))
    if not roles.can_view_thread(author, thread):
        raise PermissionDenied(_("You may not read this thread."))
    if thread.is_locked and not roles.is_moderator(author):
        raise ValidationError(_("This thread is locked: no new replies."), code="locked")
    body = clean_body(body)
    new_member = is_new_member(author)
    check_can_write(author, thread.category, body, new_member=new_member)
    if quoted is not None and (quoted.thread_id != thread.pk or not quoted.is_published):
        quoted = None
    language = _language(language, author)
    state = PostState.PENDING if new_member else PostState.PUBLISHED
    with transaction.atomic():
        locked = Thread.objects.select_for_update().get(pk=thread.pk)
        number = (locked.posts.aggregate(m=Max("number"))["m"] or 0) + 1
        post = _new_post(locked, author, body, language, number, quoted=quoted, state=state)
        if state == PostState.PUBLISHED:
            Thread.objects.filter(pk=locked.pk).update(
                reply_count=F("reply_count") + 1, last_posted_at=post.created_at
            )
        _subscribe(author, locked)
        count_towards(author, "post", POST_RATE_WINDOW)
        if state == PostState.PUBLISHED:
            background.enqueue(announce_post, post.pk)
        else:
            post_awaits_approval(post)
    return post


def quote_markdown(post):
    """The Markdown a reply starts with when it quotes `post`."""
    name = roles.display_name(post.author)
    lines = post.body.splitlines()[:40]
    quoted = "\n".join(f"> {line}" if line else ">" for line in lines)
    return f"{_('%(name)s wrote:') % {'name': name}}\n{quoted}\n\n"


def can_edit(user, post):
    if roles.is_moderator(user):
        return True
    if not roles._active(user) or post.author_id != user.pk:
        return False
    if post.state not in (PostState.PUBLISHED, PostState.PENDING):
        return False
    if post.thread.is_locked:
        return False
    return timezone.now() - post.created_at <= EDIT_WINDOW


def edit_post(editor, post, *, body, title=None):
    """Change a post (and, for the opening post, the thread's title), keeping the old
    version for moderators. Authors may edit within EDIT_WINDOW; moderators always."""
    if not can_edit(editor, post):
        raise PermissionDenied(_("You can no longer edit this message."))
    body = clean_body(body)
    new_title = clean_title(title) if (title is not None and post.is_opening) else None
    with transaction.atomic():
        locked = (
            Post.objects.select_for_update(of=("self",)).select_related("thread").get(pk=post.pk)
        )
        thread = locked.thread
        title_before = thread.title if new_title and new_title != thread.title else ""
        if body == locked.body and not title_before:
            return locked
        PostRevision.objects.create(
            post=locked, body=locked.body, title=title_before, editor=editor
        )
        locked.body = body
        locked.body_html = render_markdown(body)
        locked.body_hash = body_hash(body)
        locked.edited_at = timezone.now()
        locked.save(update_fields=["body", "body_html", "body_hash", "edited_at"])
        if title_before:
            thread.title = new_title
            thread.save(update_fields=["title"])
        if editor.pk != locked.author_id:
            ModerationAction.objects.create(
                moderator=editor,
                kind=ModerationKind.EDIT,
                thread=thread,
                post=locked,
                target_user_id=locked.author_id,
            )
    return locked


def set_accepted_answer(user, thread, post):
    """Mark `post` (a published reply of `thread`) as the answer, or clear it (None)."""
    if not roles.can_accept(user, thread):
        raise PermissionDenied(_("Only the thread's author or a moderator can do this."))
    if post is not None and (
        post.thread_id != thread.pk or post.is_opening or not post.is_published
    ):
        raise ValidationError(_("Choose a published reply of this thread."), code="not_a_reply")
    Thread.objects.filter(pk=thread.pk).update(accepted_answer=post)
    thread.accepted_answer = post
    if post is not None and post.author_id != user.pk:
        from experts.forum.notifications import notify

        notify(
            post.author,
            gettext_noop("Your reply in “%(title)s” was marked as the answer."),
            {"title": thread.title},
            post.get_absolute_url(),
            thread=thread,
        )
    return thread
