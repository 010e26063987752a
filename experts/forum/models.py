"""The experts' forum: categories, threads, posts, their history, flags, the moderation
log, subscriptions and each member's forum standing.

A post's Markdown source is kept with its rendered HTML (`body_html`, the output of
`kx_platform.sanitize.render_markdown`), so that a thread page never renders Markdown:
a thread of 500 posts costs a template loop, not 500 parser runs.

Every change of a post's or a thread's state goes through `experts.forum.posting` (the
writers) and `experts.forum.moderation`; the views only call them.
"""

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager
from taggit.models import ItemBase

from kx_platform.models import LocalizedText, Theme
from kx_platform.models.taxonomy import add_localized_fields

TITLE_MAX_LENGTH = 200
TITLE_MIN_LENGTH = 8
BODY_MAX_LENGTH = 20_000
BODY_MIN_LENGTH = 2
REASON_MAX_LENGTH = 1000


def language_choices():
    return [(code, name) for code, name in settings.LANGUAGES]


class CategoryVisibility(models.TextChoices):
    """Who may read a category (the same tiers as the roster's privacy tiers)."""

    PUBLIC = "public", _("Everyone")
    MEMBERS = "members", _("Signed-in members")
    EXPERTS = "experts", _("Vetted experts")


class CategoryKind(models.TextChoices):
    GENERAL = "general", _("General")
    PILLAR = "pillar", _("Pillar")
    REGION = "region", _("Region")
    OTHER = "other", _("Other")


class Category(LocalizedText, models.Model):
    """A forum category; moderators manage them in the admin (Forum categories)."""

    slug = models.SlugField(_("slug"), unique=True, max_length=80)
    kind = models.CharField(
        _("kind"), max_length=10, choices=CategoryKind.choices, default=CategoryKind.OTHER
    )
    pillar = models.ForeignKey(
        "kx_platform.Pillar",
        verbose_name=_("pillar"),
        related_name="forum_categories",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    region = models.ForeignKey(
        "kx_platform.Region",
        verbose_name=_("region"),
        related_name="forum_categories",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    visibility = models.CharField(
        _("who may read"),
        max_length=10,
        choices=CategoryVisibility.choices,
        default=CategoryVisibility.PUBLIC,
    )
    members_may_post = models.BooleanField(
        _("signed-in members may post"),
        default=False,
        help_text=_("Vetted experts and moderators may always post where they may read."),
    )
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=10)

    class Meta:
        ordering = ["sort_order", "slug"]
        verbose_name = _("forum category")
        verbose_name_plural = _("forum categories")
        permissions = [("moderate_forum", _("Can moderate the experts' forum"))]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("forum_category", kwargs={"slug": self.slug})

    @property
    def name(self):
        return self.localized("name")

    @property
    def description(self):
        return self.localized("description")


add_localized_fields(
    Category,
    "name",
    lambda required: models.CharField(_("name"), max_length=120, blank=not required),
)
add_localized_fields(
    Category,
    "description",
    lambda required: models.TextField(_("description"), max_length=1000, blank=True),
)


class ThreadTheme(ItemBase):
    """Links a thread to a theme (the through model of its taggit manager)."""

    tag = models.ForeignKey(Theme, related_name="forum_thread_items", on_delete=models.CASCADE)
    content_object = models.ForeignKey(
        "forum.Thread", related_name="theme_items", on_delete=models.CASCADE
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["content_object", "tag"], name="unique_theme_per_thread"
            )
        ]


class Thread(models.Model):
    """A discussion: its first post is the opening message."""

    category = models.ForeignKey(
        Category, verbose_name=_("category"), related_name="threads", on_delete=models.PROTECT
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        related_name="forum_threads",
        # Others replied to it, quoted it, found it in search: it outlives its author's
        # account, from "a former member" (kx_platform.accounts).
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    language = models.CharField(_("language"), max_length=10)
    themes = TaggableManager(through=ThreadTheme, verbose_name=_("themes"), blank=True)
    is_locked = models.BooleanField(_("locked"), default=False)
    is_pinned = models.BooleanField(_("pinned"), default=False)
    # False until the opening post is published (a new member's first thread waits for
    # approval), and again when moderators hide or delete the opening post.
    is_visible = models.BooleanField(_("visible"), default=False, db_index=True)
    accepted_answer = models.ForeignKey(
        "forum.Post",
        verbose_name=_("accepted answer"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    reply_count = models.PositiveIntegerField(_("replies"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_posted_at = models.DateTimeField(_("last post at"), null=True, db_index=True)

    class Meta:
        ordering = ["-is_pinned", "-last_posted_at", "-pk"]
        verbose_name = _("thread")
        verbose_name_plural = _("threads")
        indexes = [
            models.Index(
                fields=["category", "is_visible", "-is_pinned", "-last_posted_at"],
                name="forum_thread_listing",
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("forum_thread", kwargs={"pk": self.pk})


class PostState(models.TextChoices):
    PUBLISHED = "published", _("Published")
    PENDING = "pending", _("Waiting for approval")
    HIDDEN = "hidden", _("Hidden pending review")
    DELETED = "deleted", _("Deleted")
    REJECTED = "rejected", _("Rejected")


class Post(models.Model):
    """One message in a thread, in Markdown; `body_html` is its sanitised rendering."""

    thread = models.ForeignKey(
        Thread, verbose_name=_("thread"), related_name="posts", on_delete=models.CASCADE
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        related_name="forum_posts",
        # Others replied to it, quoted it, found it in search: it outlives its author's
        # account, from "a former member" (kx_platform.accounts).
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    number = models.PositiveIntegerField(_("number in the thread"))
    body = models.TextField(
        _("message"), max_length=BODY_MAX_LENGTH, validators=[MaxLengthValidator(BODY_MAX_LENGTH)]
    )
    body_html = models.TextField(_("rendered message"), editable=False)
    body_hash = models.CharField(max_length=64, editable=False, db_index=True)
    language = models.CharField(_("language"), max_length=10)
    quoted = models.ForeignKey(
        "self",
        verbose_name=_("quoting"),
        related_name="quoted_by",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=PostState.choices,
        default=PostState.PUBLISHED,
        db_index=True,
    )
    flag_count = models.PositiveSmallIntegerField(_("open flags"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    edited_at = models.DateTimeField(_("edited at"), null=True, blank=True)

    class Meta:
        ordering = ["thread", "number"]
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        constraints = [
            models.UniqueConstraint(fields=["thread", "number"], name="unique_post_number")
        ]

    def __str__(self):
        return f"{self.thread} #{self.number}"

    def get_absolute_url(self):
        return f"{self.thread.get_absolute_url()}#post-{self.number}"

    @property
    def is_opening(self):
        return self.number == 1

    @property
    def is_published(self):
        return self.state == PostState.PUBLISHED


class PostRevision(models.Model):
    """A post as it was before an edit; only moderators read the history."""

    post = models.ForeignKey(
        Post, verbose_name=_("post"), related_name="revisions", on_delete=models.CASCADE
    )
    body = models.TextField(_("message before the edit"))
    title = models.CharField(_("title before the edit"), max_length=TITLE_MAX_LENGTH, blank=True)
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("edited by"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
    )
    created_at = models.DateTimeField(_("edited at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("post revision")
        verbose_name_plural = _("post revisions")

    def __str__(self):
        return f"{self.post} ({self.created_at:%Y-%m-%d %H:%M})"


class FlagReason(models.TextChoices):
    SPAM = "spam", _("Spam or advertising")
    OFFENSIVE = "offensive", _("Offensive, abusive or hateful")
    EXPOSES = "exposes", _("Exposes someone's identity or contact details")
    EXTREMIST = "extremist", _("Promotes violence or violent extremism")
    OFF_TOPIC = "off_topic", _("Off topic")
    OTHER = "other", _("Something else")


class Flag(models.Model):
    """A reader's report of a post; open until a moderator decides on the post."""

    post = models.ForeignKey(
        Post, verbose_name=_("post"), related_name="flags", on_delete=models.CASCADE
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("flagged by"),
        related_name="forum_flags",
        # Moderators still review the report (and the post's flag count) once the
        # flagger's account is gone.
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    reason = models.CharField(_("reason"), max_length=20, choices=FlagReason.choices)
    note = models.CharField(_("note"), max_length=REASON_MAX_LENGTH, blank=True)
    by_vetted = models.BooleanField(_("by a vetted expert or moderator"), default=False)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    created_at = models.DateTimeField(_("flagged at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("flag")
        verbose_name_plural = _("flags")
        constraints = [
            models.UniqueConstraint(
                fields=["post", "user"],
                condition=Q(resolved_at__isnull=True),
                name="one_open_flag_per_user_and_post",
            )
        ]

    def __str__(self):
        return f"{self.get_reason_display()}: {self.post}"


class ModerationKind(models.TextChoices):
    APPROVE = "approve", _("Approve")
    REJECT = "reject", _("Reject")
    HIDE = "hide", _("Hide")
    AUTO_HIDE = "auto_hide", _("Hidden by flags")
    RESTORE = "restore", _("Restore")
    DELETE = "delete", _("Delete")
    DISMISS_FLAGS = "dismiss_flags", _("Dismiss the flags")
    LOCK = "lock", _("Lock")
    UNLOCK = "unlock", _("Unlock")
    PIN = "pin", _("Pin")
    UNPIN = "unpin", _("Unpin")
    MOVE = "move", _("Move")
    EDIT = "edit", _("Edit")
    WARN = "warn", _("Warn")
    SUSPEND = "suspend", _("Suspend from the forum")
    UNSUSPEND = "unsuspend", _("Lift the suspension")


class ModerationAction(models.Model):
    """One moderation step: who, what, on what, and why. Never edited or deleted.

    No moderator: the platform itself for the one automatic step (AUTO_HIDE), a former
    member (a deleted account) for any other; the log stays either way."""

    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("moderator"),
        related_name="forum_moderation_actions",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    kind = models.CharField(_("action"), max_length=20, choices=ModerationKind.choices)
    thread = models.ForeignKey(
        Thread,
        verbose_name=_("thread"),
        related_name="moderation_actions",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    post = models.ForeignKey(
        Post,
        verbose_name=_("post"),
        related_name="moderation_actions",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    target_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        related_name="forum_moderation_received",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    reason = models.TextField(_("reason"), max_length=REASON_MAX_LENGTH, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("moderation action")
        verbose_name_plural = _("moderation actions")

    def __str__(self):
        return self.get_kind_display()

    @property
    def by_the_platform(self):
        return self.moderator_id is None and self.kind == ModerationKind.AUTO_HIDE


class EmailFrequency(models.TextChoices):
    IMMEDIATE = "immediate", _("At once, one e-mail per notification")
    DAILY = "daily", _("Once a day, in a digest")
    NEVER = "never", _("Never: on the site only")


class ForumMember(models.Model):
    """A user's standing and preferences in the forum (created on first need)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        related_name="forum_member",
        on_delete=models.CASCADE,
    )
    email_frequency = models.CharField(
        _("forum e-mail"),
        max_length=10,
        choices=EmailFrequency.choices,
        default=EmailFrequency.IMMEDIATE,
    )
    approved_posts = models.PositiveIntegerField(_("approved posts"), default=0)
    warnings = models.PositiveSmallIntegerField(_("warnings"), default=0)
    suspended_until = models.DateTimeField(_("suspended until"), null=True, blank=True)
    suspension_reason = models.TextField(_("reason of the suspension"), blank=True)
    last_digest_at = models.DateTimeField(_("last digest sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("forum member")
        verbose_name_plural = _("forum members")

    def __str__(self):
        return str(self.user)


class Subscription(models.Model):
    """A user follows a category (every new thread and reply) or one thread."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        related_name="forum_subscriptions",
        on_delete=models.CASCADE,
    )
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        related_name="subscriptions",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
    )
    thread = models.ForeignKey(
        Thread,
        verbose_name=_("thread"),
        related_name="subscriptions",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("since"), auto_now_add=True)

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        constraints = [
            models.CheckConstraint(
                condition=(Q(category__isnull=False) & Q(thread__isnull=True))
                | (Q(category__isnull=True) & Q(thread__isnull=False)),
                name="forum_subscription_one_target",
            ),
            models.UniqueConstraint(
                fields=["user", "category"],
                condition=Q(category__isnull=False),
                name="one_subscription_per_category",
            ),
            models.UniqueConstraint(
                fields=["user", "thread"],
                condition=Q(thread__isnull=False),
                name="one_subscription_per_thread",
            ),
        ]

    def __str__(self):
        return f"{self.user}: {self.thread or self.category}"


class DigestItem(models.Model):
    """A notification waiting for the user's daily digest e-mail."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="forum_digest_items", on_delete=models.CASCADE
    )
    text = models.CharField(max_length=255)
    url = models.CharField(max_length=500)
    unsubscribe_token = models.CharField(max_length=300, blank=True)
    # The language `text` is written in (the recipient's): the digest is written in it too.
    language = models.CharField(max_length=10, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("digest item")
        verbose_name_plural = _("digest items")

    def __str__(self):
        return self.text
