"""Text analysis of the embedded search backend (search/analysis.py). No database needed."""

import html
import re
import sqlite3
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search.analysis import (
    LANGUAGES,
    MAX_TOKEN_LENGTH,
    STOPWORDS,
    analyze,
    analyze_standard,
    arabic_stem,
    detect_script_language,
    highlight_terms,
    make_snippet,
)

SEEDS = Path(__file__).resolve().parent / "data" / "seeds"  # the brief's Arabic documents

# Sentences copied verbatim from the Arabic seed documents (tests/data/seeds).
SEED_TERRORISM = "لقد أثر الإرهاب تأثيرا شديدا على العديد من بلدان الجنوب."
SEED_APPROACHES = (
    "وثمة حاجة إلى اتباع نُهج جماعية تشترك فيها هذه البلدان لمنع الإرهاب والظروف المفضية "
    "إلى انتشاره ولمكافحة ذلك."
)
SEED_WEBINARS = (
    "الندوات الإقليمية عبر الإنترنت تحشد فرق الأمم المتحدة القُطرية للقمة العالمية الثانية "
    "للتنمية الاجتماعية"
)
SEED_INVITATION = (
    "يُدعى الفريق الاستشاري لتنمية الاتصالات إلى الإحاطة علماً بهذه الوثيقة وتقديم التوجيهات "
    "التي يراها مناسبة."
)
SEED_COOPERATION = (
    "يعتبر التعاون بين دول الجنوب، بتعددية طرق التبادل والتضامن المتبادل، عنصراً هاماً في "
    "التعاون الدولي من أجل التنمية."
)
# SEED_TERRORISM, fully vocalised (harakat, shadda, sukun, tanween).
VOCALISED_TERRORISM = "لَقَدْ أَثَّرَ الإِرْهَابُ تَأْثِيرًا شَدِيدًا عَلَى العَدِيدِ مِنْ بُلْدَانِ الجَنُوبِ."

HARAKAT_AND_TATWEEL = re.compile("[\u064b-\u065f\u0670\u0640]")
FTS5_SPECIAL = set('"*():^+-')
OTHER_LANGUAGES = ("", "de", "ru", "zh-hans", "xx-YY", "FR_fr", "AR", None)


def shares_tokens(query, text, language="ar"):
    return set(analyze(query, language)) <= set(analyze(text, language))


def marked(snippet, mark=("<mark>", "</mark>")):
    return re.findall(re.escape(mark[0]) + "(.*?)" + re.escape(mark[1]), snippet)


# --- Arabic -----------------------------------------------------------------------------------


def test_vocalised_and_plain_text_analyse_the_same():
    assert analyze(VOCALISED_TERRORISM, "ar") == analyze(SEED_TERRORISM, "ar")
    assert analyze(SEED_TERRORISM, "ar") == [
        "لقد", "اثر", "ارهاب", "تاثيرا", "شديدا", "عديد", "بلد", "جنوب",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("plain_query", "text"),
    [
        ("الإرهاب في بلدان الجنوب", VOCALISED_TERRORISM),
        ("نهج جماعية", SEED_APPROACHES),
        ("القطرية", SEED_WEBINARS),
        ("يدعى علما", SEED_INVITATION),
        ("عنصرا هاما", SEED_COOPERATION),
    ],
)
def test_undiacritised_query_finds_vocalised_text(plain_query, text):
    assert shares_tokens(plain_query, text)


@pytest.mark.parametrize(
    ("vocalised_query", "text"),
    [
        ("الإِرْهَابُ", SEED_TERRORISM),
        ("بُلْدَانِ الجَنُوبِ", SEED_TERRORISM),
        ("التَّعَاوُنُ الدَّوْلِيُّ", SEED_COOPERATION),
        ("الوَثِيقَةُ", SEED_INVITATION),
    ],
)
def test_vocalised_query_finds_undiacritised_text(vocalised_query, text):
    assert shares_tokens(vocalised_query, text)


@pytest.mark.parametrize(
    ("vocalised", "plain"),
    [
        # Partly vocalised words as they occur in the seed documents.
        ("الفعّالة", "الفعالة"),
        ("المموِّلون", "الممولون"),
        ("وقّع", "وقع"),
        ("المراجَع", "المراجع"),
        ("واسعًا", "واسعا"),
    ],
)
def test_partly_vocalised_words_from_the_seeds(vocalised, plain):
    assert analyze(vocalised, "ar") == analyze(plain, "ar") != []


def test_article_and_attached_prefixes_share_one_stem():
    forms = ["الإرهاب", "والإرهاب", "بالإرهاب", "إرهاب", "وَالإِرْهَابِ", "فالإرهاب", "كالإرهاب"]
    assert {tuple(analyze(form, "ar")) for form in forms} == {("ارهاب",)}


@pytest.mark.parametrize(
    "variants",
    [
        ("أمن", "إمن", "آمن", "امن", "ٱمن"),  # hamza and madda on alef, alef wasla
        ("مدرسة", "مدرسه"),  # teh marbuta / heh
        ("مستوى", "مستوي"),  # alef maksura / yeh
        ("الإرهاب", "الإرهـــاب", "الإرهـاب"),  # tatweel
        ("المتحدة", "المتحده", "المتّحدة"),
    ],
)
def test_spelling_variants_match(variants):
    assert len({tuple(analyze(variant, "ar")) for variant in variants}) == 1
    assert analyze(variants[0], "ar")


def test_arabic_stop_words_are_removed():
    assert analyze("في من على", "ar") == []
    assert analyze("فِي مِنْ عَلَى إِلَى الَّذِي", "ar") == []  # vocalised stop words too
    assert "عديد" in analyze("على العديد من", "ar")
    assert {"في", "من", "علي", "الي"} <= STOPWORDS["ar"]  # normalised (على -> علي)


@pytest.mark.parametrize(
    ("word", "stem"),
    [
        # Lucene's ArabicStemmer: one prefix, then one pass over the suffixes.
        ("الحسن", "حسن"),
        ("والحسن", "حسن"),
        ("بالحسن", "حسن"),
        ("كالحسن", "حسن"),
        ("فالحسن", "حسن"),
        ("للاخر", "اخر"),
        ("وحسن", "حسن"),
        ("ساهدها", "ساهد"),
        ("ساهدان", "ساهد"),
        ("ساهدات", "ساهد"),
        ("ساهدون", "ساهد"),
        ("ساهدين", "ساهد"),
        ("ساهديه", "ساهد"),
        ("ساهدية", "ساهد"),
        ("ساهده", "ساهد"),
        ("ساهدة", "ساهد"),
        ("ساهدي", "ساهد"),
        ("وساهدون", "ساهد"),
        ("ساهدهات", "ساهد"),
        # Too short to stem: و needs 4 letters, the other affixes leave at least 2.
        ("ولد", "ولد"),
        ("الو", "الو"),
        ("وا", "وا"),
        ("English", "english"),
    ],
)
def test_lucene_arabic_stemmer_rules(word, stem):
    assert analyze(word, "ar") == [stem]


def test_arabic_stem_on_normalised_words():
    assert arabic_stem("والارهاب") == "ارهاب"
    assert arabic_stem("مكتباتها") == "مكتب"
    assert arabic_stem("abc") == "abc"


def test_arabic_indic_digits_become_ascii():
    assert analyze("أجندة ٢٠٣٠", "ar") == analyze("أجندة 2030", "ar") == ["اجند", "2030"]
    assert analyze("۲۰۳۰", "en") == ["2030"]  # Persian digits, any language


def test_analysed_arabic_avoids_the_fts5_diacritic_problem():
    tokens = analyze(VOCALISED_TERRORISM + " " + SEED_APPROACHES + " الإرهـــاب", "ar")
    assert tokens and not any(HARAKAT_AND_TATWEEL.search(token) for token in tokens)

    connection = sqlite3.connect(":memory:")
    connection.execute(
        "CREATE VIRTUAL TABLE docs USING fts5(body, tokenize='unicode61 remove_diacritics 2')"
    )
    # Raw vocalised text: unicode61 breaks الإِرْهَابُ at every haraka, so a plain query misses.
    connection.execute("INSERT INTO docs(rowid, body) VALUES (1, ?)", (VOCALISED_TERRORISM,))
    # The analysed token stream is found.
    analysed = " ".join(analyze(VOCALISED_TERRORISM, "ar"))
    connection.execute("INSERT INTO docs(rowid, body) VALUES (2, ?)", (analysed,))
    query = " ".join(f'"{token}"' for token in analyze("الإرهاب الجنوب", "ar"))
    rows = connection.execute("SELECT rowid FROM docs WHERE docs MATCH ?", (query,)).fetchall()
    assert rows == [(2,)]


def test_seed_documents_analyse_cleanly():
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        tokens = analyze(text, "ar")
        assert len(tokens) > 100, path.name
        assert not any(HARAKAT_AND_TATWEEL.search(token) for token in tokens), path.name
        # Every vocalised word of the document is found by its undiacritised spelling.
        for word in re.findall(r"\S*[\u064b-\u0652]\S*", text):
            plain = HARAKAT_AND_TATWEEL.sub("", word)
            assert set(analyze(plain, "ar")) <= set(tokens), word


# --- French, English, Spanish -----------------------------------------------------------------


@pytest.mark.parametrize(
    "form",
    ["l'extrémisme", "L’extrémisme", "extrémisme", "extrémismes", "les extrémismes", "extremisme"],
)
def test_french_elision_accents_and_plurals(form):
    assert analyze(form, "fr") == analyze("extrémisme", "fr") == ["extrem"]


def test_french_elided_articles_and_stop_words():
    assert analyze("d'un", "fr") == []
    assert analyze("qu'il", "fr") == []
    assert analyze("jusqu'à lorsqu’elle puisqu'on", "fr") == []
    assert analyze("le la les de des et dans pour", "fr") == []
    assert analyze("l'État", "fr") == analyze("état", "fr") == analyze("etat", "fr")
    # A word that is not an elided article is split at its apostrophe, on both sides alike.
    assert analyze("aujourd'hui", "fr") == analyze("aujourd hui", "fr") == ["aujourd", "hui"]


def test_french_plurals():
    assert analyze("radicalisation", "fr") == analyze("radicalisations", "fr")
    assert analyze("la prévention de la radicalisation", "fr") == ["prevent", "radicalis"]


def test_spanish_plurals_accents_and_stop_words():
    assert analyze("extremismos", "es") == analyze("extremismo", "es")
    assert analyze("políticas", "es") == analyze("política", "es") == analyze("politica", "es")
    assert analyze("de la que el en y los del", "es") == []
    assert analyze("la prevención del extremismo violento", "es") == ["prevencion", "extrem",
                                                                      "violent"]  # fmt: skip


def test_english_plurals_possessives_and_stop_words():
    assert analyze("prisons", "en") == analyze("prison", "en") == ["prison"]
    assert analyze("policies", "en") == analyze("policy", "en")
    assert analyze("the prison's policies", "en") == analyze("prison policy", "en")
    assert analyze("the prisons’ rules", "en") == ["prison", "rule"]
    assert analyze("the and of to it's", "en") == []
    assert analyze("Côte d'Ivoire", "en") == analyze("cote d ivoire", "en")


def test_numbers_are_kept_and_long_tokens_dropped():
    for language in LANGUAGES:
        assert "2030" in analyze("Agenda 2030", language)
    longest = "x" * MAX_TOKEN_LENGTH
    assert analyze(f"{longest} {'y' * (MAX_TOKEN_LENGTH + 1)} z", "en") == [longest, "z"]


def test_unknown_languages_get_the_standard_analysis():
    text = "Extrémisme, وَالإِرْهَابِ and PREVENTION_policies"
    expected = ["extrémisme", "والارهاب", "and", "prevention", "policies"]
    assert analyze_standard(text) == expected
    for language in ("de", "", None, "zz", 42):
        assert analyze(text, language) == expected
    assert analyze("les extrémismes", "fr-CA") == analyze("extrémisme", "FR_fr") == ["extrem"]


def test_nfkc_and_invisible_characters():
    assert analyze("ＰＲＩＳＯＮＳ", "en") == ["prison"]  # full-width
    assert analyze("extré\u00admisme", "fr") == ["extrem"]  # soft hyphen
    assert analyze("الإر\u200fهاب", "ar") == ["ارهاب"]  # right-to-left mark
    assert analyze("ﷲ", "ar") == analyze("الله", "ar")  # presentation form ligature


def test_empty_and_non_text_input():
    for language in (*LANGUAGES, None):
        assert analyze("", language) == []
        assert analyze("   ...  !! ", language) == []
        assert analyze(None, language) == []


# --- Script detection -------------------------------------------------------------------------


def test_detect_script_language():
    assert detect_script_language(SEED_TERRORISM) == "ar"
    assert detect_script_language("مكافحة الإرهاب UNOCT") == "ar"
    assert detect_script_language("counter-terrorism") is None
    assert detect_script_language("prison deradicalisation الإرهاب") is None
    assert detect_script_language("2030 🙂 !") is None
    assert detect_script_language("") is None


# --- Highlighting and snippets ----------------------------------------------------------------


def test_highlight_maps_to_the_whole_original_vocalised_word():
    text = "قال المتحدث: وَالإِرْهَابِ ظاهرة عالمية."
    spans = highlight_terms(text, "ar", analyze("الإرهاب", "ar"))
    assert [text[start:end] for start, end in spans] == ["وَالإِرْهَابِ"]


def test_highlight_tatweel_prefixes_and_several_matches():
    text = "الإرهـــاب ومكافحة الإرهاب، بالإرهاب في بلدان الجنوب"
    spans = highlight_terms(text, "ar", analyze("إرهاب الجنوب", "ar"))
    words = [text[start:end] for start, end in spans]
    assert words == ["الإرهـــاب", "الإرهاب", "بالإرهاب", "الجنوب"]
    assert spans == sorted(spans)


def test_highlight_french_elision_and_query_string():
    text = "Contre l'extrémisme violent et les extrémismes en ligne."
    spans = highlight_terms(text, "fr", "extremisme")  # a query string is analysed first
    assert [text[start:end] for start, end in spans] == ["l'extrémisme", "extrémismes"]
    assert highlight_terms(text, "fr", analyze("les", "fr")) == []  # stop words: no token
    assert highlight_terms(text, "fr", []) == []


def test_snippet_escapes_html_and_marks_matches():
    text = 'Prison <script>alert("x")</script> & policies for prisons.'
    snippet = make_snippet(text, "en", analyze("prison", "en"))
    assert "<script>" not in snippet
    assert "&lt;script&gt;" in snippet and "&amp;" in snippet
    assert marked(snippet) == ["Prison", "prisons"]
    assert isinstance(snippet, str)


def test_snippet_with_custom_marks_and_vocalised_arabic():
    text = "قال المتحدث: وَالإِرْهَابِ <b>ظاهرة</b> عالمية."
    snippet = make_snippet(text, "ar", analyze("الإرهاب", "ar"), mark=("[[", "]]"))
    assert "[[وَالإِرْهَابِ]]" in snippet
    assert "&lt;b&gt;" in snippet


def test_snippet_mixed_scripts_and_emoji():
    text = "🙂 The UNOSSC report on الإرهاب 🌍 and prisons 👩‍👩‍👧 in the South."
    snippet = make_snippet(text, "en", analyze("prison الإرهاب", "en"))
    assert marked(snippet) == ["الإرهاب", "prisons"]
    assert "🌍" in snippet and "👩‍👩‍👧" in snippet
    arabic = "أصدر مكتب UNOSSC تقريره حول التعاون 🤝 فيما بين بلدان الجنوب"
    snippet = make_snippet(arabic, "ar", analyze("unossc التعاون", "ar"))
    assert marked(snippet) == ["UNOSSC", "التعاون"]


def test_snippet_chooses_the_window_with_most_matches():
    filler = "Nothing relevant is said in this sentence at all. " * 12
    text = (
        "A prison is mentioned once here. " + filler
        + "Prison policies: prisons, prison staff and a prison visit. " + filler
    )  # fmt: skip
    snippet = make_snippet(text, "en", analyze("prison", "en"), max_chars=120)
    assert len(marked(snippet)) == 4
    assert snippet.startswith("…") and snippet.endswith("…")
    visible = html.unescape(re.sub("</?mark>", "", snippet)).strip("…")
    assert len(visible) <= 120
    assert visible.split()[0].isalpha() or visible.split()[0][0].isupper()  # starts on a word


def test_snippet_without_match_is_the_beginning():
    text = "Community policing in border regions. " * 20
    snippet = make_snippet(text, "en", analyze("financing", "en"), max_chars=60)
    assert snippet.startswith("Community policing")
    assert snippet.endswith("…") and "<mark>" not in snippet
    assert len(snippet) <= 61
    assert make_snippet("short & sweet", "en", []) == "short &amp; sweet"
    assert make_snippet("", "en", ["x"]) == ""


def test_long_input_is_handled_quickly():
    paragraph = SEED_APPROACHES + " " + VOCALISED_TERRORISM + " "
    text = (paragraph * (10_000 // len(paragraph) + 1))[:10_000]
    start = time.perf_counter()
    tokens = analyze(text, "ar")
    snippet = make_snippet(text, "ar", analyze("الإرهاب", "ar"))
    spans = highlight_terms(text, "ar", analyze("الإرهاب", "ar"))
    one_word = analyze("ب" * 10_000, "ar") + analyze("\u064e" * 10_000, "ar")
    elapsed = time.perf_counter() - start
    assert tokens and "<mark>" in snippet and len(spans) > 50 and one_word == []
    assert elapsed < 1.0


# --- Properties -------------------------------------------------------------------------------

ARABIC_ALPHABET = (
    "ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأإؤئةى"
    "\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652\u0670\u0640"
    "٠١٢٣٤٥٦٧٨٩ ،؛؟.:-_'’\"*()^+<>&\n\t"
)
mixed_text = st.one_of(
    st.text(),
    st.text(alphabet=ARABIC_ALPHABET + "aeilnorstxé 🙂\u200d\u00ad", max_size=200),
    st.lists(
        st.sampled_from(
            [
                SEED_TERRORISM,
                VOCALISED_TERRORISM,
                "l'extrémisme",
                "d'un",
                "qu’il",
                "prison's",
                "políticas",
                "<script>",
                "&amp;",
                "🙂",
                "\u0301",
                "x" * 70,
            ]
        ),  # fmt: skip
        max_size=8,
    ).map(" ".join),
)
languages = st.sampled_from((*LANGUAGES, *OTHER_LANGUAGES))
property_settings = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@property_settings
@given(text=mixed_text, language=languages)
def test_analyze_returns_clean_tokens(text, language):
    tokens = analyze(text, language)
    assert isinstance(tokens, list)
    for token in tokens:
        assert isinstance(token, str) and token
        assert not any(char.isspace() for char in token)
        assert not FTS5_SPECIAL.intersection(token)
        assert "'" not in token and "’" not in token
        assert not HARAKAT_AND_TATWEEL.search(token)
        assert len(token) <= 2 * MAX_TOKEN_LENGTH


@property_settings
@given(
    text=mixed_text,
    language=languages,
    query=st.one_of(mixed_text, st.lists(st.text(max_size=10), max_size=5)),
    max_chars=st.integers(min_value=1, max_value=300),
)
def test_make_snippet_is_safe(text, language, query, max_chars):
    query_tokens = analyze(query, language) if isinstance(query, str) else query
    snippet = make_snippet(text, language, query_tokens, max_chars=max_chars)
    assert isinstance(snippet, str)
    unmarked = snippet.replace("<mark>", "").replace("</mark>", "")
    assert "<" not in unmarked and ">" not in unmarked
    spans = highlight_terms(text, language, query_tokens)
    assert all(0 <= start < end <= len(text) for start, end in spans)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))


seed_words = st.lists(
    st.sampled_from(
        (SEED_TERRORISM + " " + VOCALISED_TERRORISM + " " + SEED_WEBINARS).split()
        + ["l'extrémisme", "policies", "prison's", "políticas", "2030", "٢٠٣٠", "Nokia™"]
    ),
    min_size=1,
    max_size=12,
)
separators = st.lists(st.sampled_from([" ", ", ", " (", ") ", "\n", " - ", "؛ ", "🙂"]))
seed_sentences = st.tuples(seed_words, separators).map(
    lambda pair: "".join(w + sep for w, sep in zip(pair[0], pair[1] + [" "] * 12, strict=False))
)


@property_settings
@given(text=st.one_of(seed_sentences, mixed_text), language=languages)
def test_every_analysed_token_can_be_highlighted(text, language):
    # Highlighting reads the original text word by word: each word analyses to exactly the
    # tokens that the analysis of the whole text gives for it.
    for token in analyze(text, language):
        spans = highlight_terms(text, language, [token])
        assert spans, token
        assert all(token in analyze(text[start:end], language) for start, end in spans)
