"""The PDF of an edition: WeasyPrint on the server, Arabic shaped and right to left,
cached until the edition changes. Text is read back with pypdf, in the order it is
written in the PDF (WeasyPrint writes it in logical order with a ToUnicode map)."""

import io

import pypdf
import pytest
from django.core.files.storage import default_storage

from practices.guidebook_content import build_content
from practices.guidebook_pdf import render_pdf
from tests.factories import PracticeFactory, translate
from tests.guidebook_factories import make_edition

pytestmark = pytest.mark.django_db

# Real titles of the demo practices (practices/demo/practices.json), one with a shadda.
ARABIC_TITLES = [
    "تكوين الأئمة والمرشدات الدينيات من بلدان أفريقيا على خطاب الاعتدال",
    "الشرطة المجتمعية ومجالس الوقاية المحلية في المحافظات الأردنية",
    "سجل موحّد لضحايا الإرهاب في العراق مستلهم من التجربة الكولومبية",
]
ARABIC_SUMMARY = "برنامج طوعي داخل المؤسسات السجنية يقوم على ثلاثة محاور: المصالحة مع الذات."


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def pdf_text(data):
    """The text of every page, whitespace collapsed (lines of a title may wrap)."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def arabic_edition(chapters):
    return make_edition(chapters, language="ar", title="دليل الممارسات الجيدة", slug="dalil-2026")


def test_arabic_pdf_has_the_titles_in_logical_order(client):
    practices = [
        PracticeFactory(language="ar", title=title, summary=ARABIC_SUMMARY, pillars=[1])
        for title in ARABIC_TITLES
    ]
    edition = arabic_edition([("الفصل الأول", practices[:2]), ("الفصل الثاني", practices[2:])])
    response = client.get(f"{edition.url}pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    data = b"".join(response.streaming_content)
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    assert "دليل الممارسات الجيدة" in text
    positions = []
    for title in ARABIC_TITLES:
        assert title in text, title
        # after the table of contents: the practice's own section
        positions.append(text.index(title, text.index(title) + len(title)))
    assert positions == sorted(positions)
    assert ARABIC_SUMMARY in text


def test_untranslated_practice_appears_in_its_original_language_with_a_note():
    english = PracticeFactory(title="Safe corridor rehabilitation", pillars=[1])
    translated = PracticeFactory(title="County action plans", pillars=[1])
    translate(translated, "ar", title="خطط عمل المقاطعات والشرطة المجتمعية")
    edition = arabic_edition([("الفصل الأول", [english, translated])])
    content = build_content(edition)
    text = pdf_text(render_pdf(content))
    assert "Safe corridor rehabilitation" in text
    assert "خطط عمل المقاطعات والشرطة المجتمعية" in text
    assert "County action plans" not in text


def test_pdf_is_cached_and_rebuilt_when_the_edition_changes(client):
    practice = PracticeFactory(title="Prison mentors")
    edition = make_edition([("Conditions", [practice])])
    client.get(f"{edition.url}pdf/")
    _dirs, first = default_storage.listdir("guidebook")
    assert len(first) == 1
    client.get(f"{edition.url}pdf/")
    assert default_storage.listdir("guidebook")[1] == first  # served from the cache
    edition.foreword = "<p>A new foreword.</p>"
    edition.save_revision().publish()
    client.get(f"{edition.url}pdf/")
    _dirs, after = default_storage.listdir("guidebook")
    assert len(after) == 1 and after != first


@pytest.mark.parametrize("chapters", [[], [("Empty chapter", [])]], ids=["no-chapters", "empty"])
def test_pdf_builds_for_an_edition_without_practices(client, chapters):
    edition = make_edition(chapters)
    response = client.get(f"{edition.url}pdf/")
    assert response.status_code == 200
    text = pdf_text(b"".join(response.streaming_content))
    assert "Guidebook of good practices" in text
