"""The practices app's parts of a member's data (kx_platform.accounts): the practices they
own and their comments on draft guidebook editions.

Practices stay published without an owner (the practice page never shows its author) and
their revisions without a user; guidebook comments stay for the moderators who resolve
them, from "a former member" (`GuidebookComment.author` is SET_NULL).
"""

from wagtail.models import Page

from kx_platform import accounts
from kx_platform.accounts import json_value


def export_practices(user):
    pages = Page.objects.filter(owner=user).specific().order_by("pk")
    return {
        "practices": [
            {
                "title": page.title,
                "url": page.get_full_url(),
                "language": page.locale.language_code,
                "status": str(page.status_string),
                "live": page.live,
            }
            for page in pages
        ]
    }


def delete_practices(user):
    Page.objects.filter(owner=user).update(owner=None)
    Page.objects.filter(locked_by=user).update(locked_by=None, locked=False)


def export_guidebook_comments(user):
    from practices.models import GuidebookComment

    comments = GuidebookComment.objects.filter(author=user).select_related("guidebook")
    return {
        "guidebook_comments": [
            {
                "edition": comment.guidebook.title,
                "about": comment.target_label,
                "comment": comment.body,
                "written": json_value(comment.created_at),
                "status": comment.status,
                "resolution": comment.resolution_note,
                "resolved_at": json_value(comment.resolved_at),
            }
            for comment in comments
        ]
    }


def delete_guidebook_comments(user):
    """The comments stay, for the moderators who resolve them, from a former member."""
    from practices.models import GuidebookComment

    GuidebookComment.objects.filter(author=user).update(author=None)


def register_parts():
    accounts.register_account_part("practices", export=export_practices, delete=delete_practices)
    accounts.register_account_part(
        "guidebook", export=export_guidebook_comments, delete=delete_guidebook_comments
    )
