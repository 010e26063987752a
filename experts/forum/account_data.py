"""The forum's part of a member's data (kx_platform.accounts).

Export: their threads and posts (the Markdown they wrote, in every state), their
subscriptions, their forum preferences and standing, the flags they raised and the digest
items still waiting for them.

Deletion: what others read stays (threads, published, hidden and deleted posts, flags,
the moderation log), from "a former member" (the foreign keys are SET_NULL). What only
they and the moderators ever saw goes: their posts still waiting for approval (a thread
left with no post goes too), and what is theirs alone (subscriptions, preferences,
waiting digest items).
"""

from django.urls import reverse

from kx_platform import accounts
from kx_platform.accounts import json_value


def export_forum(user):
    from experts.forum.models import DigestItem, Flag, ForumMember, Post, Subscription, Thread

    member = ForumMember.objects.filter(user=user).first()
    threads = Thread.objects.filter(author=user).select_related("category").order_by("pk")
    posts = Post.objects.filter(author=user).select_related("thread").order_by("pk")
    subscriptions = (
        Subscription.objects.filter(user=user).select_related("category", "thread").order_by("pk")
    )
    return {
        "forum": {
            "preferences": {
                "email_frequency": member.email_frequency,
                "approved_posts": member.approved_posts,
                "warnings": member.warnings,
                "suspended_until": json_value(member.suspended_until),
                "suspension_reason": member.suspension_reason,
                "last_digest_at": json_value(member.last_digest_at),
            }
            if member
            else None,
            "threads": [
                {
                    "id": thread.pk,
                    "title": thread.title,
                    "category": str(thread.category),
                    "language": thread.language,
                    "created_at": json_value(thread.created_at),
                    "url": reverse("forum_thread", kwargs={"pk": thread.pk}),
                }
                for thread in threads
            ],
            "posts": [
                {
                    "id": post.pk,
                    "thread": post.thread.title,
                    "number": post.number,
                    "message": post.body,
                    "language": post.language,
                    "state": post.state,
                    "created_at": json_value(post.created_at),
                    "edited_at": json_value(post.edited_at),
                    "url": post.get_absolute_url(),
                }
                for post in posts
            ],
            "subscriptions": [
                {
                    "kind": "thread" if sub.thread_id else "category",
                    "to": sub.thread.title if sub.thread_id else str(sub.category),
                    "since": json_value(sub.created_at),
                }
                for sub in subscriptions
            ],
            "flags": [
                {
                    "post": flag.post_id,
                    "reason": flag.reason,
                    "note": flag.note,
                    "created_at": json_value(flag.created_at),
                    "resolved_at": json_value(flag.resolved_at),
                }
                for flag in Flag.objects.filter(user=user).order_by("pk")
            ],
            "digest_waiting": [
                {"text": item.text, "url": item.url, "created_at": json_value(item.created_at)}
                for item in DigestItem.objects.filter(user=user, sent_at__isnull=True)
            ],
        }
    }


def delete_forum(user):
    from experts.forum.models import DigestItem, ForumMember, Post, PostState, Subscription, Thread
    from experts.forum.moderation import refresh_thread

    pending = Post.objects.filter(author=user, state=PostState.PENDING)
    thread_ids = set(pending.values_list("thread_id", flat=True))
    pending.delete()
    for thread in Thread.objects.filter(pk__in=thread_ids):
        if thread.posts.exists():
            refresh_thread(thread.pk)
        else:
            thread.delete()
    Subscription.objects.filter(user=user).delete()
    DigestItem.objects.filter(user=user).delete()
    ForumMember.objects.filter(user=user).delete()


def register_parts():
    accounts.register_account_part("forum", export=export_forum, delete=delete_forum)
