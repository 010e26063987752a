"""The guidebook's admin: the practice chooser, its moderator views and the checks made
when an edition is created or published (practices.guidebook_admin)."""

from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from wagtail import hooks
from wagtail.admin.widgets.button import Button

from practices import guidebook_admin, guidebook_publication
from practices.models import CommentStatus, GuidebookComment, GuidebookPage


@hooks.register("register_admin_viewset")
def register_practice_chooser():
    return guidebook_admin.practice_chooser_viewset


@hooks.register("register_admin_urls")
def register_guidebook_urls():
    return [
        path(
            "guidebook/<int:pk>/comment-period/",
            guidebook_admin.CommentPeriodView.as_view(),
            name="guidebook_comment_period",
        ),
        path(
            "guidebook/<int:pk>/comments/",
            guidebook_admin.CommentListView.as_view(),
            name="guidebook_comments",
        ),
        path(
            "guidebook/<int:pk>/next-edition/",
            guidebook_admin.NewEditionView.as_view(),
            name="guidebook_next_edition",
        ),
    ]


@hooks.register("register_page_header_buttons")
def guidebook_header_buttons(page, user, view_name, next_url=None):
    if not isinstance(page.specific_deferred, GuidebookPage):
        return
    if not page.permissions_for_user(user).can_publish():
        return
    open_count = GuidebookComment.objects.filter(guidebook=page, status=CommentStatus.OPEN).count()
    if not page.live:
        yield Button(
            _("Comment period"),
            reverse("guidebook_comment_period", args=[page.pk]),
            icon_name="calendar",
            priority=80,
        )
    yield Button(
        _("Comments (%(count)d open)") % {"count": open_count},
        reverse("guidebook_comments", args=[page.pk]),
        icon_name="comment",
        priority=81,
    )
    if page.live:
        yield Button(
            _("Start the next edition"),
            reverse("guidebook_next_edition", args=[page.pk]),
            icon_name="copy",
            priority=82,
        )


@hooks.register("after_create_page")
def guidebook_default_chapters(request, page):
    guidebook_admin.add_default_chapters(request, page.specific)


@hooks.register("before_publish_page")
def guidebook_publication_checks(request, page):
    """The editor's Publish button asks before anything is published; every other path is
    guarded by GuidebookPage.save() (practices.guidebook_publication). The draft has been
    saved at this point: nothing is lost."""
    if not isinstance(page.specific_deferred, GuidebookPage):
        return None
    blockers = guidebook_publication.publication_blockers(page)
    if not blockers:
        return None
    guidebook_publication.tell_moderator(request, blockers)
    return redirect("wagtailadmin_pages:edit", page.pk)


@hooks.register("insert_editor_js")
def practice_required_fields_js():
    """Marks the tabs holding required fields and stops a submission with one empty
    (practices.panels); does nothing on forms without that panel."""
    return format_html('<script src="{}" defer></script>', static("practices/required_fields.js"))


@hooks.register("insert_global_admin_css")
def practice_required_fields_css():
    return format_html('<link rel="stylesheet" href="{}">', static("practices/required_fields.css"))
