"""The search service on the embedded index: languages, facets, permissions, the outbox."""

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wagtail.models import PageViewRestriction

from practices.models import GoodPracticePage
from search.backends.embedded import get_index
from search.models import OutboxEntry
from search.outbox import drain
from search.service import SearchRequest, search
from tests.conftest import drain_search
from tests.factories import PracticeFactory, translate

pytestmark = pytest.mark.django_db

# Sentences from the project's Arabic source documents (shared/seeds).
SEED_1 = "لقد أثر الإرهاب تأثيرا شديدا على العديد من بلدان الجنوب."
SEED_2 = (
    "وقد عرض المشاركون من بلدان الجنوب تبادل معارفهم وخبراتهم في مجال مكافحة الإرهاب "
    "بطريقة مستدامة، بوسائل تشمل تنفيذ دورات تدريبية بشأن تحديات محددة."
)
SEED_VOCALISED = "يَعْتَبِرُ التَّعَاوُنُ بَيْنَ دُوَلِ الْجَنُوبِ عُنْصُراً هَامّاً فِي مُكَافَحَةِ الإِرْهَابِ."


def find(text, language="en", **filters):
    return search(SearchRequest(text=text, language=language, filters=filters, per_page=50))


def titles(results):
    return [h.title for h in results.hits]


@pytest.fixture
def arabic_library():
    pages = {
        "seed1": PracticeFactory(
            title="أثر الإرهاب في بلدان الجنوب", summary=SEED_1, language="ar", countries=["JO"]
        ),
        "seed2": PracticeFactory(
            title="تبادل الخبرات", summary=SEED_2, language="ar", countries=["MA"]
        ),
        "vocalised": PracticeFactory(
            title="التعاون بين دول الجنوب", summary=SEED_VOCALISED, language="ar", countries=["EG"]
        ),
        "prefixes": PracticeFactory(
            title="برامج وقائية",
            language="ar",
            countries=["TN"],
            summary="برامج تتصدى للإرهاب والتطرف وتعنى بالإرهاب الإلكتروني",
        ),
        "variants": PracticeFactory(
            title="مبادرة الأسرة",
            language="ar",
            countries=["DZ"],
            summary="مبادرة إقليمية لحماية الاسره من الافكار المتطرفة",
        ),
    }
    drain_search()
    return pages


def test_undiacritised_query_finds_vocalised_text(arabic_library):
    assert "التعاون بين دول الجنوب" in titles(find("التعاون الجنوب", "ar"))


def test_vocalised_query_finds_undiacritised_text(arabic_library):
    assert "تبادل الخبرات" in titles(find("مُكَافَحَةِ الإِرْهَابِ", "ar"))


@pytest.mark.parametrize("query", ["الإرهاب", "إرهاب", "والإرهاب", "بالإرهاب", "للإرهاب"])
def test_arabic_prefixes_and_articles_match(arabic_library, query):
    found = titles(find(query, "ar"))
    for title in ("أثر الإرهاب في بلدان الجنوب", "تبادل الخبرات", "برامج وقائية"):
        assert title in found, (query, found)


def test_alef_and_teh_marbuta_variants_match(arabic_library):
    assert "مبادرة الأسرة" in titles(find("الأسرة", "ar"))  # text has الاسره
    assert "مبادرة الأسرة" in titles(find("أفكار", "ar"))  # text has الافكار


def test_matches_are_highlighted_in_the_original_text(arabic_library):
    hit = next(h for h in find("الإرهاب", "ar").hits if h.title == "برامج وقائية")
    assert "<mark>للإرهاب</mark>" in hit.snippet


@pytest.fixture
def latin_library():
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
    drain_search()
    return pages


def test_french_elision_and_accents(latin_library):
    assert titles(find("extrémisme", "fr")) == ["Prévenir l'extrémisme violent"]
    assert titles(find("l'extrémisme", "fr")) == ["Prévenir l'extrémisme violent"]
    assert titles(find("discours extrémiste", "fr")) == ["Prévenir l'extrémisme violent"]


def test_english_and_spanish_plurals(latin_library):
    assert titles(find("prison policy", "en"))[0] == "Prison reform"
    assert titles(find("joven políticas", "es"))[0] == "Programas para jóvenes"


def test_full_matches_rank_above_partial_ones():
    PracticeFactory(title="Prison education", summary="Classes in prison.")
    PracticeFactory(title="Youth in prison", summary="A prison programme for youth and families.")
    drain_search()
    results = find("prison youth families")
    assert titles(results)[0] == "Youth in prison"
    assert titles(results)[1] == "Prison education"  # partial: only "prison"


def test_with_enough_full_matches_the_partial_ones_are_left_out():
    from search.plan import MIN_FULL_MATCHES

    for n in range(MIN_FULL_MATCHES):
        PracticeFactory(title=f"Youth in prison {n}", summary="Prison programmes for youth.")
    PracticeFactory(title="Prison education", summary="Classes in prison.")
    drain_search()
    results = find("prison youth")
    assert results.total == MIN_FULL_MATCHES
    assert "Prison education" not in titles(results)
    assert results.facets["type"] == {"practice": MIN_FULL_MATCHES}
    # One full match fewer, and the partial match is listed after them.
    results = find("prison youth", pillar=[])
    assert results.total == MIN_FULL_MATCHES


def test_a_query_finds_other_languages_through_the_glossary_ranked_after_its_own():
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
    drain_search()
    results = find("violent extremism", "en")
    assert titles(results)[0] == english.title
    assert set(titles(results)[1:]) == {arabic.title, french.title}
    assert results.cross_languages == ["ar", "fr"]
    assert results.hits[1].cross_language and not results.hits[0].cross_language


def test_a_practice_and_its_translations_appear_once(arabic_library):
    translate(
        arabic_library["seed1"],
        "en",
        title="Terrorism in the South",
        summary="Terrorism has deeply affected many countries of the South.",
    )
    drain_search()
    results = find("terrorism", "en")
    assert titles(results).count("Terrorism in the South") == 1
    assert "أثر الإرهاب في بلدان الجنوب" not in titles(results)


def test_facet_counts_equal_database_counts():
    for n in range(6):
        PracticeFactory(
            pillars=[1 + n % 2, 4],
            countries=["KE" if n % 3 else "PE"],
            evidence_stage="tested" if n < 4 else "validated",
        )
    drain_search()
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


def test_drafts_private_and_unpublished_practices_never_appear(client):
    PracticeFactory(title="Secret draft about youth", live=False)
    hidden = PracticeFactory(title="Private practice about youth")
    unpublished = PracticeFactory(title="Withdrawn practice about youth")
    PracticeFactory(title="Public practice about youth")
    PageViewRestriction.objects.create(page=hidden, restriction_type="login")
    unpublished.unpublish()
    drain_search()
    assert titles(find("youth")) == ["Public practice about youth"]


def test_deleting_updates_the_index():
    page = PracticeFactory(title="Deleted practice on youth")
    drain_search()
    page.delete()
    drain_search()
    assert find("youth").total == 0


def test_moving_updates_the_index():
    from practices.models import PracticeIndexPage

    page = PracticeFactory(title="Moving practice on youth")
    drain_search()
    assert find("youth").hits[0].url == "/en/practices/" + page.slug + "/"
    french_index = PracticeIndexPage.objects.get(locale__language_code="fr")
    page.move(french_index, pos="last-child")
    drain_search()
    assert find("youth").hits[0].url == "/fr/practices/" + page.slug + "/"


def test_a_view_restriction_removes_a_whole_library_from_the_index():
    from practices.models import PracticeIndexPage

    PracticeFactory(title="Youth practice in English")
    drain_search()
    PageViewRestriction.objects.create(
        page=PracticeIndexPage.objects.get(locale__language_code="en"), restriction_type="login"
    )
    drain_search()
    assert find("youth").total == 0


def test_outbox_rows_survive_a_crash_between_commit_and_drain(django_capture_on_commit_callbacks):
    # The on_commit drain never runs (as if the process died right after commit) ...
    page = PracticeFactory(title="Durable practice on youth")
    assert OutboxEntry.objects.filter(object_id=page.pk, embedded_done=False).exists()
    assert find("durable").total == 0
    # ... and the next drain, whenever it comes, indexes it.
    drain(get_index(), "embedded_done")
    assert titles(find("durable")) == ["Durable practice on youth"]
    assert not OutboxEntry.objects.filter(embedded_done=False).exists()


def test_a_rolled_back_change_leaves_no_outbox_row():
    with pytest.raises(RuntimeError), transaction.atomic():
        PracticeFactory(title="Never committed")
        raise RuntimeError
    assert not OutboxEntry.objects.exists()


def test_the_embedded_index_drains_on_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        PracticeFactory(title="Committed practice on youth")
    assert titles(find("committed")) == ["Committed practice on youth"]


def test_a_page_past_the_end_gives_the_last_page():
    for n in range(3):
        PracticeFactory(title=f"Youth practice {n}")
    drain_search()
    results = search(SearchRequest(text="youth", language="en", page=99, per_page=2))
    assert results.page == 2 and len(results.hits) == 1


BAD_QUERIES = [
    '"',
    '""',
    "*",
    "NEAR",
    "NEAR(a b)",
    "AND",
    "OR",
    "NOT",
    "a AND",
    "(",
    ")",
    "(()",
    "-",
    ":",
    "title:youth",
    "-youth",
    "youth*",
    "^youth",
    "{title}: x",
    "a" * 10_000,
    "the of and",
    "...!!!",
    "youth 🤝 شباب jóvenes",
    "\u202eyouth\u202c",
    "you\u200bth",
    "\x00\x01",
    "🔥" * 50,
]


@pytest.mark.parametrize("query", BAD_QUERIES)
def test_hostile_queries_get_a_sensible_answer(query):
    PracticeFactory(title="Youth practice")
    drain_search()
    for language in ("ar", "en", "fr", "es", "xx"):
        results = find(query, language)
        assert results.total >= 0


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    text=st.text(max_size=300),
    language=st.sampled_from(["ar", "en", "fr", "es", "zz"]),
    page=st.integers(min_value=-5, max_value=10_000),
)
def test_the_service_never_fails_whatever_the_text(text, language, page):
    results = search(SearchRequest(text=text, language=language, page=page))
    assert results.total >= 0
    assert 1 <= results.page


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=200), language=st.sampled_from(["ar", "en", "fr", "es", "xx"]))
def test_the_query_parser_only_ever_produces_safe_fts5_expressions(text, language):
    import sqlite3

    from search.backends.embedded_query import fts_expression
    from search.query import parse

    parsed = parse(text, language)
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(a, tokenize=\"unicode61 tokenchars '_'\")")
    for required in (None, parsed.strict):
        expression = fts_expression(parsed.clauses, required)
        if expression:
            conn.execute("SELECT * FROM t WHERE t MATCH ?", (expression,)).fetchall()


def test_documents_carry_the_urls_wagtail_gives_their_pages():
    from search.documents import PageUrls, PracticeDocument

    pages = [
        PracticeFactory(title="Prison reform"),
        PracticeFactory(title="الإرهاب في الجنوب", language="ar"),
        PracticeFactory(title="Réinsertion à l'école", language="fr"),
    ]
    urls = PageUrls()
    for page in pages:
        assert urls(page.url_path) == page.get_url()
        assert PracticeDocument.prepare(page)["url"] == page.get_url()


def test_the_rebuild_command_counts_objects_and_writes_every_document(capsys):
    from django.core.management import call_command

    from search.backends.embedded import get_index
    from tests.expert_factories import ExpertProfileFactory

    PracticeFactory(title="Prison education")
    ExpertProfileFactory(display_name="Prison expert")  # one document per tier
    call_command("search_rebuild")
    out, err = capsys.readouterr()
    documents = get_index().conn.execute("SELECT count(*) FROM docs").fetchone()[0]
    assert documents > 2
    assert err.strip().splitlines()[-1].split()[1] == "2/2"  # the bar counts objects
    assert f"Embedded index: {documents} documents" in out
    assert find("prison").total == 2
