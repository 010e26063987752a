"""What an edition of the guidebook holds, as plain data: built from the live practices for
a draft, frozen into a `GuidebookSnapshot` at publication, rendered by the web edition and
the PDF alike.

The content is a JSON-able dict:

    {"language", "title", "year", "edition_number", "foreword", "introduction",
     "chapters": [{"title", "pillar", "introduction", "entries": [entry, ...]}, ...]}

where an entry is a practice in the edition's language when a published translation
exists, else in its original language (`translated` is then false), or a placeholder
(`available` false) for a practice that is no longer published.
"""

import hashlib
import json

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from wagtail.rich_text import expand_db_html

from practices.choices import EvidenceStage, Scale

# Bump when the shape of an entry changes, so cached PDFs are rebuilt.
CONTENT_VERSION = 1


def _versions_by_key(keys):
    """{translation_key: [live versions, oldest first]} in one query."""
    from practices.models import GoodPracticePage

    versions = {}
    pages = (
        GoodPracticePage.objects.live()
        .filter(translation_key__in=keys)
        .select_related("locale")
        .prefetch_related("pillars", "regions", "countries")
        .order_by("pk")
    )
    for page in pages:
        versions.setdefault(page.translation_key, []).append(page)
    return versions


def version_for(versions, language_code):
    """The version in `language_code` if published, else the original (oldest) one."""
    if not versions:
        return None
    for page in versions:
        if page.locale.language_code == language_code:
            return page
    return versions[0]


def _rich(html):
    return expand_db_html(html or "")


def practice_entry(page, language_code):
    sections = [
        ("challenge", _("The challenge"), _rich(page.challenge)),
        ("approach", _("The approach"), str(page.approach) if page.approach else ""),
        ("results", _("Results and evidence"), _rich(page.results)),
        ("lessons", _("Lessons learned"), _rich(page.lessons)),
        ("replicability", _("Replicability"), _rich(page.replicability)),
        ("human_rights", _("Human rights and gender"), _rich(page.human_rights)),
    ]
    period = (
        f"{page.start_year}–{page.end_year}"
        if page.end_year
        else _("Since %(start)s") % {"start": page.start_year}
    )
    return {
        "available": True,
        "key": str(page.translation_key),
        "practice_id": page.pk,
        "revision_id": page.live_revision_id,
        "language": page.locale.language_code,
        "translated": page.locale.language_code == language_code,
        "title": page.title,
        "summary": page.summary,
        "url": page.url,
        "sections": [
            {"key": key, "heading": heading, "html": html}
            for key, heading, html in sections
            if html
        ],
        "pillars": [f"{p.roman}. {p.short_name}" for p in page.pillars.all()],
        "regions": sorted(r.name for r in page.regions.all()),
        "countries": sorted(c.name for c in page.countries.all()),
        "evidence_stage": str(dict(EvidenceStage.choices).get(page.evidence_stage, "")),
        "scale": str(dict(Scale.choices).get(page.scale, "")),
        "period": period,
        "organisations": [block.value["name"] for block in page.organisations],
    }


def unavailable_entry(selection):
    practice = selection.practice
    return {
        "available": False,
        "key": str(practice.translation_key) if practice else "",
        "practice_id": practice.pk if practice else None,
        "title": practice.title if practice else "",
    }


def build_content(edition, previous=None):
    """The content of `edition` (a page or a revision's page object) from the practices
    as published now. Entries found in `previous` (an earlier snapshot's content) are
    kept as they were: a republished edition stays frozen."""
    language_code = edition.locale.language_code
    chapters = list(edition.chapters.all())
    selections = {id(c): list(c.selections.all()) for c in chapters}
    practice_ids = {s.practice_id for sel in selections.values() for s in sel if s.practice_id}
    from practices.models import GoodPracticePage

    chosen = GoodPracticePage.objects.filter(pk__in=practice_ids).only(
        "pk", "title", "translation_key"
    )
    chosen = {p.pk: p for p in chosen}
    versions = _versions_by_key({p.translation_key for p in chosen.values()})
    frozen = {}
    for chapter in (previous or {}).get("chapters", []):
        for entry in chapter["entries"]:
            if entry.get("available"):
                frozen[entry["key"]] = entry

    with translation.override(language_code):
        content = {
            "version": CONTENT_VERSION,
            "language": language_code,
            "title": edition.title,
            "year": edition.year,
            "edition_number": edition.edition_number,
            "foreword": _rich(edition.foreword),
            "introduction": _rich(edition.introduction),
            "chapters": [],
        }
        for chapter in chapters:
            entries = []
            for selection in selections[id(chapter)]:
                practice = chosen.get(selection.practice_id)
                selection.practice = practice
                key = str(practice.translation_key) if practice else ""
                if key in frozen:
                    entries.append(frozen[key])
                    continue
                page = (
                    version_for(versions.get(practice.translation_key), language_code)
                    if (practice)
                    else None
                )
                entries.append(
                    practice_entry(page, language_code) if page else unavailable_entry(selection)
                )
            content["chapters"].append(
                {
                    "title": chapter.title,
                    "pillar": chapter.pillar.roman if chapter.pillar_id else "",
                    "introduction": _rich(chapter.introduction),
                    "entries": entries,
                }
            )
    return content


def content_hash(content):
    data = json.dumps(content, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(data).hexdigest()


@transaction.atomic
def freeze(edition, revision=None):
    """Snapshot the published edition; practices already frozen stay as they were."""
    from practices.models import GuidebookSnapshot

    existing = GuidebookSnapshot.objects.select_for_update().filter(guidebook=edition).first()
    content = build_content(edition, previous=existing.content if existing else None)
    values = {
        "revision": revision,
        "content": content,
        "content_hash": content_hash(content),
        "frozen_at": timezone.now(),
    }
    snapshot, _created = GuidebookSnapshot.objects.update_or_create(
        guidebook=edition, defaults=values
    )
    return snapshot


def published_content(edition):
    """The frozen content of a live edition (frozen now if it never was)."""
    from practices.models import GuidebookSnapshot

    snapshot = GuidebookSnapshot.objects.filter(guidebook=edition).first()
    if snapshot is None:
        snapshot = freeze(edition, edition.live_revision)
    return snapshot.content, snapshot.content_hash


def problems(content):
    """What a moderator should know before publishing: (message, level) pairs."""
    found = []
    if not content["chapters"]:
        found.append(_("This edition has no chapters yet."))
    for chapter in content["chapters"]:
        if not chapter["entries"]:
            found.append(_("Chapter “%(title)s” has no practices.") % {"title": chapter["title"]})
        for entry in chapter["entries"]:
            if not entry["available"]:
                found.append(
                    _(
                        "Chapter “%(chapter)s”: the practice “%(title)s” is no longer "
                        "published and is left out."
                    )
                    % {"chapter": chapter["title"], "title": entry["title"] or "?"}
                )
    return found


def table_of_contents(content):
    """Numbered chapters and practices with the anchors the web edition and PDF use."""
    toc = []
    for number, chapter in enumerate(content["chapters"], start=1):
        items = []
        for position, entry in enumerate(chapter["entries"], start=1):
            if entry["available"]:
                items.append(
                    {"anchor": f"practice-{number}-{position}", "title": entry["title"], **entry}
                )
        toc.append(
            {
                "number": number,
                "anchor": f"chapter-{number}",
                "chapter": chapter,
                "items": items,
                "omitted": sum(1 for e in chapter["entries"] if not e["available"]),
            }
        )
    return toc
