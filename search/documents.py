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
FACETS = ("type", "pillar", "region", "country", "theme", "stage", "scale", "lang")


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

    content_type_name = ""

    @classmethod
    def doc_id(cls, object_id):
        return f"{cls.content_type_name}-{object_id}"


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


DOCUMENTS = {PracticeDocument.content_type_name: PracticeDocument}


def document_for_model(model):
    for document in DOCUMENTS.values():
        if issubclass(model, document.get_model()):
            return document
    return None
