"""One document class per searchable content type.

Each class is an `elasticsearch.dsl.Document` (its fields are the Elasticsearch
mapping) and also knows how to turn a model instance into the plain dict that both
backends index: `prepare()`. `get_queryset()` prefetches everything `prepare()` reads,
so bulk indexing costs a fixed number of queries per batch.

Text fields carry one sub-field per language (`title.ar`, `title.en`, ...) analysed
with Elasticsearch's built-in language analyzers, plus the standard-analysed parent
field as a language-neutral fallback. Facets are keyword fields.
"""

import html

from django.utils.html import strip_tags
from elasticsearch.dsl import Completion, Date, Document, Keyword, Long, Text
from wagtail.models import PageViewRestriction

LANGUAGE_ANALYZERS = {"ar": "arabic", "en": "english", "fr": "french", "es": "spanish"}
FACETS = (
    "type",
    "pillar",
    "region",
    "country",
    "theme",
    "stage",
    "scale",
    "lang",
    "support",
    "availability",
    "focal",
    "institution",
)


def multilingual_text():
    return Text(
        analyzer="standard",
        fields={code: Text(analyzer=analyzer) for code, analyzer in LANGUAGE_ANALYZERS.items()},
    )


def plain_text(rich_text):
    """Rich text (HTML) as plain text, entities decoded, whitespace collapsed."""
    return " ".join(html.unescape(strip_tags(rich_text or "")).split())


def stream_text(stream):
    """The readable text of a StreamField value."""
    parts = []
    for block in stream or []:
        value = block.value
        if block.block_type == "paragraph":
            parts.append(plain_text(value.source))
        elif block.block_type == "heading":
            parts.append(str(value))
        elif block.block_type == "quote":
            parts.extend([value.get("text", ""), value.get("attribution", "")])
        elif block.block_type in ("image", "document"):
            parts.append(value.get("caption") or value.get("title") or "")
        elif block.block_type == "link":
            parts.append(value.get("title", ""))
    return " ".join(p for p in parts if p)


class SearchDocument(Document):
    """Fields every searchable type shares."""

    content_type = Keyword()
    object_id = Long()
    translation_key = Keyword()
    language = Keyword()
    title = multilingual_text()
    summary = multilingual_text()
    body = multilingual_text()
    themes = multilingual_text()
    url = Keyword(index=False)
    published_at = Date()
    visibility = Keyword()
    suggest = Completion(contexts=[{"name": "language", "type": "category"}])
    facet_type = Keyword()
    facet_pillar = Keyword()
    facet_region = Keyword()
    facet_country = Keyword()
    facet_theme = Keyword()
    facet_stage = Keyword()
    facet_scale = Keyword()
    facet_lang = Keyword()
    facet_support = Keyword()
    facet_availability = Keyword()
    facet_focal = Keyword()
    facet_institution = Keyword()

    content_type_name = ""

    @classmethod
    def doc_id(cls, object_id):
        return f"{cls.content_type_name}-{object_id}"

    @classmethod
    def doc_ids(cls, object_id):
        """Every id an object's documents may have (to delete them all)."""
        return [cls.doc_id(object_id)]

    @classmethod
    def restricted_paths(cls):
        return []

    @classmethod
    def to_elasticsearch(cls, data):
        """The Elasticsearch source of a prepared dict: facets become keyword fields."""
        source = {k: v for k, v in data.items() if k not in ("id", "facets", "suggest")}
        source["themes"] = " · ".join(v for v in data["themes"].values() if v)
        source["published_at"] = data["published_at"].isoformat() if data["published_at"] else None
        source["suggest"] = {"input": data["suggest"], "contexts": {"language": [data["language"]]}}
        for facet, values in data["facets"].items():
            source[f"facet_{facet}"] = values
        return source


class PracticeDocument(SearchDocument):
    """A published, public good practice in one language."""

    content_type_name = "practice"

    class Index:
        name = "kx-practices"
        settings = {"number_of_shards": 1, "number_of_replicas": 0}

    @classmethod
    def get_model(cls):
        from practices.models import GoodPracticePage

        return GoodPracticePage

    @classmethod
    def get_queryset(cls):
        return (
            cls.get_model()
            .objects.live()
            .select_related("locale")
            .prefetch_related("pillars", "regions", "countries", "theme_items__tag")
            .order_by("pk")
        )

    @classmethod
    def restricted_paths(cls):
        return [r.page.path for r in PageViewRestriction.objects.select_related("page")]

    @classmethod
    def should_index(cls, page, restricted_paths=None):
        """Only live pages no view restriction hides: drafts and private pages never enter."""
        if not page.live:
            return False
        if restricted_paths is None:
            restricted_paths = cls.restricted_paths()
        return not any(page.path.startswith(path) for path in restricted_paths)

    @classmethod
    def prepare(cls, page):
        themes = [item.tag for item in page.theme_items.all()]
        theme_names = {
            code: " · ".join(
                n
                for n in (
                    getattr(t, f"name_{code}", "") or (t.name if code == "en" else "")
                    for t in themes
                )
                if n
            )
            for code in LANGUAGE_ANALYZERS
        }
        body = " ".join(
            part
            for part in (
                plain_text(page.challenge),
                stream_text(page.approach),
                plain_text(page.results),
                plain_text(page.lessons),
                plain_text(page.replicability),
                plain_text(page.human_rights),
            )
            if part
        )
        language = page.locale.language_code
        return {
            "id": cls.doc_id(page.pk),
            "content_type": cls.content_type_name,
            "object_id": page.pk,
            "translation_key": str(page.translation_key),
            "language": language,
            "title": page.title,
            "summary": page.summary,
            "body": body,
            "themes": theme_names,
            "url": page.get_url(),
            "published_at": page.first_published_at,
            "visibility": "public",
            "suggest": [page.title, *(t.name for t in themes)],
            "facets": {
                "type": [cls.content_type_name],
                "pillar": [str(p.number) for p in page.pillars.all()],
                "region": [r.slug for r in page.regions.all()],
                "country": [c.code for c in page.countries.all()],
                "theme": [t.slug for t in themes],
                "stage": [page.evidence_stage],
                "scale": [page.scale],
                "lang": [language],
            },
        }


class ExpertDocument(SearchDocument):
    """An approved expert profile: one document per visibility tier and language.

    The document of tier T is built only from `visible_profile_for_tier(profile, T)`, so a
    field an expert shows to members only is in the members', experts' and moderators'
    documents, never in the public one; e-mail, phone and vetting state are in none. The
    service lets a viewer read the tiers up to their own (`visibility IN (...)`), and all
    documents of a profile share the translation key `expert-<pk>`, so results and facet
    counts hold each expert once. A tier whose visible fields are those of the tier below
    adds no document: the lower one already answers for it.

    Languages: a profile is indexed in each search language (ar, en, fr, es) the expert
    declares at working level or better, as far as the tier may see their languages, plus
    Arabic when the visible biography is written in Arabic script; English when none is
    left. So an Arabic query finds an Arabic speaker in its own (first) ranking tier.
    """

    content_type_name = "expert"
    TIERS = ("public", "members", "experts", "moderators")
    WORKING_LEVELS = ("working", "fluent", "native")

    class Index:
        name = "kx-experts"
        settings = {"number_of_shards": 1, "number_of_replicas": 0}

    @classmethod
    def get_model(cls):
        from experts.models import ExpertProfile

        return ExpertProfile

    @classmethod
    def get_queryset(cls):
        return (
            cls.get_model()
            .objects.select_related("country", "institution")
            .prefetch_related("pillars", "regions", "themes", "languages", "links")
            .order_by("pk")
        )

    @classmethod
    def doc_id(cls, object_id, tier="public", language="en"):
        return f"{cls.content_type_name}-{object_id}-{tier}-{language}"

    @classmethod
    def doc_ids(cls, object_id):
        return [
            cls.doc_id(object_id, tier, language)
            for tier in cls.TIERS
            for language in LANGUAGE_ANALYZERS
        ]

    @classmethod
    def should_index(cls, profile, restricted_paths=None):
        """Approved profiles only: drafts, submissions, rejected and suspended ones never."""
        from experts.models import ProfileStatus

        return profile.status == ProfileStatus.APPROVED

    @classmethod
    def languages_of(cls, visible):
        from search.analysis import detect_script_language

        codes = [
            lang["code"]
            for lang in visible.get("languages", [])
            if lang.get("level_code") in cls.WORKING_LEVELS
        ]
        if detect_script_language(visible.get("biography", "")) == "ar":
            codes.append("ar")
        found = [code for code in dict.fromkeys(codes) if code in LANGUAGE_ANALYZERS]
        return found or ["en"]

    @classmethod
    def facets_of(cls, profile, visible):
        """Facet values from what the tier may see (support kinds, pillars, regions, themes
        and the focal-point badge are public once a profile is approved)."""
        from experts.models import SupportOffer

        facets = {
            "type": [cls.content_type_name],
            "pillar": [str(p.number) for p in visible["pillars"]],
            "region": [r.slug for r in visible["regions"]],
            "theme": [t.slug for t in visible["themes"]],
            "support": [v for v in profile.support_kinds or [] if v in SupportOffer.values],
            "focal": ["yes"] if visible["is_focal_point"] else [],
            "country": [visible["country"].code] if visible.get("country") else [],
            "institution": [visible["institution"].slug] if visible.get("institution") else [],
            "availability": [profile.availability] if "availability" in visible else [],
            "lang": list(
                dict.fromkeys(
                    lang["code"]
                    for lang in visible.get("languages", [])
                    if lang.get("level_code") in cls.WORKING_LEVELS
                )
            ),
        }
        return facets

    @classmethod
    def prepare_tier(cls, profile, tier, policy=None):
        """The documents of one tier, one per language."""
        from django.urls import reverse
        from django.utils import translation

        from experts.privacy import visible_profile_for_tier

        visible = visible_profile_for_tier(profile, tier, policy=policy)
        facets = cls.facets_of(profile, visible)
        themes = visible["themes"]
        theme_names = {
            code: " · ".join(
                n
                for n in (
                    getattr(t, f"name_{code}", "") or (t.name if code == "en" else "")
                    for t in themes
                )
                if n
            )
            for code in LANGUAGE_ANALYZERS
        }
        documents = []
        for language in cls.languages_of(visible):
            with translation.override(language):
                summary = " · ".join(
                    str(part)
                    for part in (
                        visible["professional_title"],
                        visible.get("organisation"),
                        visible["institution"].name if visible.get("institution") else None,
                        visible["country"].name if visible.get("country") else None,
                    )
                    if part
                )
                body = " ".join(
                    str(part)
                    for part in (
                        visible.get("biography"),
                        " ".join(str(k) for k in visible["support_kinds"]),
                        " ".join(link["title"] for link in visible.get("links", [])),
                        " ".join(lang["name"] for lang in visible.get("languages", [])),
                    )
                    if part
                )
                url = reverse("expert_detail", kwargs={"pk": profile.pk})
            documents.append(
                {
                    "id": cls.doc_id(profile.pk, tier, language),
                    "content_type": cls.content_type_name,
                    "object_id": profile.pk,
                    "translation_key": f"{cls.content_type_name}-{profile.pk}",
                    "language": language,
                    "title": visible["display_name"],
                    "summary": summary,
                    "body": body,
                    "themes": theme_names,
                    "url": url,
                    "published_at": None,
                    "visibility": tier,
                    "suggest": [visible["display_name"], *(t.name for t in themes)],
                    "facets": facets,
                }
            )
        return documents

    @classmethod
    def prepare(cls, profile, policy=None):
        """A LIST of documents: for each tier whose visible fields differ from the tier
        below, one per language. Highest tier first, so that in the embedded index (which
        keeps the lowest row of a profile among equals) a viewer's result is the richest
        document they may read."""
        from experts.models import PrivacyPolicy

        policy = policy or PrivacyPolicy.current()
        kept, previous = [], None
        for tier in cls.TIERS:
            documents = cls.prepare_tier(profile, tier, policy)
            content = [
                {k: v for k, v in d.items() if k not in ("id", "visibility")} for d in documents
            ]
            if content != previous:
                kept.append(documents)
                previous = content
        return [d for documents in reversed(kept) for d in documents]


DOCUMENTS = {
    PracticeDocument.content_type_name: PracticeDocument,
    ExpertDocument.content_type_name: ExpertDocument,
}


def prepared_documents(document, obj):
    """The documents `prepare()` makes of one object, always as a list."""
    prepared = document.prepare(obj)
    return prepared if isinstance(prepared, list) else [prepared]


def page_documents():
    """The documents of Wagtail pages (those moves and view restrictions affect)."""
    from wagtail.models import Page

    return [d for d in DOCUMENTS.values() if issubclass(d.get_model(), Page)]


def document_for_model(model):
    for document in DOCUMENTS.values():
        if issubclass(model, document.get_model()):
            return document
    return None
