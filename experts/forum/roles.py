"""Who may read, post, flag and moderate in the forum.

The tiers are the roster's (`experts.privacy.viewer_tier`): anonymous visitors are
"public", signed-in users "members", users with an approved expert profile "experts",
users who may vet experts "moderators". Forum moderation itself is the permission
`forum.moderate_forum` (given to the Moderators group by a migration).
"""

from django.utils import timezone

from experts.models import FieldVisibility
from experts.models.privacy import rank
from experts.privacy import viewer_tier

MODERATE_PERMISSION = "forum.moderate_forum"


def _active(user):
    return bool(user is not None and user.is_authenticated and user.is_active)


def tier(user):
    """The reading tier of `user` (cached on the user object for the request)."""
    if not _active(user):
        return FieldVisibility.PUBLIC
    cached = getattr(user, "_forum_tier", None)
    if cached is None:
        cached = viewer_tier(user)
        if is_moderator(user):
            cached = FieldVisibility.MODERATORS
        user._forum_tier = cached
    return cached


def is_moderator(user):
    return _active(user) and user.has_perm(MODERATE_PERMISSION)


def is_vetted(user):
    """An approved expert, or a moderator (whose flags and posts count as vetted)."""
    return rank(tier(user)) >= rank(FieldVisibility.EXPERTS)


def readable_visibilities(user):
    """The category visibilities `user` may read."""
    mine = rank(tier(user))
    return [v for v in ("public", "members", "experts") if rank(v) <= mine]


def can_read(user, category):
    return category.visibility in readable_visibilities(user)


def member_record(user):
    """The user's ForumMember row, created on first need."""
    from experts.forum.models import ForumMember

    cached = getattr(user, "_forum_member", None)
    if cached is None:
        cached, _created = ForumMember.objects.get_or_create(user=user)
        user._forum_member = cached
    return cached


def suspended_until(user):
    """The end of the user's forum suspension, or None."""
    if not _active(user):
        return None
    from experts.forum.models import ForumMember

    record = getattr(user, "_forum_member", None)
    if record is None:
        record = ForumMember.objects.filter(user=user).first()
    if record is None or record.suspended_until is None:
        return None
    return record.suspended_until if record.suspended_until > timezone.now() else None


def may_post_in(user, category):
    """Whether `user` may start threads and reply in `category` (suspension aside)."""
    if not _active(user) or not can_read(user, category):
        return False
    if is_vetted(user):
        return True
    return category.members_may_post


def can_post(user, category):
    return may_post_in(user, category) and suspended_until(user) is None


def can_reply(user, thread):
    return can_post(user, thread.category) and (not thread.is_locked or is_moderator(user))


def can_view_thread(user, thread):
    if not can_read(user, thread.category):
        return False
    if thread.is_visible:
        return True
    # A thread waiting for approval or hidden: its author and moderators.
    return is_moderator(user) or (_active(user) and thread.author_id == user.pk)


def can_flag(user, post):
    return _active(user) and post.author_id != user.pk and can_read(user, post.thread.category)


def can_accept(user, thread):
    return _active(user) and (thread.author_id == user.pk or is_moderator(user))


def display_name(user, profile=None):
    """How the forum names a user: an approved expert by their roster name, anyone
    else by their username (never an e-mail address), a deleted account as "a former
    member"."""
    from experts.models import ProfileStatus

    if user is None:  # a deleted account
        from kx_platform.accounts import FORMER_MEMBER

        return str(FORMER_MEMBER)
    if profile is None:
        profile = getattr(user, "expert_profile", None) if hasattr(user, "pk") else None
    if profile is not None and profile.status == ProfileStatus.APPROVED:
        return profile.display_name
    return user.get_username()
