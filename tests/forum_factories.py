"""Helpers for the forum tests: categories come from the migration; threads and posts
are written through the real writers (experts.forum.posting) unless `direct=True`."""

from experts.forum import posting
from experts.forum.models import Category, Post, PostState, Thread
from kx_platform.sanitize import render_markdown
from tests.expert_factories import ExpertProfileFactory
from tests.factories import UserFactory


def vetted_expert(username, **kwargs):
    """A user with an approved expert profile (a vetted expert)."""
    return ExpertProfileFactory(user=UserFactory(username=username, group="Experts"), **kwargs).user


def category(slug="general"):
    return Category.objects.get(slug=slug)


def thread(
    author,
    slug="general",
    title="Prison dialogue programmes",
    body="How do you start?",
    language="en",
    **kwargs,
):
    return posting.create_thread(
        author, category(slug), title=title, body=body, language=language, **kwargs
    )


def direct_thread(
    author,
    slug="general",
    title="A thread written directly",
    posts=1,
    language="en",
    state=PostState.PUBLISHED,
):
    """A thread and `posts` posts saved without the writers' checks (for bulk set-ups)."""
    t = Thread.objects.create(
        category=category(slug),
        title=title,
        author=author,
        language=language,
        is_visible=state == PostState.PUBLISHED,
    )
    made = []
    for number in range(1, posts + 1):
        body = f"Message {number} of the thread about reintegration."
        made.append(
            Post.objects.create(
                thread=t,
                author=author,
                number=number,
                body=body,
                body_html=render_markdown(body),
                body_hash=posting.body_hash(body),
                language=language,
                state=state,
            )
        )
    Thread.objects.filter(pk=t.pk).update(reply_count=posts - 1, last_posted_at=made[-1].created_at)
    t.refresh_from_db()
    return t
