"""The PDF of an edition: WeasyPrint on the server, Arabic shaped and right to left,
built after publication (never by a reader's request), cached until the edition changes.
Text is read back with pypdf, in the order it is written in the PDF (WeasyPrint writes it
in logical order with a ToUnicode map)."""

import io

import pypdf
import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command

from practices import guidebook_pdf
from practices.guidebook_content import build_content
from practices.guidebook_pdf import render_pdf
from tests.factories import PracticeFactory, translate
from tests.guidebook_factories import committed, make_edition

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
    with committed():
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


# --- built after publication, never by concurrent readers --------------------------------
def pdf_files():
    try:
        return default_storage.listdir("guidebook")[1]
    except FileNotFoundError:
        return []


@pytest.fixture
def worker(task_worker):
    """Tasks wait in the database for the worker, as in production."""
    return task_worker


def queued_builds():
    from django_tasks_db.models import DBTaskResult

    return [
        result.args_kwargs["args"]
        for result in DBTaskResult.objects.ready()
        if result.task_path == "practices.tasks.build_guidebook_pdf"
    ]


def test_publication_has_the_worker_build_the_pdf_once_committed(
    worker, django_capture_on_commit_callbacks, client
):
    practice = PracticeFactory(title="Prison mentors")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        edition = make_edition([("Conditions", [practice])], commit=False)
    assert queued_builds() == []  # nothing before the publication is committed
    for callback in callbacks:
        callback()
    assert queued_builds() == [[edition.pk, "en"]]
    assert pdf_files() == []  # the publishing request did not build it

    response = client.get(f"{edition.url}pdf/")
    assert response.status_code == 503  # being built: the reader does not build it too
    assert len(queued_builds()) == 1

    worker()  # the PDF, and Wagtail's own tasks (reference and search index)
    assert queued_builds() == []
    assert len(pdf_files()) == 1
    assert not guidebook_pdf.is_building(edition.pk, "en")
    response = client.get(f"{edition.url}pdf/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_readers_are_asked_to_come_back_while_the_pdf_is_prepared(worker, client, monkeypatch):
    def not_in_a_request(content, *args, **kwargs):
        raise AssertionError("a reader's request built the PDF")

    monkeypatch.setattr(guidebook_pdf, "render_pdf", not_in_a_request)
    edition = make_edition(
        [("Conditions", [PracticeFactory(title="Prison mentors")])], commit=False
    )
    for _reader in range(3):
        response = client.get(f"{edition.url}pdf/")
        assert response.status_code == 503
        assert response["Retry-After"] == "60"
        assert "being prepared" in response.content.decode()
    assert len(queued_builds()) == 1  # the first reader queued the build, the others waited


def test_a_build_lost_with_its_worker_is_queued_again(worker):
    from django.core.cache import cache

    edition = make_edition([("Conditions", [])], commit=False)
    assert guidebook_pdf.request_build(edition.pk, "en")
    assert not guidebook_pdf.request_build(edition.pk, "en")  # queued already
    assert guidebook_pdf.request_build(edition.pk, "ar")  # another language's PDF
    cache.delete(guidebook_pdf._build_key(edition.pk, "en"))  # the mark expired
    assert guidebook_pdf.request_build(edition.pk, "en")


def test_command_queues_the_missing_pdfs_of_published_editions(worker):
    make_edition([("Conditions", [PracticeFactory(title="Prison mentors")])])
    make_edition([("Draft", [])], slug="draft-edition", publish=False)
    worker()  # what the publication queued
    for name in pdf_files():
        default_storage.delete(f"guidebook/{name}")  # e.g. a new layout version
    out = io.StringIO()
    call_command("guidebook_build_pdfs", stdout=out)
    assert out.getvalue().endswith(": queued\n")
    assert pdf_files() == [] and len(queued_builds()) == 1
    worker()
    assert len(pdf_files()) == 1
    out = io.StringIO()
    call_command("guidebook_build_pdfs", stdout=out)
    assert out.getvalue() == ""  # nothing left to build


def test_command_builds_them_here_with_now():
    make_edition([("Conditions", [PracticeFactory(title="Prison mentors")])])
    for name in pdf_files():
        default_storage.delete(f"guidebook/{name}")
    call_command("guidebook_build_pdfs", "--now", stdout=io.StringIO())
    assert len(pdf_files()) == 1


def test_draft_pdf_does_not_replace_the_published_one(moderator_client, client):
    edition = make_edition([("Conditions", [PracticeFactory(title="Prison mentors")])])
    assert client.get(f"{edition.url}pdf/").status_code == 200
    edition.foreword = "<p>Next printing.</p>"
    edition.save_revision()
    response = moderator_client.get(f"/en/guidebook-review/{edition.pk}/pdf/")
    assert response.status_code == 200
    assert sorted(name.split("-")[0] for name in pdf_files()) == ["draft", "edition"]
