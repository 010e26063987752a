"""The guidebook: editions, chapters, freezing, languages, bad input."""

import pytest

from practices.models import GuidebookIndexPage, GuidebookSnapshot
from tests.factories import PracticeFactory, translate
from tests.guidebook_factories import make_edition

pytestmark = pytest.mark.django_db


def test_every_language_has_a_guidebook(client):
    codes = sorted(
        GuidebookIndexPage.objects.live().values_list("locale__language_code", flat=True)
    )
    assert codes == ["ar", "en", "es", "fr"]
    response = client.get("/ar/guidebook/")
    assert response.status_code == 200
    assert 'dir="rtl"' in response.content.decode()


def test_published_edition_shows_its_table_of_contents(client):
    first = PracticeFactory(title="Prison mentors", pillars=[1])
    second = PracticeFactory(title="Border committees", pillars=[2])
    edition = make_edition([("Conditions", [first]), ("Prevention", [second])])
    response = client.get(edition.url)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("Prison mentors") < html.index("Border committees")
    assert 'href="#practice-1-1"' in html
    assert GuidebookSnapshot.objects.filter(guidebook=edition).exists()


def test_published_edition_is_frozen_when_a_practice_changes_later(client):
    practice = PracticeFactory(title="Prison mentors", summary="The first summary.")
    edition = make_edition([("Conditions", [practice])])
    practice.title = "Prison mentors, revised"
    practice.summary = "A later summary."
    practice.save_revision().publish()
    html = client.get(edition.url).content.decode()
    assert "The first summary." in html
    assert "A later summary." not in html
    # republishing the edition (a new foreword) keeps the frozen practice
    edition.foreword = "<p>Second printing.</p>"
    edition.save_revision().publish()
    html = client.get(edition.url).content.decode()
    assert "Second printing." in html and "The first summary." in html


def test_arabic_edition_shows_translations_and_originals_with_a_note(client):
    translated = PracticeFactory(title="County action plans")
    translate(translated, "ar", title="خطط عمل المقاطعات")
    untranslated = PracticeFactory(title="Safe corridor")
    edition = make_edition(
        [("الفصل الأول", [translated, untranslated])], language="ar", slug="dalil"
    )
    html = client.get(edition.url).content.decode()
    assert "خطط عمل المقاطعات" in html and "County action plans" not in html
    assert 'lang="en"' in html and "Safe corridor" in html
    assert html.count('class="entry-note"') == 1


def test_bad_editions_render_with_clear_messages(client):
    kept = PracticeFactory(title="Kept practice")
    dropped = PracticeFactory(title="Dropped practice")
    edition = make_edition([("Full", [kept, dropped]), ("Empty", [])], publish=False)
    dropped.unpublish()  # after it was chosen, before the edition is published
    edition.save_revision().publish()
    response = client.get(edition.url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Kept practice" in html and "Dropped practice" not in html
    assert "no longer published" in html
    assert "No practices have been chosen for this chapter yet." in html
    empty = make_edition([], slug="empty-edition")
    assert "This edition has no chapters yet." in client.get(empty.url).content.decode()
