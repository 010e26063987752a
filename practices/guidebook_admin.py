"""The guidebook in the Wagtail admin: the practice chooser, the comment period, resolving
comments, starting the next edition. (The checks made before an edition is published are in
practices.guidebook_publication.)

Every view checks on the server that the user may publish the edition (moderators).
"""

from datetime import datetime, time

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.forms.choosers import BaseFilterForm, LocaleFilterMixin
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.chooser import ChooseResultsView, ChooseView
from wagtail.admin.viewsets.chooser import ChooserViewSet

from kx_platform.models import Pillar, Region
from practices.choices import EvidenceStage
from practices.guidebook_content import build_content, problems
from practices.guidebook_views import can_moderate
from practices.models import (
    CommentPeriod,
    CommentStatus,
    GoodPracticePage,
    GuidebookChapter,
    GuidebookComment,
    GuidebookPage,
    GuidebookSelection,
)
from practices.models.guidebook import RESOLUTION_MAX_LENGTH


# --- the practice chooser ---------------------------------------------------------------
class PracticeFilterForm(LocaleFilterMixin, BaseFilterForm):
    """Title, pillar, region and evidence stage: how moderators look for practices."""

    q = forms.CharField(
        label=gettext_lazy("Title contains"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("Search")}),
    )
    pillar = forms.ModelChoiceField(
        label=gettext_lazy("Pillar"),
        queryset=Pillar.objects.all(),
        required=False,
        empty_label=gettext_lazy("All pillars"),
        widget=forms.Select(attrs={"data-chooser-modal-search-filter": True}),
    )
    region = forms.ModelChoiceField(
        label=gettext_lazy("Region"),
        queryset=Region.objects.all(),
        required=False,
        empty_label=gettext_lazy("All regions"),
        widget=forms.Select(attrs={"data-chooser-modal-search-filter": True}),
    )
    stage = forms.ChoiceField(
        label=gettext_lazy("Evidence stage"),
        choices=[("", gettext_lazy("All stages")), *EvidenceStage.choices],
        required=False,
        widget=forms.Select(attrs={"data-chooser-modal-search-filter": True}),
    )

    def filter(self, objects):
        data = self.cleaned_data
        if data.get("q"):
            objects = objects.filter(title__icontains=data["q"])
            self.is_searching = True
            self.search_query = data["q"]
        if data.get("pillar"):
            objects = objects.filter(pillars=data["pillar"])
        if data.get("region"):
            objects = objects.filter(regions=data["region"])
        if data.get("stage"):
            objects = objects.filter(evidence_stage=data["stage"])
        return super().filter(objects.distinct())


class PracticeChooserMixin:
    filter_form_class = PracticeFilterForm

    def get_object_list(self):
        return GoodPracticePage.objects.live().select_related("locale")

    @property
    def columns(self):
        return [
            *super().columns,
            Column(
                "evidence_stage", label=_("Evidence stage"), accessor="get_evidence_stage_display"
            ),
        ]


class PracticeChooseView(PracticeChooserMixin, ChooseView):
    pass


class PracticeChooseResultsView(PracticeChooserMixin, ChooseResultsView):
    pass


class PracticeChooserViewSet(ChooserViewSet):
    """Chooses a published good practice; the guidebook's selections use it."""

    model = GoodPracticePage
    icon = "doc-full"
    choose_one_text = gettext_lazy("Choose a practice")
    choose_another_text = gettext_lazy("Choose another practice")
    choose_view_class = PracticeChooseView
    choose_results_view_class = PracticeChooseResultsView
    url_prefix = "guidebook/choose-practice"
    per_page = 20

    def get_object_list(self):
        return GoodPracticePage.objects.live().select_related("locale")


practice_chooser_viewset = PracticeChooserViewSet("guidebook_practice_chooser")


# --- moderator-only views ---------------------------------------------------------------
class EditionView(WagtailAdminTemplateMixin, TemplateView):
    header_icon = "doc-full"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.edition = get_object_or_404(GuidebookPage, pk=kwargs["pk"])

    def dispatch(self, request, *args, **kwargs):
        if not can_moderate(request.user, self.edition):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return self.edition.get_admin_display_title()

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {
                "url": reverse("wagtailadmin_pages:edit", args=[self.edition.pk]),
                "label": self.edition.get_admin_display_title(),
            },
            {"url": "", "label": self.page_title},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["edition"] = self.edition
        context["edit_url"] = reverse("wagtailadmin_pages:edit", args=[self.edition.pk])
        return context


class CommentPeriodForm(forms.Form):
    closes_on = forms.DateField(
        label=gettext_lazy("Comments close at the end of"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean_closes_on(self):
        closes_on = self.cleaned_data["closes_on"]
        if closes_on < timezone.localdate():
            raise forms.ValidationError(_("Choose today or a later date."))
        return closes_on

    def closes_at(self):
        end_of_day = datetime.combine(self.cleaned_data["closes_on"], time(23, 59, 59))
        return timezone.make_aware(end_of_day)


class CommentPeriodView(EditionView):
    template_name = "practices/guidebook/admin/comment_period.html"
    page_title = gettext_lazy("Comment period")

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        period = CommentPeriod.objects.filter(guidebook=self.edition).first()
        initial = {"closes_on": timezone.localtime(period.closes_at).date()} if period else {}
        context.update(
            period=period,
            form=form or CommentPeriodForm(initial=initial),
            review_url=reverse("guidebook_review", args=[self.edition.pk]),
            problems=problems(build_content(self.edition.get_latest_revision_as_object())),
        )
        return context

    def post(self, request, *args, **kwargs):
        if self.edition.live:
            messages.error(request, _("A published edition cannot be opened for comments."))
            return redirect(request.path)
        if "close" in request.POST:
            CommentPeriod.objects.filter(guidebook=self.edition).update(closes_at=timezone.now())
            messages.success(request, _("The comment period is closed."))
            return redirect(request.path)
        form = CommentPeriodForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Please correct the errors below."))
            return self.render_to_response(self.get_context_data(form=form))
        CommentPeriod.objects.update_or_create(
            guidebook=self.edition,
            defaults={"closes_at": form.closes_at(), "opened_by": request.user},
        )
        messages.success(
            request,
            _("Vetted experts may comment on this draft edition until %(date)s.")
            % {"date": form.cleaned_data["closes_on"].isoformat()},
        )
        return redirect(request.path)


class ResolveForm(forms.Form):
    comment = forms.IntegerField(widget=forms.HiddenInput)
    resolution_note = forms.CharField(
        label=gettext_lazy("Resolution"),
        max_length=RESOLUTION_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("What was done about this comment (optional)."),
    )


class CommentListView(EditionView):
    template_name = "practices/guidebook/admin/comments.html"
    page_title = gettext_lazy("Comments on this edition")

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        comments = GuidebookComment.objects.filter(guidebook=self.edition).select_related(
            "author", "resolved_by"
        )
        context.update(
            comments=comments,
            open_count=sum(1 for c in comments if c.status == CommentStatus.OPEN),
            failed_form=form,
            period=CommentPeriod.objects.filter(guidebook=self.edition).first(),
        )
        return context

    def post(self, request, *args, **kwargs):
        form = ResolveForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Please correct the errors below."))
            return self.render_to_response(self.get_context_data(form=form))
        with transaction.atomic():
            comment = (
                GuidebookComment.objects.select_for_update()
                .filter(guidebook=self.edition, pk=form.cleaned_data["comment"])
                .first()
            )
            if comment is None:
                messages.error(request, _("This comment no longer exists."))
                return redirect(request.path)
            if "reopen" in request.POST:
                comment.status = CommentStatus.OPEN
                comment.resolved_by = None
                comment.resolved_at = None
            else:
                comment.status = CommentStatus.RESOLVED
                comment.resolution_note = form.cleaned_data["resolution_note"].strip()
                comment.resolved_by = request.user
                comment.resolved_at = timezone.now()
            comment.save()
        messages.success(request, _("Comment updated."))
        return redirect(request.path)


class NewEditionView(EditionView):
    """Starts the next edition as a draft copy of this one (chapters and practices)."""

    template_name = "practices/guidebook/admin/new_edition.html"
    page_title = gettext_lazy("Start the next edition")

    def post(self, request, *args, **kwargs):
        parent = self.edition.get_parent()
        if not parent.permissions_for_user(request.user).can_add_subpage():
            raise PermissionDenied
        new = start_next_edition(self.edition, request.user)
        messages.success(request, _("The next edition was created as a draft."))
        return redirect("wagtailadmin_pages:edit", new.pk)


# --- what editions are made of ----------------------------------------------------------
def default_chapters(locale):
    """One chapter per pillar, titled with the pillar's name in the edition's language."""
    from django.utils import translation

    with translation.override(locale.language_code):
        return [
            GuidebookChapter(title=f"{pillar.roman}. {pillar.short_name}", pillar=pillar)
            for pillar in Pillar.objects.order_by("number")
        ]


def current_version(practice, locale):
    """The live version of a practice in `locale`, else its live original, else None."""
    if practice is None:
        return None
    versions = GoodPracticePage.objects.live().filter(translation_key=practice.translation_key)
    return versions.filter(locale=locale).first() or versions.order_by("pk").first()


def start_next_edition(edition, user):
    """A draft edition under the same index: the chapters and practices of the edition as
    published (not of a later draft of it), each practice re-pointed to its version
    published now; the year and edition number moved on."""
    if edition.live and edition.live_revision_id:
        source = edition.live_revision.as_object()
    else:
        source = edition.get_latest_revision_as_object()
    year = max(timezone.now().year, source.year)
    number = source.edition_number + 1
    siblings = GuidebookPage.objects.child_of(edition.get_parent())
    slug = f"{source.slug}-{number}"
    while siblings.filter(slug=slug).exists():
        slug = f"{slug}-{number}"
    new = GuidebookPage(
        title=source.title,
        slug=slug,
        locale=edition.locale,
        year=year,
        edition_number=number,
        foreword=source.foreword,
        introduction=source.introduction,
        owner=user,
        live=False,
    )
    chapters = []
    for chapter in source.chapters.all():
        copy = GuidebookChapter(
            title=chapter.title, pillar_id=chapter.pillar_id, introduction=chapter.introduction
        )
        selections = []
        for selection in chapter.selections.all():
            practice = current_version(selection.practice, edition.locale)
            if practice is not None:
                selections.append(GuidebookSelection(practice=practice))
        copy.selections = selections
        chapters.append(copy)
    new.chapters = chapters
    edition.get_parent().add_child(instance=new)
    new.save_revision(user=user)
    return new


def add_default_chapters(request, page):
    """A new edition created without chapters gets one per pillar (after_create_page)."""
    if not isinstance(page, GuidebookPage) or page.chapters.exists():
        return
    page.chapters = default_chapters(page.locale)
    page.save()
    page.save_revision(user=request.user)
