"""Readers' views of the guidebook: the web edition, its PDF, and the draft edition that
vetted experts read and comment on during a comment period.

Every permission is checked here, on the server: a draft edition is shown only to its
moderators and, while its comment period is open, to vetted experts.
"""

import re

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kx_platform.bidi import set_text_direction
from practices import guidebook_pdf
from practices.guidebook_content import (
    build_content,
    content_hash,
    localise,
    problems,
    published_content,
    table_of_contents,
)
from practices.models import (
    CommentStatus,
    GuidebookChapter,
    GuidebookComment,
    GuidebookPage,
)
from practices.models.guidebook import COMMENT_MAX_LENGTH
from practices.reader import reader_language, reader_url

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


# --- who may do what ---------------------------------------------------------------------
def is_vetted_expert(user):
    """An active user whose expert profile moderators approved (experts.vetting)."""
    from experts.models import ExpertProfile, ProfileStatus

    if not (user and user.is_authenticated and user.is_active):
        return False
    return ExpertProfile.objects.filter(user=user, status=ProfileStatus.APPROVED).exists()


def can_moderate(user, edition):
    """Moderators of an edition: those who may publish it."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    return edition.permissions_for_user(user).can_publish()


def comment_period(edition):
    from practices.models import CommentPeriod

    return CommentPeriod.objects.filter(guidebook=edition).first()


def can_comment(user, edition, period=None):
    period = period if period is not None else comment_period(edition)
    return bool(period and period.is_open() and not edition.live and is_vetted_expert(user))


def can_review(user, edition):
    """May read the draft edition: its moderators, and vetted experts during the period."""
    return can_moderate(user, edition) or can_comment(user, edition)


# --- the web edition ------------------------------------------------------------------
def _direction(language):
    return "rtl" if translation.get_language_info(language)["bidi"] else "ltr"


def _link_entries(content, language, request):
    """Each practice still published links to the library, under the reader's language."""
    from practices.models import GoodPracticePage

    entries = [e for c in content["chapters"] for e in c["entries"] if e.get("available")]
    pages = GoodPracticePage.objects.live().filter(
        pk__in={e["practice_id"] for e in entries if e.get("practice_id")}
    )
    pages = {p.pk: p for p in pages.select_related("locale")}
    for entry in entries:
        page = pages.get(entry.get("practice_id"))
        entry["reader_url"] = reader_url(page, language, request) if page else ""


def edition_context(edition, request, *, draft):
    """The edition as the reader reads it: in the interface language (practices.reader),
    each practice in that language where a translation was frozen."""
    if draft:
        raw = build_content(edition)
    else:
        raw, _digest = published_content(edition)
    language = reader_language()
    content = localise(raw, language)
    _link_entries(content, language, request)
    return {
        "content": content,
        "toc": table_of_contents(content),
        "language": language,
        "direction": _direction(language),
        "edition_language": content["edition_language"],
        "edition_direction": _direction(content["edition_language"]),
        "draft": draft,
        "pdf_url": (
            reverse("guidebook_review_pdf", args=[edition.pk])
            if draft
            else reader_url(edition, language, request) + edition.reverse_subpage("pdf")
        ),
        "canonical_url": None if draft else edition.get_full_url(request),
        "problems": problems(content) if draft or can_moderate(request.user, edition) else [],
    }


def pdf_filename(edition, language, draft=False):
    """kx-guidebook-2026-en.pdf; kx-guidebook-2026-draft-en.pdf for a draft (a second
    edition of a year: kx-guidebook-2026-2-en.pdf)."""
    parts = ["kx-guidebook", str(edition.year)]
    if edition.edition_number > 1:
        parts.append(str(edition.edition_number))
    if draft:
        parts.append("draft")
    parts.append(language)
    return "-".join(parts) + ".pdf"


def _pdf_response(edition, name, language, draft=False):
    filename = pdf_filename(edition, language, draft)
    return FileResponse(
        default_storage.open(name, "rb"),
        content_type="application/pdf",
        filename=filename,
    )


def serve_pdf(request, edition):
    """The PDF of a published edition, from the frozen content. It is built after the
    publication (practices.guidebook_pdf), not here: until it is ready, readers are asked
    to come back, and the first of them queues the build if nothing is building it."""
    _content, digest = published_content(edition)
    language = reader_language()
    name = guidebook_pdf.pdf_name(edition, digest, language=language)
    if not default_storage.exists(name):  # the worker builds it
        guidebook_pdf.request_build(edition.pk, language)
        response = TemplateResponse(
            request,
            "practices/guidebook/pdf_pending.html",
            {"page": edition, "retry_after": guidebook_pdf.RETRY_AFTER_S},
            status=503,
        )
        response["Retry-After"] = str(guidebook_pdf.RETRY_AFTER_S)
        return response
    return _pdf_response(edition, name, language)


def _draft_edition(request, pk):
    page = get_object_or_404(GuidebookPage, pk=pk)
    if not request.user.is_authenticated:
        return page, redirect_to_login(request.get_full_path())
    if not can_review(request.user, page):
        raise PermissionDenied
    return page, None


def review_pdf(request, pk):
    page, response = _draft_edition(request, pk)
    if response:
        return response
    draft = page.get_latest_revision_as_object()
    content = build_content(draft)
    language = reader_language()
    name = guidebook_pdf.cached_pdf(
        page, content, content_hash(content), draft=True, language=language
    )
    return _pdf_response(page, name, language, draft=True)


# --- comments on a draft edition --------------------------------------------------------
def comment_targets(content):
    """(value, label) for every chapter and practice one may comment on."""
    targets = []
    for item in table_of_contents(content):
        targets.append((f"c{item['number']}", item["chapter"]["title"]))
        for position, entry in enumerate(item["chapter"]["entries"], start=1):
            if entry["available"]:
                targets.append(
                    (
                        f"p{item['number']}-{position}",
                        f"{item['chapter']['title']} › {entry['title']}",
                    )
                )
    return targets


class GuidebookCommentForm(forms.Form):
    target = forms.ChoiceField(label=gettext_lazy("About"))
    body = forms.CharField(
        label=gettext_lazy("Your comment"),
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy("Plain text, at most %(max)d characters.")
        % {"max": COMMENT_MAX_LENGTH},
    )

    def __init__(self, *args, targets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = list(targets)
        set_text_direction(self)

    def clean_body(self):
        body = CONTROL_CHARACTERS.sub("", self.cleaned_data["body"]).strip()
        if not body:
            raise forms.ValidationError(_("Write a comment."))
        return body


def _save_comment(edition, draft, content, form, user):
    target = form.cleaned_data["target"]
    labels = dict(comment_targets(content))
    chapters = list(draft.chapters.all())
    numbers = target[1:].split("-")
    chapter = chapters[int(numbers[0]) - 1]
    chapter_pk = chapter.pk if GuidebookChapter.objects.filter(pk=chapter.pk).exists() else None
    practice_id = None
    if target.startswith("p"):
        entry = content["chapters"][int(numbers[0]) - 1]["entries"][int(numbers[1]) - 1]
        practice_id = entry["practice_id"]
    return GuidebookComment.objects.create(
        guidebook=edition,
        chapter_id=chapter_pk,
        practice_id=practice_id,
        target_label=labels[target][:300],
        author=user,
        body=form.cleaned_data["body"],
    )


def review(request, pk):
    """The draft edition for its reviewers, with the comment form while the period is open."""
    edition, response = _draft_edition(request, pk)
    if response:
        return response
    draft = edition.get_latest_revision_as_object()
    context = edition_context(draft, request, draft=True)
    content = context["content"]
    period = comment_period(edition)
    commenting = can_comment(request.user, edition, period)
    targets = comment_targets(content)
    form = None
    if request.method == "POST":
        if not commenting:
            messages.error(request, _("The comment period of this edition is closed."))
            return redirect("guidebook_review", pk=edition.pk)
        form = GuidebookCommentForm(request.POST, targets=targets)
        if form.is_valid():
            with transaction.atomic():
                _save_comment(edition, draft, content, form, request.user)
            messages.success(request, _("Thank you: your comment was sent to the moderators."))
            return redirect(f"{reverse('guidebook_review', args=[edition.pk])}#comments")
        messages.error(request, _("Please correct the errors below."))
    elif commenting:
        wanted = request.GET.get("target", "")
        initial = {"target": wanted} if wanted in dict(targets) else {}
        form = GuidebookCommentForm(targets=targets, initial=initial)
    comments = GuidebookComment.objects.filter(guidebook=edition).select_related("author")
    moderating = can_moderate(request.user, edition)
    if not moderating:
        comments = comments.filter(author=request.user)
    context.update(
        {
            "page": draft,
            "edition": edition,
            "period": period,
            "period_open": bool(period and period.is_open()),
            "form": form,
            "comments": comments,
            "moderating": moderating,
            "open_count": sum(1 for c in comments if c.status == CommentStatus.OPEN),
            "now": timezone.now(),
        }
    )
    return TemplateResponse(request, "practices/guidebook/review.html", context)
