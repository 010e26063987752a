"""The forum's pages. Permissions are checked here (404 for what a reader may not see,
403 for what they may see but not do) and again by the writers (posting, moderation).
A category or thread above the reader's tier answers 403 with what would let them read
it (signing in, or being vetted), never its content (`ReadingRestricted`).

The thread page is the hot path: a fixed number of queries whatever the number of
posts (the thread, one page of posts, their authors with their expert profiles, the
reader's subscription), no Markdown rendering (posts keep their sanitised HTML), and each
post's markup cached (`_post_fragment_key`): a long thread costs little more than the
reader's own controls on each post (`python -m bench.forum`).
"""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F, Max, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from experts.forum import moderation, posting, roles
from experts.forum.forms import (
    EditForm,
    FlagForm,
    PostModerationForm,
    PreferencesForm,
    ReplyForm,
    SubscribeForm,
    ThreadForm,
    ThreadModerationForm,
    UserModerationForm,
)
from experts.forum.models import (
    Category,
    Flag,
    ForumMember,
    ModerationAction,
    Post,
    PostState,
    Subscription,
    Thread,
)
from experts.forum.notifications import apply_unsubscribe, read_token
from kx_platform.query_state import QueryState

THREADS_PER_PAGE = 30
QUEUE_SIZE = 50


def posts_per_page():
    return getattr(settings, "KX_FORUM_POSTS_PER_PAGE", 100)


def _page_number(request):
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


def _pagination(request, paginator, number):
    state = QueryState(request.path)
    return state.page_links(paginator, number) if paginator.num_pages > 1 else []


def _author_info(user, cache):
    """Name and profile link of a post's author (computed once per author and page)."""
    key = getattr(user, "pk", None)
    info = cache.get(key)
    if info is None and user is None:  # a deleted account: "a former member"
        info = cache[None] = {"name": roles.display_name(None), "url": "", "is_expert": False}
    elif info is None:
        profile = getattr(user, "expert_profile", None)
        approved = profile is not None and profile.status == "approved"
        info = {
            "name": roles.display_name(user, profile),
            "url": reverse("expert_detail", kwargs={"pk": profile.pk}) if approved else "",
            "is_expert": approved,
        }
        cache[user.pk] = info
    return info


class ReadingRestricted(PermissionDenied):
    """The reader's tier is below the category's: say what would open it, show nothing
    of it. A PermissionDenied, so a view that does not explain it still answers 403."""

    def __init__(self, category):
        super().__init__(category.visibility)
        self.category = category


def explains_restriction(view):
    """Answer ReadingRestricted with the "sign in to read" / "vetted experts only" page."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except ReadingRestricted as restriction:
            return render(
                request,
                "experts/forum/restricted.html",
                {
                    "visibility": restriction.category.visibility,
                    "signed_in": request.user.is_authenticated,
                    "login_url": (
                        f"{reverse('account_login')}?{urlencode({'next': request.get_full_path()})}"
                    ),
                },
                status=403,
            )

    return wrapper


def _readable_categories(user):
    return Category.objects.filter(visibility__in=roles.readable_visibilities(user))


def _category_or_404(user, slug):
    category = get_object_or_404(Category, slug=slug)
    if not roles.can_read(user, category):
        raise ReadingRestricted(category)
    return category


def _thread_or_404(user, pk):
    thread = get_object_or_404(
        Thread.objects.select_related(
            "category",
            "author",
            "author__expert_profile",
            "accepted_answer",
            "accepted_answer__author",
            "accepted_answer__author__expert_profile",
            "accepted_answer__quoted",
        ),
        pk=pk,
    )
    if not roles.can_read(user, thread.category):
        raise ReadingRestricted(thread.category)
    if not roles.can_view_thread(user, thread):
        raise Http404
    return thread


def _post_or_404(user, pk):
    post = get_object_or_404(
        Post.objects.select_related("thread", "thread__category", "author"), pk=pk
    )
    if not roles.can_view_thread(user, post.thread):
        raise Http404
    if post.state != PostState.PUBLISHED and not (
        roles.is_moderator(user) or post.author_id == getattr(user, "pk", None)
    ):
        raise Http404
    return post


# --- Reading -------------------------------------------------------------------------


def index(request):
    user = request.user
    visible = Q(threads__is_visible=True)
    categories = _readable_categories(user).annotate(
        thread_count=Count("threads", filter=visible),
        last_activity=Max("threads__last_posted_at", filter=visible),
    )
    latest = (
        Thread.objects.filter(is_visible=True, category__in=_readable_categories(user))
        .select_related("category", "author", "author__expert_profile")
        .order_by("-last_posted_at", "-pk")[:10]
    )
    return render(
        request,
        "experts/forum/index.html",
        {
            "categories": categories,
            "latest": _thread_rows(latest),
            "is_moderator": roles.is_moderator(user),
            "pending_count": Post.objects.filter(
                Q(state=PostState.PENDING) | Q(flag_count__gt=0) | Q(state=PostState.HIDDEN)
            ).count()
            if roles.is_moderator(user)
            else 0,
        },
    )


def _thread_rows(threads):
    authors = {}
    rows = []
    for thread in threads:
        thread.author_info = _author_info(thread.author, authors)
        rows.append(thread)
    return rows


@explains_restriction
def category_detail(request, slug):
    user = request.user
    category = _category_or_404(user, slug)
    threads = category.threads.select_related("author", "author__expert_profile")
    if not roles.is_moderator(user):
        own = Q(author=user) if user.is_authenticated else Q(pk__in=[])
        threads = threads.filter(Q(is_visible=True) | own)
    threads = threads.prefetch_related("theme_items__tag").order_by(
        "-is_pinned", "-last_posted_at", "-pk"
    )
    paginator = Paginator(threads, THREADS_PER_PAGE)
    page = paginator.get_page(_page_number(request))
    subscribed = (
        user.is_authenticated and Subscription.objects.filter(user=user, category=category).exists()
    )
    return render(
        request,
        "experts/forum/category.html",
        {
            "category": category,
            "threads": _thread_rows(page.object_list),
            "page": page,
            "page_links": _pagination(request, paginator, page.number),
            "can_post": roles.can_post(user, category),
            "subscribed": subscribed,
        },
    )


def _post_fragment_key(post, language, zone, is_moderator):
    """Everything the cached part of a post's markup shows (templates/experts/forum/
    thread.html, `{% cache %}`), so nothing ever has to invalidate it: an edit, a
    moderator's decision, a renamed expert, another language (and so direction) or time
    zone simply make another key. The flag count is only shown to moderators."""
    info = post.author_info
    return "\x1f".join(
        str(part)
        for part in (
            post.pk,
            post.number,
            post.created_at.isoformat(),
            post.edited_at is not None,
            post.state,
            post.is_answer,
            post.flag_count if is_moderator else "",
            post.quoted_number or "",
            post.language,
            info["name"],
            info["url"],
            language,
            zone,
            post.body_html,
        )
    )


def _authors_of(posts):
    """The authors of `posts` (each with their expert profile) in one query: a thread of
    500 posts has a few dozen authors, not 500 user objects to build."""
    ids = {post.author_id for post in posts}
    return get_user_model().objects.filter(pk__in=ids).select_related("expert_profile")


@explains_restriction
def thread_detail(request, pk):
    user = request.user
    thread = _thread_or_404(user, pk)
    is_moderator = roles.is_moderator(user)
    # The page shows the rendered HTML, not the Markdown source, and of the quoted post
    # only its number: neither is read, and no instance of the quoted post is built.
    posts = thread.posts.defer("body", "body_hash").annotate(quoted_number=F("quoted__number"))
    if is_moderator:
        pass  # moderators see every post, with its state
    elif user.is_authenticated:
        posts = posts.filter(Q(state=PostState.PUBLISHED) | Q(author=user, state=PostState.PENDING))
    else:
        posts = posts.filter(state=PostState.PUBLISHED)
    posts = posts.order_by("number")
    paginator = Paginator(posts, posts_per_page())
    page = paginator.get_page(_page_number(request))
    post_list = list(page.object_list)
    now = timezone.now()
    may_accept = roles.can_accept(user, thread)
    can_reply = roles.can_reply(user, thread)
    signed_in = user.is_authenticated
    # Addresses are built from one reverse() each: reverse() per post and action would
    # be most of the page's time on a long thread.
    base = reverse("forum_index")
    reply_url = reverse("forum_reply", kwargs={"pk": thread.pk})
    answer = thread.accepted_answer if thread.accepted_answer_id else None
    if answer is not None and (answer.state != PostState.PUBLISHED or page.number != 1):
        answer = None
    if answer is not None:
        # The accepted answer is shown first, right after the opening message.
        answer.quoted_number = answer.quoted.number if answer.quoted_id else None
        post_list = [p for p in post_list if p.pk != answer.pk]
        post_list.insert(1 if post_list and post_list[0].number == 1 else 0, answer)
    authors = {}
    for author in _authors_of(post_list):
        _author_info(author, authors)
    language = translation.get_language()
    zone = timezone.get_current_timezone_name()
    for post in post_list:
        post.author_info = authors.get(post.author_id) or _author_info(None, authors)
        post.is_answer = post.pk == thread.accepted_answer_id
        post.fragment_key = _post_fragment_key(post, language, zone, is_moderator)
        mine = signed_in and post.author_id == user.pk
        post.can_edit = is_moderator or (
            mine
            and not thread.is_locked
            and post.state in (PostState.PUBLISHED, PostState.PENDING)
            and now - post.created_at <= posting.EDIT_WINDOW
        )
        post.can_accept = may_accept and post.number > 1 and post.state == PostState.PUBLISHED
        post.can_flag = signed_in and not mine
        post.url_base = f"{base}p/{post.pk}/"
        post.quote_url = f"{reply_url}?quote={post.pk}" if can_reply else ""
    subscribed = (
        user.is_authenticated and Subscription.objects.filter(user=user, thread=thread).exists()
    )
    return render(
        request,
        "experts/forum/thread.html",
        {
            "thread": thread,
            "category": thread.category,
            "posts": post_list,
            "page": page,
            "page_links": _pagination(request, paginator, page.number),
            "signed_in": signed_in,
            "can_reply": can_reply,
            "reply_form": ReplyForm() if can_reply else None,
            "subscribed": subscribed,
            "is_moderator": is_moderator,
            "thread_form": ThreadModerationForm() if is_moderator else None,
            "suspended_until": roles.suspended_until(user),
            "moderation_base": reverse("forum_moderation") if is_moderator else "",
        },
    )


# --- Writing -------------------------------------------------------------------------


def _say_posted(request, published, published_message):
    """Tell the author their message is out, or waits for a moderator (new members)."""
    if published:
        messages.success(request, published_message)
    else:
        messages.info(request, _("Thank you. Your first messages wait for a moderator's approval."))


@login_required
@require_http_methods(["GET", "POST"])
def thread_create(request, slug):
    user = request.user
    category = _category_or_404(user, slug)
    if not roles.may_post_in(user, category):
        raise PermissionDenied
    form = ThreadForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                thread = posting.create_thread(
                    user,
                    category,
                    title=data["title"],
                    body=data["body"],
                    language=data["language"],
                    themes=data["themes"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            except PermissionDenied as error:
                form.add_error(None, str(error) or _("You may not post in this category."))
                status = 403
            else:
                _say_posted(request, thread.is_visible, _("Your thread is published."))
                return redirect(thread.get_absolute_url())
    return render(
        request,
        "experts/forum/thread_form.html",
        {"category": category, "form": form, "new_member": posting.is_new_member(user)},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def reply(request, pk):
    user = request.user
    thread = _thread_or_404(user, pk)
    if not roles.may_post_in(user, thread.category):
        raise PermissionDenied
    status = 200
    if request.method == "POST":
        form = ReplyForm(request.POST)
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            quoted = None
            if data.get("quote"):
                quoted = Post.objects.filter(
                    pk=data["quote"], thread=thread, state=PostState.PUBLISHED
                ).first()
            try:
                post = posting.reply(
                    user, thread, body=data["body"], language=data["language"], quoted=quoted
                )
            except ValidationError as error:
                form.add_error(None, error)
            except PermissionDenied as error:
                form.add_error(None, str(error) or _("You may not reply here."))
                status = 403
            else:
                _say_posted(request, post.is_published, _("Your reply is published."))
                return redirect(_post_url(post))
    else:
        initial = {}
        quoted = request.GET.get("quote", "")
        if quoted.isdigit():
            post = (
                Post.objects.filter(pk=int(quoted), thread=thread, state=PostState.PUBLISHED)
                .select_related("author", "author__expert_profile")
                .first()
            )
            if post is not None:
                initial = {"body": posting.quote_markdown(post), "quote": post.pk}
        form = ReplyForm(initial=initial)
    return render(
        request,
        "experts/forum/reply_form.html",
        {"thread": thread, "category": thread.category, "form": form},
        status=status,
    )


def _post_url(post):
    """The page of the thread that holds `post`, with its anchor."""
    page = (post.number - 1) // posts_per_page() + 1
    url = post.thread.get_absolute_url()
    if page > 1:
        url += f"?page={page}"
    return f"{url}#post-{post.number}"


@login_required
@require_http_methods(["GET", "POST"])
def post_edit(request, pk):
    user = request.user
    post = _post_or_404(user, pk)
    if not posting.can_edit(user, post):
        raise PermissionDenied
    opening = post.is_opening
    status = 200
    if request.method == "POST":
        form = EditForm(request.POST, opening=opening)
        status = 400
        if form.is_valid():
            try:
                posting.edit_post(
                    user, post, body=form.cleaned_data["body"], title=form.cleaned_data.get("title")
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Your changes are saved."))
                return redirect(_post_url(post))
    else:
        initial = {"body": post.body}
        if opening:
            initial["title"] = post.thread.title
        form = EditForm(initial=initial, opening=opening)
    return render(
        request,
        "experts/forum/edit_form.html",
        {"post": post, "thread": post.thread, "form": form},
        status=status,
    )


@login_required
def post_history(request, pk):
    if not roles.is_moderator(request.user):
        raise Http404
    post = _post_or_404(request.user, pk)
    return render(
        request,
        "experts/forum/post_history.html",
        {"post": post, "revisions": post.revisions.select_related("editor")},
    )


@login_required
@require_POST
def post_accept(request, pk):
    user = request.user
    post = _post_or_404(user, pk)
    thread = post.thread
    if not roles.can_accept(user, thread):
        raise PermissionDenied
    clear = request.POST.get("clear") == "1"
    try:
        posting.set_accepted_answer(user, thread, None if clear else post)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(
            request,
            _("The answer is cleared.") if clear else _("The reply is marked as the answer."),
        )
    return redirect(thread.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def post_flag(request, pk):
    user = request.user
    post = _post_or_404(user, pk)
    if not roles.can_flag(user, post):
        raise PermissionDenied
    status = 200
    if request.method == "POST":
        form = FlagForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                moderation.flag_post(
                    user, post, form.cleaned_data["reason"], form.cleaned_data["note"]
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Thank you: the moderators will look at it."))
                return redirect(post.thread.get_absolute_url())
    else:
        form = FlagForm()
    return render(
        request,
        "experts/forum/flag_form.html",
        {"post": post, "thread": post.thread, "form": form},
        status=status,
    )


# --- Subscriptions and e-mail ----------------------------------------------------------


@login_required
@require_POST
def subscribe(request):
    user = request.user
    form = SubscribeForm(request.POST)
    if not form.is_valid():
        raise Http404
    data = form.cleaned_data
    if data["target"] == "category":
        target = get_object_or_404(Category, pk=data["object_id"])
        if not roles.can_read(user, target):
            raise Http404
        lookup = {"category": target}
    else:
        target = _thread_or_404(user, data["object_id"])
        lookup = {"thread": target}
    if data["subscribe"]:
        Subscription.objects.get_or_create(user=user, **lookup)
        messages.success(request, _("You will be notified of new messages."))
    else:
        Subscription.objects.filter(user=user, **lookup).delete()
        messages.success(request, _("You will no longer be notified."))
    return redirect(target.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    user = request.user
    record = roles.member_record(user)
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            record.email_frequency = form.cleaned_data["email_frequency"]
            record.save(update_fields=["email_frequency"])
            messages.success(request, _("Your preferences are saved."))
            return redirect("forum_preferences")
    else:
        form = PreferencesForm(initial={"email_frequency": record.email_frequency})
    subscriptions = Subscription.objects.filter(user=user).select_related("category", "thread")
    return render(
        request,
        "experts/forum/preferences.html",
        {"form": form, "subscriptions": subscriptions, "record": record},
    )


@csrf_exempt  # the signed token is the authority; mail clients POST it (RFC 8058)
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    found = read_token(token)
    if found is None:
        return render(request, "experts/forum/unsubscribe.html", {"invalid": True}, status=400)
    user, kind, object_id = found
    done = False
    if request.method == "POST":
        apply_unsubscribe(user, kind, object_id)
        done = True
    target = None
    if kind == "thread":
        target = Thread.objects.filter(pk=object_id).values_list("title", flat=True).first()
    elif kind == "category":
        category = Category.objects.filter(pk=object_id).first()
        target = category.name if category else None
    return render(
        request,
        "experts/forum/unsubscribe.html",
        {"kind": kind, "target": target, "done": done, "token": token},
    )


# --- Moderation ----------------------------------------------------------------------


def _require_moderator(request):
    if not roles.is_moderator(request.user):
        raise Http404


@login_required
def moderation_queue(request):
    _require_moderator(request)
    base = Post.objects.select_related(
        "thread", "thread__category", "author", "author__expert_profile"
    ).prefetch_related("flags__user")
    pending = base.filter(state=PostState.PENDING).order_by("created_at")[:QUEUE_SIZE]
    hidden = base.filter(state=PostState.HIDDEN).order_by("-created_at")[:QUEUE_SIZE]
    flagged = base.filter(state=PostState.PUBLISHED, flag_count__gt=0).order_by(
        "-flag_count", "-created_at"
    )[:QUEUE_SIZE]
    authors = {}
    sections = []
    for key, title, items in (
        ("pending", _("Waiting for approval"), pending),
        ("hidden", _("Hidden pending review"), hidden),
        ("flagged", _("Flagged"), flagged),
    ):
        rows = list(items)
        for post in rows:
            post.author_info = _author_info(post.author, authors)
            post.actions = [
                a
                for a, (sources, _target) in moderation.POST_ACTIONS.items()
                if post.state in sources
            ]
        sections.append({"key": key, "title": title, "posts": rows})
    return render(
        request,
        "experts/forum/moderation_queue.html",
        {"sections": sections, "form": PostModerationForm()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def moderate_post(request, pk):
    _require_moderator(request)
    post = get_object_or_404(
        Post.objects.select_related("thread", "thread__category", "author"), pk=pk
    )
    if request.method == "POST":
        form = PostModerationForm(request.POST)
        if form.is_valid():
            try:
                moderation.moderate_post(
                    request.user, post, form.cleaned_data["action"], form.cleaned_data["reason"]
                )
            except ValidationError as error:
                for text in error.messages:
                    messages.error(request, text)
            else:
                messages.success(request, _("Done: the action is logged."))
        else:
            messages.error(request, _("Please correct the errors below."))
        if request.POST.get("next_queue"):
            return redirect("forum_moderation")
        return redirect("forum_moderate_post", pk=post.pk)
    post.actions = [
        a for a, (sources, _target) in moderation.POST_ACTIONS.items() if post.state in sources
    ]
    post.author_info = _author_info(post.author, {})
    return render(
        request,
        "experts/forum/moderate_post.html",
        {
            "post": post,
            "flags": Flag.objects.filter(post=post).select_related("user"),
            "log": ModerationAction.objects.filter(post=post).select_related("moderator"),
            "form": PostModerationForm(),
            "user_form": UserModerationForm(),
        },
    )


@login_required
@require_POST
def moderate_thread(request, pk):
    _require_moderator(request)
    thread = get_object_or_404(Thread.objects.select_related("category"), pk=pk)
    form = ThreadModerationForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            moderation.moderate_thread(
                request.user, thread, data["action"], data["reason"], category=data["category"]
            )
        except ValidationError as error:
            for text in error.messages:
                messages.error(request, text)
        else:
            messages.success(request, _("Done: the action is logged."))
    else:
        messages.error(request, _("Please correct the errors below."))
    return redirect(thread.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def moderate_user(request, user_id):
    _require_moderator(request)
    member = get_object_or_404(get_user_model(), pk=user_id)
    if request.method == "POST":
        form = UserModerationForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if data["action"] == "warn":
                    moderation.warn_user(request.user, member, data["reason"])
                elif data["action"] == "suspend":
                    moderation.suspend_user(request.user, member, data["days"], data["reason"])
                else:
                    moderation.unsuspend_user(request.user, member, data["reason"])
            except ValidationError as error:
                for text in error.messages:
                    messages.error(request, text)
            else:
                messages.success(request, _("Done: the action is logged."))
        else:
            messages.error(request, _("Please correct the errors below."))
        return redirect("forum_moderate_user", user_id=member.pk)
    record = ForumMember.objects.filter(user=member).first()
    return render(
        request,
        "experts/forum/moderate_user.html",
        {
            "member": member,
            "member_name": roles.display_name(member),
            "record": record,
            "suspended_until": roles.suspended_until(member),
            "posts": Post.objects.filter(author=member)
            .select_related("thread")
            .order_by("-created_at")[:20],
            "log": ModerationAction.objects.filter(target_user=member).select_related(
                "moderator", "thread"
            )[:50],
            "form": UserModerationForm(),
        },
    )


@login_required
def moderation_log(request):
    _require_moderator(request)
    actions = ModerationAction.objects.select_related("moderator", "thread", "post", "target_user")
    paginator = Paginator(actions, 50)
    page = paginator.get_page(_page_number(request))
    return render(
        request,
        "experts/forum/moderation_log.html",
        {
            "actions": page.object_list,
            "page": page,
            "page_links": _pagination(request, paginator, page.number),
        },
    )
