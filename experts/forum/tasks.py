"""The forum's background tasks (run by the worker: kx_platform.background).

A new post is announced by one task, queued with the post in the poster's transaction
(like Discourse's post alert job): the task writes the on-site notifications and queues
each e-mail as its own task (kx_platform.mail), so the poster's request does neither, and
a mail server that is down delays mails without losing one.
"""

from django.tasks import task

from experts.forum import notifications
from experts.forum.models import Post


@task()
def announce_post(post_pk):
    """Tell the mentioned users and the subscribers of a published post."""
    post = Post.objects.select_related("thread__category", "author").filter(pk=post_pk).first()
    if post is None or not post.is_published:
        return {"announced": False}  # deleted or hidden before the worker came to it
    notifications.post_published(post)
    return {"announced": True}


@task()
def send_digests():
    """The daily digests (the scheduler queues this once a day)."""
    return {"sent": notifications.send_digests()}
