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
import json
import re
from functools import cache
from urllib.parse import quote

from django.conf import settings
from django.db.models import TextField
from django.db.models.functions import Cast
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


_BLOCK_TAG = re.compile(
    r"<(?:/?(?:p|br|li|ul|ol|h[1-6]|div|blockquote|tr|td|th|table|hr)\b[^>]*)>", re.I
)
_ANY_TAG = re.compile(r"<!--.*?-->|<[^>]*>", re.S)


def plain_text(rich_text):
    """Rich text (HTML, the editor's own) as plain text for the index, entities decoded,
    whitespace collapsed: block tags become spaces, the others disappear. A regular
    expression, not an HTML parser: ten times faster, and the text is only analysed,
    or shown escaped."""
    text = _ANY_TAG.sub("", _BLOCK_TAG.sub(" ", rich_text or ""))
    return " ".join(html.unescape(text).split())


def stream_text(stream):
    """The readable text of a StreamField value, read from its raw JSON (no block
    objects are built: a rebuild reads thousands of them)."""
    parts = []
    for block in getattr(stream, "raw_data", stream) or []:
        kind, value = block.get("type"), block.get("value")
        if kind == "paragraph":
            parts.append(plain_text(value))
        elif kind == "heading":
            parts.append(str(value or ""))
        elif kind == "quote":
            parts.extend([value.get("text", ""), value.get("attribution", "")])
        elif kind in ("image", "document"):
            parts.append(value.get("caption") or value.get("title") or "")
        elif kind == "link":
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
    def prepare_batch(cls, pks, restricted_paths=None):
        """The prepared documents of the indexable objects among `pks` (a rebuild's
        batch): a fixed number of queries, whatever the number of objects."""
        if restricted_paths is None:
            restricted_paths = cls.restricted_paths()
        return [
            data
            for obj in cls.get_queryset().filter(pk__in=pks)
            if cls.should_index(obj, restricted_paths)
            for data in prepared_documents(cls, obj)
        ]

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

    # What prepare_batch() reads of each page: plain column values, no page objects.
    COLUMNS = (
        "pk",
        "title",
        "summary",
        "challenge",
        "approach",
        "results",
        "lessons",
        "replicability",
        "human_rights",
        "locale__language_code",
        "translation_key",
        "first_published_at",
        "evidence_stage",
        "scale",
        "url_path",
        "path",
    )

    @classmethod
    def prepare(cls, page):
        return cls._prepare_rows(cls.get_model().objects.filter(pk=page.pk), restricted=[])[0]

    @classmethod
    def prepare_batch(cls, pks, restricted_paths=None):
        if restricted_paths is None:
            restricted_paths = cls.restricted_paths()
        pages = cls.get_model().objects.live().filter(pk__in=pks)
        return cls._prepare_rows(pages, restricted_paths)

    @classmethod
    def _prepare_rows(cls, pages, restricted):
        """The documents of `pages` outside the `restricted` paths, from their column
        values and four queries for the classification (a Page object each would cost
        more than everything else in a rebuild)."""
        from practices.models import PracticeTheme

        urls = PageUrls()
        # The StreamField as its JSON text: Wagtail's own reading builds a model field
        # and a StreamValue per row, a third of the time of this method.
        raw = {"approach": Cast("approach", output_field=TextField())}
        columns = [f"{c}_json" if c in raw else c for c in cls.COLUMNS]
        rows = [
            dict(zip(cls.COLUMNS, values, strict=True))
            for values in pages.order_by("pk")
            .annotate(**{f"{c}_json": expression for c, expression in raw.items()})
            .values_list(*columns)
        ]
        rows = [r for r in rows if not any(r["path"].startswith(p) for p in restricted)]
        ids = [r["pk"] for r in rows]
        through = cls.get_model()
        related = {
            "pillar": _grouped(
                through.pillars.through.objects.filter(goodpracticepage_id__in=ids)
                .order_by("pillar__number")
                .values_list("goodpracticepage_id", "pillar__number")
            ),
            "region": _grouped(
                through.regions.through.objects.filter(goodpracticepage_id__in=ids)
                .order_by("region__sort_order", "region__slug")
                .values_list("goodpracticepage_id", "region__slug")
            ),
            "country": _grouped(
                through.countries.through.objects.filter(goodpracticepage_id__in=ids)
                .order_by("country__code")
                .values_list("goodpracticepage_id", "country__code")
            ),
        }
        name_fields = _theme_name_fields()
        codes = list(name_fields)
        themes = _grouped(
            (page_id, {"slug": slug, "en": name, **dict(zip(codes, translated, strict=True))})
            for page_id, slug, name, *translated in PracticeTheme.objects.filter(
                content_object_id__in=ids
            )
            .order_by("pk")
            .values_list("content_object_id", "tag__slug", "tag__name", *name_fields.values())
        )
        documents = []
        for row in rows:
            page_themes = themes.get(row["pk"], [])
            names = {
                code: " · ".join(t[code] for t in page_themes if t.get(code))
                for code in LANGUAGE_ANALYZERS
            }
            body = " ".join(
                part
                for part in (
                    plain_text(row["challenge"]),
                    stream_text(json.loads(row["approach"] or "[]")),
                    plain_text(row["results"]),
                    plain_text(row["lessons"]),
                    plain_text(row["replicability"]),
                    plain_text(row["human_rights"]),
                )
                if part
            )
            language = row["locale__language_code"]
            documents.append(
                {
                    "id": cls.doc_id(row["pk"]),
                    "content_type": cls.content_type_name,
                    "object_id": row["pk"],
                    "translation_key": str(row["translation_key"]),
                    "language": language,
                    "title": row["title"],
                    "summary": row["summary"],
                    "body": body,
                    "themes": names,
                    "url": urls(row["url_path"]),
                    "published_at": row["first_published_at"],
                    "visibility": "public",
                    "suggest": [row["title"], *(t["en"] for t in page_themes)],
                    "facets": {
                        "type": [cls.content_type_name],
                        "pillar": [str(n) for n in related["pillar"].get(row["pk"], [])],
                        "region": related["region"].get(row["pk"], []),
                        "country": related["country"].get(row["pk"], []),
                        "theme": [t["slug"] for t in page_themes],
                        "stage": [row["evidence_stage"]],
                        "scale": [row["scale"]],
                        "lang": [language],
                    },
                }
            )
        return documents


class PageUrls:
    """Page URLs from their `url_path` alone, as `Page.get_url()` makes them, with one
    reverse() per language instead of one per page (a rebuild builds thousands)."""

    SAFE = "!$&'()*+,;=/~:@"  # what reverse() leaves unquoted (RFC 3986 sub-delims, /~:@)

    def __init__(self):
        from wagtail.models import Site

        self.roots = Site.get_site_root_paths()
        self.one_site = len({root.site_id for root in self.roots}) <= 1
        self.prefixes = {}

    def __call__(self, url_path):
        from wagtail.models import Page

        if not self.one_site:
            return Page(url_path=url_path).get_url()  # full URLs: Wagtail decides
        root = next((r for r in self.roots if url_path.startswith(r.root_path)), None)
        if root is None:
            return None
        prefix = self.prefixes.get(root.language_code)
        if prefix is None:
            from django.urls import reverse
            from django.utils import translation

            with translation.override(root.language_code):
                prefix = self.prefixes[root.language_code] = reverse("wagtail_serve", args=("",))
        url = prefix + quote(url_path[len(root.root_path) :], safe=self.SAFE)
        if not getattr(settings, "WAGTAIL_APPEND_SLASH", True) and url != "/":
            url = url.rstrip("/")
        return url


@cache
def _theme_name_fields():
    """{language: lookup of the theme's name in it} for the languages Theme has a field for."""
    from kx_platform.models import Theme

    names = {f.name for f in Theme._meta.get_fields()}
    return {code: f"tag__name_{code}" for code in LANGUAGE_ANALYZERS if f"name_{code}" in names}


def _grouped(pairs):
    """{first: [second, ...]} of (first, second) pairs, in their order."""
    grouped = {}
    for key, value in pairs:
        grouped.setdefault(key, []).append(value)
    return grouped


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
            # "no" is never offered as a filter; the roster uses it to list focal points first.
            "focal": ["yes"] if visible["is_focal_point"] else ["no"],
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
                    # Browsing lists the newest first: for an expert, the latest approval.
                    "published_at": profile.approved_at or profile.created_at,
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


class DiscussionDocument(SearchDocument):
    """A forum thread with its published posts: one document per language it is written
    in (the thread's declared language, and each reply's), so that an Arabic reply in a
    French thread is found by an Arabic query in its own ranking tier. All documents of a
    thread share the translation key `discussion-<pk>` (each thread is one hit).

    Visibility is the category's ("public", "members" or "experts"): the service asks
    only for the tiers the reader may read, exactly as for expert profiles. Threads that
    wait for approval or whose opening post is hidden are not indexed; hidden, pending
    and deleted replies are left out of the text.
    """

    content_type_name = "discussion"

    class Index:
        name = "kx-discussions"

    @classmethod
    def get_model(cls):
        from experts.forum.models import Thread

        return Thread

    @classmethod
    def get_queryset(cls):
        from django.db.models import Prefetch

        from experts.forum.models import Post, PostState

        return (
            cls.get_model()
            .objects.select_related("category", "category__pillar", "category__region")
            .prefetch_related(
                "theme_items__tag",
                Prefetch(
                    "posts",
                    queryset=Post.objects.filter(state=PostState.PUBLISHED).order_by("number"),
                    to_attr="published_posts",
                ),
            )
            .order_by("pk")
        )

    @classmethod
    def doc_id(cls, object_id, language="en"):
        return f"{cls.content_type_name}-{object_id}-{language}"

    @classmethod
    def doc_ids(cls, object_id):
        return [cls.doc_id(object_id, language) for language in LANGUAGE_ANALYZERS]

    @classmethod
    def should_index(cls, thread, restricted_paths=None):
        return thread.is_visible

    @classmethod
    def prepare(cls, thread):
        """A LIST of documents, one per language of the thread's published posts."""
        from django.urls import reverse
        from django.utils import translation

        posts = getattr(thread, "published_posts", None)
        if posts is None:
            posts = list(thread.posts.filter(state="published").order_by("number"))
        themes = [item.tag for item in thread.theme_items.all()]
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
        thread_language = thread.language if thread.language in LANGUAGE_ANALYZERS else "en"
        by_language = {thread_language: []}
        for post in posts:
            language = post.language if post.language in LANGUAGE_ANALYZERS else thread_language
            by_language.setdefault(language, []).append(plain_text(post.body_html))
        category = thread.category
        facets = {
            "type": [cls.content_type_name],
            "lang": list(by_language),
            "theme": [t.slug for t in themes],
            "pillar": [str(category.pillar.number)] if category.pillar_id else [],
            "region": [category.region.slug] if category.region_id else [],
        }
        documents = []
        for language, texts in by_language.items():
            with translation.override(language):
                url = reverse("forum_thread", kwargs={"pk": thread.pk})
                category_name = category.name
            first = texts[0] if texts else ""
            documents.append(
                {
                    "id": cls.doc_id(thread.pk, language),
                    "content_type": cls.content_type_name,
                    "object_id": thread.pk,
                    "translation_key": f"{cls.content_type_name}-{thread.pk}",
                    "language": language,
                    # A reply's language version still carries the thread's title, so
                    # that the hit reads as the discussion it belongs to.
                    "title": thread.title,
                    "summary": " · ".join(p for p in (category_name, first[:300]) if p),
                    "body": " ".join(texts),
                    "themes": theme_names,
                    "url": url,
                    "published_at": thread.last_posted_at or thread.created_at,
                    "visibility": category.visibility,
                    "suggest": [thread.title] if language == thread_language else [],
                    "facets": facets,
                }
            )
        return documents


DOCUMENTS = {
    PracticeDocument.content_type_name: PracticeDocument,
    ExpertDocument.content_type_name: ExpertDocument,
    DiscussionDocument.content_type_name: DiscussionDocument,
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
