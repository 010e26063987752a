"""From /ar/ (or /en/), a practice with no version in the reader's language opens under the
reader's prefix, labelled with its language (issue 11, item 11)."""

import pytest

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("language", ["ar", "fr"])
def test_practice_in_another_language_opens_under_the_reader_prefix(
    site, new_page, language, width
):
    page = new_page()
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{site.url}/{language}/practices/")
    labelled = page.locator("article.card:has(.chip--language)")
    assert labelled.count() > 0, "the demo has practices in other languages"
    card = labelled.first
    chip = card.locator(".chip--language")
    content_language = chip.get_attribute("lang")
    assert content_language != language
    card.scroll_into_view_if_needed()
    screenshot(page, f"reader-language-list-{language}-{width}")
    link = card.locator(".card__title a")
    assert link.get_attribute("href").startswith(f"/{language}/practices/")
    link.click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator("h1").get_attribute("lang") == content_language
    assert page.locator(".practice__language-note").is_visible()
    screenshot(page, f"reader-language-practice-{language}-{width}")


@pytest.mark.parametrize("width", [1280, 390])
def test_on_the_english_list_only_practices_in_other_languages_are_labelled(site, new_page, width):
    """Every demo practice has an English version; other browser tests may publish one in
    another language only, which alone carries a language chip."""
    page = new_page()
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{site.url}/en/practices/")
    cards = page.locator("article.card")
    assert cards.count() > 0
    for index in range(cards.count()):
        card = cards.nth(index)
        content_language = card.locator(".card__title").get_attribute("lang")
        chips = card.locator(".chip--language")
        if content_language == "en":
            assert chips.count() == 0
        else:
            assert chips.get_attribute("lang") == content_language
    screenshot(page, f"reader-language-list-en-{width}")
