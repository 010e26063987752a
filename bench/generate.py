"""Generate published good practices in bulk, directly in the page tree.

Creating pages one by one with Wagtail's add_child() + publish costs tens of queries
each; for thousands of practices the rows are written here in a few bulk INSERTs:

* wagtailcore_page: treebeard materialised paths under each language's
  PracticeIndexPage (parent path + a 4-character base-36 step), depth, url_path,
  live, first/last_published_at spread over several years, locale, translation_key,
  content_type; the parent index's numchild is increased accordingly.
* practices_goodpracticepage: the multi-table-inheritance child rows (page_ptr_id =
  the page id). QuerySet.bulk_create refuses multi-table models, so both tables are
  written with QuerySet._insert, which is what Model.save() itself uses, in batches
  sized by the database backend.
* the many-to-many rows (pillars, regions, implementing and partner countries) and
  the themes (practices.PracticeTheme), with bulk_create.

Text comes from the demo practices (practices/demo/practices.json) in the practice's
language: by default each practice copies one demo practice of its language
(texts="demo"); with texts="mixed" (the search benchmark) each field is new
paragraphs of sentences drawn at random from two demo texts of that language
(originals and translations; its topics) and, one sentence in ten, from any, so that
no two practices read alike, every word is a real Arabic, English, French or Spanish
word, and a word is frequent in some practices and absent from most, as in real text.
About 10 % of the practices also get a published translation: the same
translation_key and classification, another locale, under that locale's index.
Generated pages have no revisions and are not in the search index (the public list
and practice page read neither).

Generation is deterministic for a given seed and grows incrementally:
grow_to(200) then grow_to(5000) yields the same practices as grow_to(5000).
"""

import json
import random
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import F
from wagtail.models import Locale, Page

from kx_platform.models import Country, Pillar, Region, Theme
from practices.choices import EvidenceStage, Scale, SupportKind
from practices.demo.loader import DATA_FILE, text_fields
from practices.models import GoodPracticePage, PracticeIndexPage, PracticeTheme

# Share of practices whose original is in each language (the rest of the platform
# is expected to be mostly English and French, then Arabic and Spanish).
LANGUAGE_WEIGHTS = {"en": 0.45, "fr": 0.25, "ar": 0.18, "es": 0.12}
TRANSLATED_SHARE = 0.10
PUBLISHED_FROM = datetime(2019, 1, 1, tzinfo=UTC)
PUBLISHED_SPAN = timedelta(days=7 * 365)
SLUG_PREFIX = "bench-practice"
TEXT_MODES = ("demo", "mixed")
TEXT_FIELDS = ("challenge", "results", "lessons", "replicability", "human_rights")
# A sentence ends with . ! ? or the Arabic question mark, before a space.
SENTENCE_END = re.compile(r"(?<=[.!?\u061f])\s+")
STRAY_SHARE = 0.1  # texts="mixed": share of sentences from off-topic demo texts


@dataclass
class GeneratedPractice:
    """What the benchmark needs to know about a generated practice."""

    number: int
    translation_key: uuid.UUID
    language: str
    pillars: frozenset
    regions: frozenset
    translation_language: str | None = None

    @property
    def slug(self):
        return f"{SLUG_PREFIX}-{self.number}"

    @property
    def languages(self):
        return {self.language, self.translation_language} - {None}


class PracticeGenerator:
    def __init__(self, seed=20_250_601, texts="demo"):
        if texts not in TEXT_MODES:
            raise ValueError(f"texts must be one of {TEXT_MODES}")
        self.rng = random.Random(seed)
        # Texts draw from a random stream of their own: the classification of the
        # practices (hence every expected count) is the same whatever the text mode.
        self.text_mode = texts
        self.text_rng = random.Random(seed + 1)
        self.practices = []  # GeneratedPractice, in creation order
        self.pages_created = 0

        self.locales = {loc.language_code: loc for loc in Locale.objects.all()}
        self.indexes = {
            index.locale.language_code: index
            for index in PracticeIndexPage.objects.select_related("locale")
        }
        missing = set(LANGUAGE_WEIGHTS) - set(self.indexes)
        if missing:
            raise RuntimeError(f"No practice index for {sorted(missing)}: did migrate run?")
        self.next_step = {code: self._last_step(index) + 1 for code, index in self.indexes.items()}
        self.content_type = ContentType.objects.get_for_model(GoodPracticePage)

        self.pillar_ids = dict(Pillar.objects.values_list("number", "pk"))
        self.region_ids = dict(Region.objects.values_list("slug", "pk"))
        south = Country.objects.filter(region__is_global_south=True).select_related("region")
        self.south_countries = [(c.code, c.region.slug) for c in south.order_by("code")]
        north = Country.objects.filter(region__is_global_south=False).order_by("code")
        self.north_countries = list(north.values_list("code", flat=True))
        self.theme_ids = list(Theme.objects.order_by("pk").values_list("pk", flat=True))
        if not (self.pillar_ids and self.south_countries and self.theme_ids):
            raise RuntimeError("The taxonomy is empty: did migrate run?")

        demo = json.loads(DATA_FILE.read_text(encoding="utf-8"))
        self.templates = {code: [d for d in demo if d["language"] == code] for code in self.indexes}
        self.demo = demo
        self.pools = sentence_pools(demo) if texts == "mixed" else {}
        self.all_sentences = {
            code: [sentence for text in pool for sentence in text["sentences"]]
            for code, pool in self.pools.items()
        }

    def _last_step(self, index):
        last = (
            Page.objects.filter(path__startswith=index.path, depth=index.depth + 1)
            .order_by("-path")
            .values_list("path", flat=True)
            .first()
        )
        return Page._str2int(last[-Page.steplen :]) if last else 0

    # --- public ------------------------------------------------------------------
    def grow_to(self, total):
        """Add practices until there are `total` (each possibly with one translation)."""
        count = total - len(self.practices)
        if count <= 0:
            return 0
        with transaction.atomic():
            self._create(count)
        # Bulk writes send no signals: tell cached counts that content changed, as
        # any bulk import must.
        from kx_platform.content_cache import bump

        bump()
        return count

    def expected_total(self, pillar=None, region=None):
        """How many practices the list should show (each practice once, any language)."""
        return sum(
            1
            for p in self.practices
            if (pillar is None or pillar in p.pillars) and (region is None or region in p.regions)
        )

    # --- building rows -------------------------------------------------------------
    def _create(self, count):
        pages = []  # GoodPracticePage instances, not yet saved
        relations = []  # (page index in `pages`, classification dict)
        for _ in range(count):
            number = len(self.practices) + 1
            original, classification, generated = self._new_practice(number)
            pages.append(original)
            relations.append(classification)
            if generated.translation_language:
                pages.append(self._translation(original, generated))
                relations.append(classification)
            self.practices.append(generated)

        self._insert_pages(pages)
        self._insert_relations(pages, relations)
        for code, index in self.indexes.items():
            added = sum(1 for p in pages if p.locale_id == self.locales[code].pk)
            if added:
                Page.objects.filter(pk=index.pk).update(numchild=F("numchild") + added)
        self.pages_created += len(pages)

    def _new_practice(self, number):
        rng = self.rng
        language = rng.choices(list(LANGUAGE_WEIGHTS), weights=LANGUAGE_WEIGHTS.values())[0]
        pillars = sorted(rng.sample(sorted(self.pillar_ids), k=rng.choice((1, 1, 2, 2, 3))))
        countries = rng.sample(self.south_countries, k=rng.choice((1, 1, 1, 2)))
        regions = {slug for _code, slug in countries}
        if rng.random() < 0.1:  # a practice also tagged with a neighbouring region
            regions.add(
                rng.choice(sorted(s for s in self.region_ids if s != "europe-north-america"))
            )
        scale = rng.choice(Scale.values)
        partners = rng.sample(self.north_countries, k=1) if scale == Scale.TRIANGULAR else []
        themes = rng.sample(self.theme_ids, k=rng.choice((1, 2, 2, 3)))
        start_year = rng.randint(2005, 2024)
        classification = {
            "pillars": [self.pillar_ids[n] for n in pillars],
            "regions": [self.region_ids[s] for s in sorted(regions)],
            "countries": [code for code, _slug in countries],
            "partner_countries": partners,
            "themes": themes,
        }
        published = PUBLISHED_FROM + timedelta(
            seconds=rng.randrange(int(PUBLISHED_SPAN.total_seconds()))
        )
        translation_language = None
        if rng.random() < TRANSLATED_SHARE:
            translation_language = rng.choice([c for c in LANGUAGE_WEIGHTS if c != language])
        generated = GeneratedPractice(
            number=number,
            translation_key=uuid.UUID(int=rng.getrandbits(128), version=4),
            language=language,
            pillars=frozenset(pillars),
            regions=frozenset(regions),
            translation_language=translation_language,
        )
        page = self._page(
            generated,
            language,
            published,
            scale=scale,
            evidence_stage=rng.choice(EvidenceStage.values),
            support_kinds=rng.sample(SupportKind.values, k=rng.choice((0, 1, 1, 2))),
            start_year=start_year,
            end_year=rng.choice((None, None, start_year + rng.randint(1, 6))),
        )
        return page, classification, generated

    def _translation(self, original, generated):
        return self._page(
            generated,
            generated.translation_language,
            original.first_published_at + timedelta(days=self.rng.randint(1, 60)),
            **{
                name: getattr(original, name)
                for name in ("scale", "evidence_stage", "support_kinds", "start_year", "end_year")
            },
        )

    def _page(self, generated, language, published, **fields):
        templates = self.templates.get(language) or self.demo
        template = templates[generated.number % len(templates)]
        texts = text_fields(self._mixed_texts(language) if self.pools else template)
        texts["title"] = f"{texts['title']} ({generated.number})"
        index = self.indexes[language]
        step = self.next_step[language]
        self.next_step[language] += 1
        return GoodPracticePage(
            # wagtailcore_page
            path=Page._get_path(index.path, index.depth + 1, step),
            depth=index.depth + 1,
            numchild=0,
            translation_key=generated.translation_key,
            locale=self.locales[language],
            live=True,
            has_unpublished_changes=False,
            first_published_at=published,
            last_published_at=published,
            latest_revision_created_at=published,
            draft_title=texts["title"],
            slug=generated.slug,
            content_type=self.content_type,
            url_path=f"{index.url_path}{generated.slug}/",
            show_in_menus=False,
            # practices_goodpracticepage
            organisations=[
                {"type": "organisation", "value": {"name": name, "website": ""}}
                for name in template["organisations"]
            ],
            sources=[{"type": "source", "value": source} for source in template["sources"]],
            is_demo=False,
            **texts,
            **fields,
        )

    def _mixed_texts(self, language):
        """The text fields of a new practice in `language`: paragraphs of sentences
        drawn from two demo texts of that language (its topics: a practice about prisons
        speaks of prisons), now and then one from any demo text of the language."""
        rng = self.text_rng
        sources = self.pools.get(language) or self.pools["en"]
        main, other = rng.sample(sources, 2) if len(sources) > 1 else (sources[0], sources[0])
        topical = main["sentences"] + other["sentences"]
        stray = self.all_sentences.get(language) or topical

        def paragraphs(count):
            return [
                " ".join(
                    rng.choice(stray if rng.random() < STRAY_SHARE else topical)
                    for _ in range(rng.randint(1, 3))
                )
                for _ in range(count)
            ]

        headings = main["headings"] + other["headings"]
        quotes = main["quotes"] + other["quotes"]
        approach = []
        for _ in range(rng.randint(1, 3)):
            if headings:
                approach.append({"type": "heading", "value": rng.choice(headings)})
            approach.extend(
                {"type": "paragraph", "value": text} for text in paragraphs(rng.randint(1, 2))
            )
            if quotes and rng.random() < 0.4:
                approach.append({"type": "quote", "value": dict(rng.choice(quotes))})
        return {
            "title": main["title"],
            "summary": rng.choice((main, other))["summary"],
            "approach": approach,
            **{name: paragraphs(rng.randint(1, 2)) for name in TEXT_FIELDS},
        }

    # --- writing -------------------------------------------------------------------
    def _insert_pages(self, pages):
        page_fields = [f for f in Page._meta.local_concrete_fields if not f.primary_key]
        page_manager = Page._base_manager
        for batch in _batches(pages, page_fields):
            rows = page_manager._insert(
                batch, fields=page_fields, returning_fields=[Page._meta.pk], using="default"
            )
            if len(rows) != len(batch):
                raise RuntimeError("The database did not return the new page ids.")
            for page, (pk,) in zip(batch, rows, strict=True):
                page.id = page.page_ptr_id = pk
        child_fields = list(GoodPracticePage._meta.local_concrete_fields)  # page_ptr first
        for batch in _batches(pages, child_fields):
            GoodPracticePage._base_manager._insert(batch, fields=child_fields, using="default")
        for page in pages:
            page._state.adding = False
            page._state.db = "default"

    def _insert_relations(self, pages, relations):
        through = {
            name: getattr(GoodPracticePage, name).through
            for name in ("pillars", "regions", "countries", "partner_countries")
        }
        target = {
            "pillars": "pillar_id",
            "regions": "region_id",
            "countries": "country_id",
            "partner_countries": "country_id",
        }
        rows = {name: [] for name in through}
        themes = []
        for page, classification in zip(pages, relations, strict=True):
            for name, model in through.items():
                rows[name].extend(
                    model(goodpracticepage_id=page.pk, **{target[name]: value})
                    for value in classification[name]
                )
            themes.extend(
                PracticeTheme(content_object_id=page.pk, tag_id=theme_id)
                for theme_id in classification["themes"]
            )
        for name, model in through.items():
            model.objects.bulk_create(rows[name])
        PracticeTheme.objects.bulk_create(themes)


def sentence_pools(demo):
    """{language: [text, ...]}: every demo practice and every translation of one, as
    {"title", "summary", "headings", "quotes", "sentences"}, under its language."""
    pools = {}
    for practice in demo:
        versions = [(practice["language"], practice)]
        versions += list(practice.get("translations", {}).items())
        for language, texts in versions:
            text = {
                "title": texts["title"],
                "summary": texts["summary"],
                "headings": [],
                "quotes": [],
                "sentences": [],
            }
            paragraphs = [p for name in TEXT_FIELDS for p in texts.get(name, [])]
            for block in texts.get("approach", []):
                if block["type"] == "heading":
                    text["headings"].append(block["value"])
                elif block["type"] == "quote":
                    text["quotes"].append(block["value"])
                elif block["type"] == "paragraph":
                    paragraphs.append(block["value"])
            for paragraph in paragraphs:
                text["sentences"].extend(s for s in SENTENCE_END.split(paragraph) if s.strip())
            pools.setdefault(language, []).append(text)
    return pools


def _batches(objs, fields):
    size = max(1, connection.ops.bulk_batch_size(fields, objs))
    for start in range(0, len(objs), size):
        yield objs[start : start + size]


def tree_problems():
    """treebeard's consistency check of the whole page tree; empty lists when sound."""
    evil_chars, bad_steplen, orphans, wrong_depth, wrong_numchild = Page.find_problems()
    problems = {
        "bad characters": evil_chars,
        "bad step length": bad_steplen,
        "orphans": orphans,
        "wrong depth": wrong_depth,
        "wrong numchild": wrong_numchild,
    }
    return {name: ids for name, ids in problems.items() if ids}
