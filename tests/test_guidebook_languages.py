"""The guidebook in the reader's language, its draft PDF and its tagged PDF (issue 11,
item 15): an edition shows each practice in the reader's language where a translation was
frozen at publication; a draft PDF says DRAFT on every page and has its own name; the PDF
is tagged (PDF/UA-1) with its language and title."""

import io
import re

import pypdf
import pytest

from practices.guidebook_content import build_content, localise
from practices.guidebook_pdf import render_pdf
from tests.conftest import signed_in
from tests.factories import PracticeFactory, translate
from tests.guidebook_factories import committed, make_edition

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def pdf_pages(data):
    reader = pypdf.PdfReader(io.BytesIO(data))
    return reader, [" ".join(page.extract_text().split()) for page in reader.pages]


@pytest.fixture
def english_edition():
    translated = PracticeFactory(title="County action plans", summary="Plans by county.")
    translate(translated, "ar", title="خطط عمل المقاطعات", summary="خطط على مستوى المقاطعات.")
    untranslated = PracticeFactory(title="Safe corridor", summary="A way out.")
    return make_edition([("Prevention", [translated, untranslated])])


def test_english_edition_read_under_arabic_shows_the_arabic_translation(client, english_edition):
    response = client.get(f"/ar/guidebook/{english_edition.slug}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="ar"' in html
    assert "خطط عمل المقاطعات" in html and "County action plans" not in html
    # the untranslated practice in its own language, marked so, with the note
    assert re.search(r'<h3 [^>]*lang="en"[^>]*>Safe corridor</h3>', html)
    assert html.count('class="entry-note"') == 1
    # the edition's own texts keep their language
    assert re.search(r'<h1 lang="en" dir="ltr">Guidebook of good practices</h1>', html)


def test_arabic_guidebook_lists_an_edition_published_only_in_english(client, english_edition):
    html = client.get("/ar/guidebook/").content.decode()
    assert f'href="/ar/guidebook/{english_edition.slug}/"' in html
    assert 'class="chip chip--small chip--language" lang="en"' in html
    assert "No edition of the guidebook has been published in this language yet." not in html


def test_translations_are_frozen_at_publication(client, english_edition):
    from practices.models import GoodPracticePage

    arabic = english_edition.snapshot.content["chapters"][0]["entries"][0]["versions"]["ar"]
    assert arabic["title"] == "خطط عمل المقاطعات"

    version = GoodPracticePage.objects.get(title="خطط عمل المقاطعات")
    version.title = "عنوان لاحق"
    version.save_revision().publish()
    html = client.get(f"/ar/guidebook/{english_edition.slug}/").content.decode()
    assert "خطط عمل المقاطعات" in html and "عنوان لاحق" not in html


def test_a_translation_published_later_enters_at_the_next_publication(client):
    practice = PracticeFactory(title="Prison mentors", summary="Mentors.")
    edition = make_edition([("Conditions", [practice])], language="ar", slug="dalil")
    assert "Prison mentors" in client.get(edition.url).content.decode()
    translate(practice, "ar", title="مرشدو السجون")
    edition.foreword = "<p>طبعة ثانية.</p>"
    edition.save_revision().publish()
    html = client.get(edition.url).content.decode()
    assert "مرشدو السجون" in html and 'class="entry-note"' not in html


def test_version_one_snapshots_still_render(client):
    """Editions frozen before every version was kept (one version per entry)."""
    practice = PracticeFactory(title="Prison mentors")
    edition = make_edition([("Conditions", [practice])])
    snapshot = edition.snapshot
    entry = localise(snapshot.content, "en")["chapters"][0]["entries"][0]
    snapshot.content["chapters"][0]["entries"][0] = {
        k: v for k, v in entry.items() if k != "reader_url"
    }
    snapshot.save()
    response = client.get(f"/ar/guidebook/{edition.slug}/")
    assert response.status_code == 200
    assert "Prison mentors" in response.content.decode()


def test_pdf_under_arabic_has_the_arabic_translation_and_its_own_file(client, english_edition):
    # The publication had the edition's own language built; the first Arabic reader is
    # asked to come back while the worker builds theirs (here, on commit).
    with committed():
        response = client.get(f"/ar/guidebook/{english_edition.slug}/pdf/")
    assert response.status_code == 503
    response = client.get(f"/ar/guidebook/{english_edition.slug}/pdf/")
    assert response.status_code == 200
    assert 'filename="kx-guidebook-2026-ar.pdf"' in response["Content-Disposition"]
    _reader, pages = pdf_pages(b"".join(response.streaming_content))
    text = " ".join(pages)
    assert "خطط عمل المقاطعات" in text and "County action plans" not in text
    english = client.get(f"{english_edition.url}pdf/")
    assert 'filename="kx-guidebook-2026-en.pdf"' in english["Content-Disposition"]
    assert "County action plans" in " ".join(pdf_pages(b"".join(english.streaming_content))[1])


def test_draft_pdf_says_draft_on_every_page_and_has_its_own_name(moderator):
    practice = PracticeFactory(title="Prison mentors")
    edition = make_edition([("Conditions", [practice])], publish=False)
    client = signed_in(moderator)
    response = client.get(f"/en/guidebook-review/{edition.pk}/pdf/")
    assert response.status_code == 200
    assert 'filename="kx-guidebook-2026-draft-en.pdf"' in response["Content-Disposition"]
    _reader, pages = pdf_pages(b"".join(response.streaming_content))
    assert len(pages) >= 3
    assert all("DRAFT" in page for page in pages)


def test_published_pdf_does_not_say_draft(client):
    edition = make_edition([("Conditions", [PracticeFactory(title="Prison mentors")])])
    response = client.get(f"{edition.url}pdf/")
    _reader, pages = pdf_pages(b"".join(response.streaming_content))
    assert not any("DRAFT" in page for page in pages)


def test_draft_pdf_is_never_the_published_file(moderator):
    from django.core.files.storage import default_storage

    edition = make_edition([("Conditions", [PracticeFactory(title="Prison mentors")])])
    client = signed_in(moderator)
    published = b"".join(client.get(f"{edition.url}pdf/").streaming_content)
    draft = b"".join(client.get(f"/en/guidebook-review/{edition.pk}/pdf/").streaming_content)
    assert "DRAFT" not in " ".join(pdf_pages(published)[1])
    assert "DRAFT" in " ".join(pdf_pages(draft)[1])
    names = default_storage.listdir("guidebook")[1]
    assert any(n.startswith("draft-") for n in names)
    assert any(n.startswith("edition-") for n in names)


def test_arabic_draft_pdf_says_draft_in_arabic(moderator):
    from django.utils import translation

    edition = make_edition(
        [("الفصل الأول", [PracticeFactory(language="ar", title="مرشدو السجون")])],
        language="ar",
        slug="dalil",
        title="دليل الممارسات الجيدة",
        publish=False,
    )
    with translation.override("ar"):
        mark = translation.gettext("DRAFT")
    data = render_pdf(build_content(edition), "ar", draft=True)
    _reader, pages = pdf_pages(data)
    assert all(mark in page for page in pages)


@pytest.mark.parametrize("language", ["en", "ar"])
def test_pdf_is_tagged_with_its_language_and_title(language):
    practice = PracticeFactory(title="Prison mentors")
    edition = make_edition([("Conditions", [practice])], title="Guidebook 2026")
    reader, _pages = pdf_pages(render_pdf(build_content(edition), language))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert bool(root["/MarkInfo"]["/Marked"])
    assert root["/Lang"] == language
    assert reader.metadata.title == "Guidebook 2026"
