"""Whether a guidebook edition may be published, enforced on every path Wagtail publishes by.

Wagtail 8 publishes a page from the editor's Publish button, at the end of a workflow (the
"Moderators approval" workflow gates every page, kx_platform.site_setup), from bulk actions,
the admin API, `revision.publish()` and `publish_scheduled`. The editor and the admin API
build a `PublishPageRevisionAction` themselves; the others go through `Page.publish()`. All of
them end in the action saving the page with `live` set and its new `live_revision`, so
`GuidebookPage.save()` is the one place that sees every publication: it raises
`EditionNotReady` while the edition has unresolved comments or an open comment period.

What the moderator had written is kept: every path saves the draft revision before it
publishes, and a refused workflow approval is rolled back (the task stays in progress).
How the refusal reaches the moderator depends on the path:

* the editor's Publish button asks first (the before_publish_page hook in wagtail_hooks);
* any other admin request (workflow approval, bulk publish) is answered by
  `EditionNotReadyMiddleware` with the same messages and a redirect to the edition;
* the admin API answers 400 with them (Wagtail turns a ValidationError into a 400);
* `publish_scheduled` logs a warning and leaves the edition scheduled: it goes live on the
  first run after the comments are dealt with.
"""

import logging

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

# The log action publish_scheduled passes to Revision.publish().
SCHEDULED_PUBLICATION = "wagtail.publish.scheduled"


class EditionNotReady(ValidationError):
    """An edition was about to go live with comments still to deal with."""

    def __init__(self, page, blockers):
        super().__init__({NON_FIELD_ERRORS: list(blockers)})
        self.page_id = page.pk


def publication_blockers(page):
    """Why an edition may not be published yet (empty list: it may)."""
    from practices.models import CommentPeriod, CommentStatus, GuidebookComment

    blockers = []
    open_comments = GuidebookComment.objects.filter(
        guidebook_id=page.pk, status=CommentStatus.OPEN
    ).count()
    if open_comments:
        blockers.append(
            _(
                "This edition has %(count)d unresolved comment(s): resolve them under "
                "“Comments” before publishing."
            )
            % {"count": open_comments}
        )
    period = CommentPeriod.objects.filter(guidebook_id=page.pk).first()
    if period and period.is_open():
        blockers.append(
            _("The comment period is still open: close it before publishing the edition.")
        )
    return blockers


def check_ready(page):
    """Raise EditionNotReady if `page` may not be published now."""
    blockers = publication_blockers(page)
    if blockers:
        raise EditionNotReady(page, blockers)


def tell_moderator(request, blockers):
    for message in blockers:
        messages.error(request, message)
    messages.warning(request, _("The edition was saved as a draft and not published."))


class EditionNotReadyMiddleware:
    """Turns a refused publication in an admin request into messages on the edition's edit
    page, instead of a server error (Wagtail has no hook before a workflow approval
    publishes, nor before a bulk action's publication of each page)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, EditionNotReady):
            return None
        logger.info("Publication of guidebook edition %s refused", exception.page_id)
        tell_moderator(request, exception.messages)
        edit_url = reverse("wagtailadmin_pages:edit", args=[exception.page_id])
        if request.headers.get("x-requested-with") == "XMLHttpRequest":
            # The workflow action modal (dashboard): it follows "redirect" on success.
            return JsonResponse({"step": "success", "redirect": edit_url})
        return redirect(edit_url)
