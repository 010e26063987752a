"""The public way into writing a practice, and the author's own list of what they submitted.

`submit_practice` is the one address the site links to: an expert who may add practices goes
straight on to Wagtail's add form under the library of the reader's language (the form itself
guides them: practices.panels); anyone else reads how to become an expert. `my_submissions`
shows a signed-in author every practice they own, in every language, with its moderation
state as Wagtail's workflow records it.
"""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, pgettext_lazy
from wagtail.models import Locale, Page, WorkflowState

from practices.models import GoodPracticePage, PracticeIndexPage


def library_for_language(language_code):
    """The practice library of `language_code`, or the default language's when it has none."""
    libraries = PracticeIndexPage.objects.select_related("locale")
    library = libraries.filter(locale__language_code=language_code).first()
    return library or libraries.filter(locale=Locale.get_default()).first()


def add_practice_url(user, language_code):
    """The admin's add form under the reader's library, or None if `user` may not use it."""
    if not user.is_authenticated or not user.has_perm("wagtailadmin.access_admin"):
        return None
    library = library_for_language(language_code)
    if library is None or not GoodPracticePage.can_create_at(library):
        return None
    if not library.permissions_for_user(user).can_add_subpage():
        return None
    return reverse("wagtailadmin_pages:add", args=["practices", "goodpracticepage", library.pk])


def submit_practice(request):
    target = add_practice_url(request.user, get_language())
    if target:
        return redirect(target)
    profile = None
    if request.user.is_authenticated:
        from experts.models import ExpertProfile

        profile = ExpertProfile.objects.filter(user=request.user).first()
    return render(request, "practices/submit_practice.html", {"profile": profile})


@dataclass
class Submission:
    practice: GoodPracticePage
    state: str
    label: str
    task_name: str = ""
    comment: str = ""
    go_live_at: object = None

    @property
    def edit_url(self):
        return reverse("wagtailadmin_pages:edit", args=[self.practice.pk])

    @property
    def public_url(self):
        return self.practice.url if self.practice.live else ""


STATE_LABELS = {
    "draft": pgettext_lazy("submission state", "Draft"),
    "in_moderation": pgettext_lazy("submission state", "In moderation"),
    "changes_requested": pgettext_lazy("submission state", "Changes requested"),
    "scheduled": pgettext_lazy("submission state", "Scheduled"),
    "published": pgettext_lazy("submission state", "Published"),
    "unpublished": pgettext_lazy("submission state", "Unpublished"),
}


def submissions_of(user):
    """Every practice `user` owns, newest change first, each with its state."""
    practices = list(
        GoodPracticePage.objects.filter(owner=user)
        .select_related("locale", "latest_revision")
        .annotate_approved_schedule()
        .order_by("-latest_revision_created_at", "-pk")
    )
    workflow_states = {
        int(state.object_id): state
        for state in WorkflowState.objects.active()
        .filter(
            base_content_type=ContentType.objects.get_for_model(Page),
            object_id__in=[str(p.pk) for p in practices],
        )
        .select_related("current_task_state__task")
    }
    scheduled = {}
    if any(p.approved_schedule for p in practices):
        from wagtail.models import Revision

        for revision in Revision.objects.page_revisions().filter(
            object_id__in=[str(p.pk) for p in practices if p.approved_schedule],
            approved_go_live_at__isnull=False,
        ):
            scheduled[int(revision.object_id)] = revision.approved_go_live_at
    return [_submission(p, workflow_states.get(p.pk), scheduled.get(p.pk)) for p in practices]


def _submission(practice, workflow_state, go_live_at):
    task_state = workflow_state.current_task_state if workflow_state else None
    task_name = task_state.task.name if task_state else ""
    if workflow_state and workflow_state.status == WorkflowState.STATUS_NEEDS_CHANGES:
        state = "changes_requested"
    elif workflow_state:
        state = "in_moderation"
    elif practice.approved_schedule:
        state = "scheduled"
    elif practice.live:
        state = "published"
    elif practice.first_published_at:
        state = "unpublished"
    else:
        state = "draft"
    return Submission(
        practice=practice,
        state=state,
        label=STATE_LABELS[state],
        task_name=task_name,
        comment=(task_state.comment or "") if state == "changes_requested" else "",
        go_live_at=go_live_at,
    )


@login_required
def my_submissions(request):
    return render(
        request,
        "practices/my_submissions.html",
        {
            "submissions": submissions_of(request.user),
            "submit_url": add_practice_url(request.user, get_language()),
        },
    )
