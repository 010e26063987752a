"""Load the demo forum: 15 threads across the categories, with replies in Arabic,
English, French and Spanish by the demo roster's experts. Idempotent.

Rows are written directly (not through experts.forum.posting) so that loading the demo
sends no notification e-mail and meets no rate limit; the text still goes through
kx_platform.sanitize like every post.
"""

import json
from datetime import timedelta
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from experts.forum.models import Category, Post, PostState, Subscription, Thread
from experts.forum.posting import body_hash
from kx_platform.models import Theme
from kx_platform.sanitize import clean_markdown_source, clean_text, render_markdown

DATA_FILE = Path(__file__).with_name("threads.json")


class ForumDemoLoader:
    def __init__(self, stdout=None):
        self.stdout = stdout
        self.data = json.loads(DATA_FILE.read_text(encoding="utf-8"))

    @transaction.atomic
    def load(self):
        users = {u.username: u for u in get_user_model().objects.all()}
        categories = {c.slug: c for c in Category.objects.all()}
        start = timezone.now() - timedelta(days=30)
        created = 0
        for index, item in enumerate(self.data["threads"]):
            title = clean_text(item["title"], multiline=False)
            author = users.get(item["author"])
            category = categories.get(item["category"])
            if author is None or category is None:
                continue
            if Thread.objects.filter(title=title, author=author).exists():
                continue
            when = start + timedelta(days=2 * index)
            thread = Thread.objects.create(
                category=category,
                title=title,
                author=author,
                language=item["language"],
                is_visible=True,
                last_posted_at=when,
            )
            thread.themes.set(list(Theme.objects.filter(name__in=item["themes"])))
            posts = [(author, item["language"], item["body"], False)]
            posts += [
                (users.get(r["author"]), r["language"], r["body"], r.get("accepted", False))
                for r in item["replies"]
            ]
            number = 0
            accepted = None
            for writer, language, body, is_answer in posts:
                if writer is None:
                    continue
                number += 1
                body = clean_markdown_source(body)
                post = Post.objects.create(
                    thread=thread,
                    author=writer,
                    number=number,
                    body=body,
                    body_html=render_markdown(body),
                    body_hash=body_hash(body),
                    language=language,
                    state=PostState.PUBLISHED,
                )
                Post.objects.filter(pk=post.pk).update(
                    created_at=when + timedelta(hours=5 * number)
                )
                Subscription.objects.get_or_create(user=writer, thread=thread)
                if is_answer:
                    accepted = post
            Thread.objects.filter(pk=thread.pk).update(
                reply_count=number - 1,
                last_posted_at=when + timedelta(hours=5 * number),
                accepted_answer=accepted,
            )
            created += 1
        if self.stdout:
            self.stdout.write(f"Demo forum: {created} threads created.")
        return created
