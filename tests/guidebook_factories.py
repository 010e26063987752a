"""Guidebook editions for tests: make_edition(chapters=[("Title", [practice, ...]), ...])."""

from django.test import TestCase
from wagtail.models import Locale

from kx_platform.models import Pillar
from practices.models import (
    GuidebookChapter,
    GuidebookIndexPage,
    GuidebookPage,
    GuidebookSelection,
)


def make_edition(
    chapters=(),
    *,
    language="en",
    title="Guidebook of good practices",
    slug="edition-2026",
    year=2026,
    publish=True,
    foreword="<p>Foreword of the edition.</p>",
    commit=True,
):
    """With `commit`, what the publication queues for after its commit runs (its PDF is
    built, by the worker in production, at once in tests: the immediate task backend)."""
    locale = Locale.objects.get(language_code=language)
    index = GuidebookIndexPage.objects.get(locale=locale)
    edition = GuidebookPage(
        title=title,
        slug=slug,
        locale=locale,
        year=year,
        edition_number=1,
        foreword=foreword,
        introduction="<p>How this guidebook was made.</p>",
        live=False,
    )
    pillars = {p.number: p for p in Pillar.objects.all()}
    built = []
    for number, (chapter_title, practices) in enumerate(chapters, start=1):
        chapter = GuidebookChapter(
            title=chapter_title, pillar=pillars.get(number), introduction="<p>Why it matters.</p>"
        )
        chapter.selections = [GuidebookSelection(practice=p) for p in practices]
        built.append(chapter)
    edition.chapters = built
    index.add_child(instance=edition)
    revision = edition.save_revision()
    if publish:
        if commit:
            with committed():
                revision.publish()
        else:
            revision.publish()
    edition.refresh_from_db()
    return edition


def committed():
    """Run what the block queues for after commit (the test's transaction never commits)."""
    return TestCase.captureOnCommitCallbacks(execute=True)


def publish_data(edition):
    """The edit form as the browser sends it: the chapters and their practices nested."""
    from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

    chapters = []
    for chapter in edition.chapters.all():
        selections = [
            {"id": s.pk, "practice": s.practice_id, "ORDER": n}
            for n, s in enumerate(chapter.selections.all())
        ]
        chapters.append(
            {
                "id": chapter.pk,
                "title": chapter.title,
                "pillar": chapter.pillar_id or "",
                "introduction": rich_text(chapter.introduction),
                "selections": inline_formset(selections, initial=len(selections)),
                "ORDER": len(chapters),
            }
        )
    data = nested_form_data(
        {
            "title": edition.title,
            "slug": edition.slug,
            "year": edition.year,
            "edition_number": edition.edition_number,
            "foreword": rich_text(edition.foreword),
            "introduction": rich_text(edition.introduction),
            "chapters": inline_formset(chapters, initial=len(chapters)),
            "comments": inline_formset([]),
        }
    )
    data["action-publish"] = "action-publish"
    return data
