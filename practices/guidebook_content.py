"""What an edition of the guidebook holds, as plain data: built from the live practices for
a draft, frozen into a `GuidebookSnapshot` at publication, rendered by the web edition and
the PDF alike.

The content is a JSON-able dict:

    {"language", "title", "year", "edition_number", "foreword", "introduction",
     "chapters": [{"title", "pillar", "introduction", "entries": [entry, ...]}, ...]}

where an entry holds every published version of a practice at the time of freezing
(`versions`: {language: text}, `original`: the language it was written in) and its facts in
every language (`facts`), or is a placeholder (`available` false) for a practice that is no
longer published. `localise(content, language)` gives what a reader of a language reads:
each practice in that language when a translation was frozen, else in its original
language (`translated` false), as the web edition and the PDF render it.
"""

import hashlib
import json

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.rich_text import expand_db_html

from practices.choices import EvidenceStage, Scale

# Bump when the shape of an entry changes, so cached PDFs are rebuilt.
# 2: every published version of a practice is frozen, with its facts in every language.
CONTENT_VERSION = 2

SECTION_HEADINGS = {
    "challenge": gettext_lazy("The challenge"),
    "approach": gettext_lazy("The approach"),
    "results": gettext_lazy("Results and evidence"),
    "lessons": gettext_lazy("Lessons learned"),
    "replicability": gettext_lazy("Replicability"),
    "human_rights": gettext_lazy("Human rights and gender"),
}
META_FIELDS = ("pillars", "regions", "countries", "evidence_stage", "scale", "period")


def content_languages():
    return [code for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES]


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


def version_text(page):
    """The text of one language version of a practice, as frozen."""
    sections = [
        ("challenge", _rich(page.challenge)),
        ("approach", str(page.approach) if page.approach else ""),
        ("results", _rich(page.results)),
        ("lessons", _rich(page.lessons)),
        ("replicability", _rich(page.replicability)),
        ("human_rights", _rich(page.human_rights)),
    ]
    return {
        "practice_id": page.pk,
        "revision_id": page.live_revision_id,
        "language": page.locale.language_code,
        "title": page.title,
        "summary": page.summary,
        "url": page.url,
        "sections": [{"key": key, "html": html} for key, html in sections if html],
        "organisations": [block.value["name"] for block in page.organisations],
    }


def practice_facts(page):
    """The classification of a practice in the active language (shared by its versions)."""
    period = (
        f"{page.start_year}–{page.end_year}"
        if page.end_year
        else _("Since %(start)s") % {"start": page.start_year}
    )
    return {
        "pillars": [f"{p.roman}. {p.short_name}" for p in page.pillars.all()],
        "regions": sorted(r.name for r in page.regions.all()),
        "countries": sorted(c.name for c in page.countries.all()),
        "evidence_stage": str(dict(EvidenceStage.choices).get(page.evidence_stage, "")),
        "scale": str(dict(Scale.choices).get(page.scale, "")),
        "period": period,
    }


def _upgraded(entry, edition_language):
    """A version-1 entry (one version, facts in the edition's language) as version 2."""
    if "versions" in entry:
        return entry
    version = {
        key: entry.get(key)
        for key in ("practice_id", "revision_id", "language", "title", "summary", "url")
    }
    version["sections"] = [{"key": s["key"], "html": s["html"]} for s in entry["sections"]]
    version["organisations"] = entry.get("organisations", [])
    return {
        "available": True,
        "key": entry["key"],
        "practice_id": entry.get("practice_id"),
        "original": entry["language"],
        "versions": {entry["language"]: version},
        "facts": {edition_language: {key: entry.get(key) for key in META_FIELDS}},
    }


def practice_entry(versions, chosen_id, previous=None):
    """Every published version of a practice (oldest first) and its facts in every
    language. Versions and facts already in `previous` (an earlier freeze) stay as they
    were; languages published since are added."""
    entry = previous or {
        "available": True,
        "key": str(versions[0].translation_key),
        "practice_id": chosen_id,
        "original": versions[0].locale.language_code,
        "versions": {},
        "facts": {},
    }
    entry = {**entry, "versions": dict(entry["versions"]), "facts": dict(entry["facts"])}
    for page in versions:
        entry["versions"].setdefault(page.locale.language_code, version_text(page))
    for code in content_languages():
        if code not in entry["facts"]:
            with translation.override(code):
                entry["facts"][code] = practice_facts(versions[0])
    return entry


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
                frozen[entry["key"]] = _upgraded(entry, previous["language"])

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
                live = versions.get(practice.translation_key) if practice else None
                if live:
                    entries.append(practice_entry(live, practice.pk, frozen.get(key)))
                elif key in frozen:
                    entries.append(frozen[key])
                else:
                    entries.append(unavailable_entry(selection))
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


def localise(content, language):
    """The content as a reader of `language` reads it: each practice in that language
    when a translation was frozen, else in its original language (`translated` false),
    the headings and facts in that language. The edition's own texts (title, foreword,
    chapters) stay in the edition's language (`edition_language`)."""
    if "reader_language" in content:
        return content
    edition_language = content["language"]
    localised = {
        **content,
        "language": language,
        "reader_language": language,
        "edition_language": edition_language,
        "chapters": [],
    }
    with translation.override(language):
        for chapter in content["chapters"]:
            entries = [_localised_entry(e, language, edition_language) for e in chapter["entries"]]
            localised["chapters"].append({**chapter, "entries": entries})
    return localised


def _localised_entry(entry, language, edition_language):
    if not entry.get("available"):
        return entry
    if "versions" not in entry:  # frozen before version 2: one version
        return {**entry, "translated": entry["language"] == language}
    versions = entry["versions"]
    version = versions.get(language) or versions.get(entry["original"])
    version = version or next(iter(versions.values()))
    facts = entry["facts"]
    facts = facts.get(language) or facts.get(edition_language) or next(iter(facts.values()))
    return {
        "available": True,
        "key": entry["key"],
        **version,
        **facts,
        "translated": version["language"] == language,
        "sections": [
            {
                "key": section["key"],
                "heading": str(SECTION_HEADINGS.get(section["key"], "")),
                "html": section["html"],
            }
            for section in version["sections"]
        ],
    }


def problems(content):
    """What a moderator should know before publishing (raw or localised content)."""
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
