"""The embedded backend's behaviour scenarios, against a real Elasticsearch cluster.

Skipped unless ELASTICSEARCH_URL is set (an Elasticsearch 9 cluster: the 9.x client asks
for version-9 compatibility). Run with:

    ELASTICSEARCH_URL=http://localhost:9200 .venv/bin/python -m pytest -m elasticsearch tests/live
"""

import pytest
from django.core.management import call_command
from wagtail.models import PageViewRestriction

from practices.models import GoodPracticePage
from search.documents import DOCUMENTS, PracticeDocument
from search.outbox import drain
from search.service import SearchRequest, search
from tests.factories import PracticeFactory, translate
from tests.live.conftest import elasticsearch_url

pytestmark = [
    pytest.mark.elasticsearch,
    pytest.mark.skipif(not elasticsearch_url(), reason="ELASTICSEARCH_URL is not set"),
]

# Sentences from the project's Arabic source documents (shared/seeds).
SEED_1 = "لقد أثر الإرهاب تأثيرا شديدا على العديد من بلدان الجنوب."
SEED_2 = (
    "وقد عرض المشاركون من بلدان الجنوب تبادل معارفهم وخبراتهم في مجال مكافحة الإرهاب "
    "بطريقة مستدامة، بوسائل تشمل تنفيذ دورات تدريبية بشأن تحديات محددة."
)
SEED_VOCALISED = "يَعْتَبِرُ التَّعَاوُنُ بَيْنَ دُوَلِ الْجَنُوبِ عُنْصُراً هَامّاً فِي مُكَافَحَةِ الإِرْهَابِ."
CVE = "مكافحة الإرهاب والتطرف العنيف"
CVE_VOCALISED = "مُكَافَحَةُ الإِرْهَابِ وَالتَّطَرُّفِ العَنِيفِ"
PREFIXES = "برامج تتصدى للإرهاب والتطرف وتعنى بالإرهاب الإلكتروني"


def rebuild(backend):
    return backend.rebuild(DOCUMENTS.values())


def refresh(backend):
    backend.client.indices.refresh(index=backend.names(PracticeDocument).read)


def find(text, language="en", **filters):
    results = search(SearchRequest(text=text, language=language, filters=filters, per_page=50))
    assert results.backend == "elasticsearch"
    return results


def titles(results):
    return [h.title for h in results.hits]


@pytest.fixture
def arabic_library(live_backend):
    pages = {
        "seed1": PracticeFactory(
            title="أثر الإرهاب في بلدان الجنوب", summary=SEED_1, language="ar", countries=["JO"]
        ),
        "seed2": PracticeFactory(
            title="تبادل الخبرات", summary=SEED_2, language="ar", countries=["MA"]
        ),
        "vocalised": PracticeFactory(
            title="تقرير إقليمي", summary=SEED_VOCALISED, language="ar", countries=["EG"]
        ),
        "cve_vocalised": PracticeFactory(
            title=CVE_VOCALISED, summary="برنامج وطني", language="ar", countries=["JO"]
        ),
        "cve_plain": PracticeFactory(
            title="برنامج إقليمي", summary=f"{CVE} في المدارس", language="ar", countries=["IQ"]
        ),
        "prefixes": PracticeFactory(
            title="برامج وقائية", language="ar", countries=["TN"], summary=PREFIXES
        ),
        "variants": PracticeFactory(
            title="مبادرة الأسرة",
            language="ar",
            countries=["DZ"],
            summary="مبادرة إقليمية لحماية الاسره من الافكار المتطرفة",
        ),
    }
    assert rebuild(live_backend) == len(pages)
    return pages


def test_undiacritised_query_finds_vocalised_text(arabic_library):
    assert "تقرير إقليمي" in titles(find("التعاون الجنوب", "ar"))
    assert CVE_VOCALISED in titles(find(CVE, "ar"))


def test_vocalised_query_finds_undiacritised_text(arabic_library):
    assert "تبادل الخبرات" in titles(find("مُكَافَحَةِ الإِرْهَابِ", "ar"))
    assert "برنامج إقليمي" in titles(find(CVE_VOCALISED, "ar"))


@pytest.mark.parametrize("query", ["الإرهاب", "إرهاب", "والإرهاب", "بالإرهاب", "للإرهاب"])
def test_arabic_prefixes_and_articles_match(arabic_library, query):
    found = titles(find(query, "ar"))
    for title in (
        "أثر الإرهاب في بلدان الجنوب",
        "تبادل الخبرات",
        "برامج وقائية",
        CVE_VOCALISED,
        "برنامج إقليمي",
    ):
        assert title in found, (query, found)


def test_alef_and_teh_marbuta_variants_match(arabic_library):
    assert "مبادرة الأسرة" in titles(find("الأسرة", "ar"))  # text has الاسره
    assert "مبادرة الأسرة" in titles(find("أفكار", "ar"))  # text has الافكار


def test_matches_are_highlighted_in_the_original_text(arabic_library):
    hit = next(h for h in find("الإرهاب", "ar").hits if h.title == "برامج وقائية")
    assert "<mark>للإرهاب</mark>" in hit.snippet


@pytest.fixture
def latin_library(live_backend):
    pages = [
        PracticeFactory(
            title="Prévenir l'extrémisme violent",
            language="fr",
            countries=["SN"],
            summary="Les radios communautaires répondent aux discours extrémistes.",
        ),
        PracticeFactory(
            title="Programas para jóvenes",
            language="es",
            countries=["CO"],
            summary="Políticas locales de prevención con los jóvenes y las familias.",
        ),
        PracticeFactory(
            title="Prison reform",
            language="en",
            countries=["KE"],
            summary="Three prisons adopted new policies on visits.",
        ),
    ]
    rebuild(live_backend)
    return pages


def test_french_elision_and_accents(latin_library):
    assert titles(find("extrémisme", "fr")) == ["Prévenir l'extrémisme violent"]
    assert titles(find("l'extrémisme", "fr")) == ["Prévenir l'extrémisme violent"]
    assert titles(find("discours extrémiste", "fr")) == ["Prévenir l'extrémisme violent"]


def test_english_and_spanish_plurals(latin_library):
    assert titles(find("prison policy", "en"))[0] == "Prison reform"
    assert titles(find("joven políticas", "es"))[0] == "Programas para jóvenes"


def test_full_matches_rank_above_partial_ones(live_backend):
    PracticeFactory(title="Prison education", summary="Classes in prison.")
    PracticeFactory(title="Youth in prison", summary="A prison programme for youth and families.")
    rebuild(live_backend)
    results = find("prison youth families")
    assert titles(results)[0] == "Youth in prison"
    assert titles(results)[1] == "Prison education"  # partial: only "prison"
    assert [h.cross_language for h in results.hits[:2]] == [False, False]


def test_a_query_finds_other_languages_through_the_glossary_ranked_after_its_own(live_backend):
    english = PracticeFactory(
        title="Countering violent extremism online",
        language="en",
        summary="Moderation partnerships against violent extremism.",
    )
    arabic = PracticeFactory(
        title="برنامج وطني", language="ar", summary="برنامج لمنع التطرف العنيف لدى الشباب"
    )
    french = PracticeFactory(
        title="Programme national",
        language="fr",
        summary="Prévention de l'extrémisme violent chez les jeunes",
    )
    rebuild(live_backend)
    results = find("violent extremism", "en")
    assert titles(results)[0] == english.title
    assert set(titles(results)[1:]) == {arabic.title, french.title}
    assert results.cross_languages == ["ar", "fr"]
    assert results.hits[1].cross_language and not results.hits[0].cross_language


def test_a_practice_and_its_translations_appear_once(arabic_library, live_backend):
    translate(
        arabic_library["seed1"],
        "en",
        title="Terrorism in the South",
        summary="Terrorism has deeply affected many countries of the South.",
    )
    rebuild(live_backend)
    results = find("terrorism", "en")
    assert titles(results).count("Terrorism in the South") == 1
    assert "أثر الإرهاب في بلدان الجنوب" not in titles(results)


def test_facet_counts_equal_database_counts(live_backend):
    for n in range(6):
        PracticeFactory(
            pillars=[1 + n % 2, 4],
            countries=["KE" if n % 3 else "PE"],
            evidence_stage="tested" if n < 4 else "validated",
        )
    rebuild(live_backend)
    results = find("", pillar=["1"])
    live = GoodPracticePage.objects.live()
    assert results.total == live.filter(pillars__number=1).count()
    assert results.facets["pillar"]["2"] == live.filter(pillars__number=2).count()
    assert (
        results.facets["stage"]["tested"]
        == live.filter(pillars__number=1, evidence_stage="tested").count()
    )
    assert (
        results.facets["region"]["africa"]
        == live.filter(pillars__number=1, regions__slug="africa").count()
    )
    assert live_backend.counts() == {"practice": live.count()}


def test_drafts_private_and_unpublished_practices_never_appear(live_backend):
    PracticeFactory(title="Secret draft about youth", live=False)
    hidden = PracticeFactory(title="Private practice about youth")
    unpublished = PracticeFactory(title="Withdrawn practice about youth")
    PracticeFactory(title="Public practice about youth")
    PageViewRestriction.objects.create(page=hidden, restriction_type="login")
    unpublished.unpublish()
    rebuild(live_backend)
    assert titles(find("youth")) == ["Public practice about youth"]

    # A change after the rebuild reaches the cluster through the outbox.
    later = PracticeFactory(title="Later practice about youth")
    drain(live_backend, "elasticsearch_done")
    refresh(live_backend)
    assert set(titles(find("youth"))) == {"Public practice about youth", later.title}
    later.unpublish()
    call_command("search_sync", "--once")
    refresh(live_backend)
    assert titles(find("youth")) == ["Public practice about youth"]


def test_searches_keep_answering_while_a_rebuild_swaps_the_alias(live_backend):
    for n in range(4):
        PracticeFactory(title=f"Youth practice {n}")
    rebuild(live_backend)
    names = live_backend.names(PracticeDocument)
    (old,) = live_backend.client.indices.get_alias(name=names.read).body

    answers = []
    changed = []

    def during_the_load(count):
        answers.append(find("youth").total)  # served by the old version
        if not changed:  # a change made while the rebuild runs must survive the swap
            changed.append(PracticeFactory(title="Youth practice added meanwhile"))
            drain(live_backend, "elasticsearch_done")

    live_backend.rebuild([PracticeDocument], progress=during_the_load, batch_size=1)
    assert answers and all(total >= 4 for total in answers)

    (new,) = live_backend.client.indices.get_alias(name=names.read).body
    assert new != old
    assert list(live_backend.client.indices.get_alias(name=names.write).body) == [new]
    assert not live_backend.client.indices.exists(index=old)
    assert not live_backend.client.indices.exists_alias(name=names.staging)
    assert find("youth").total == 5
    assert changed[0].title in titles(find("meanwhile"))
