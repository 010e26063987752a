"""A moderator makes a guidebook edition in the admin: a chapter, a practice found with the
practice chooser filtered by pillar; once published, the web edition lists it."""

import json
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import make_moderator, screenshot
from tests.browser.test_practice_flow import set_up_two_factor_and_sign_in_to_admin

pytestmark = pytest.mark.browser

MODERATOR = "guidebook_moderator"
EDITION = "Guidebook of good practices, browser edition"


def practices_of_pillar(site, number):
    """The pillar's pk and the titles of its live English practices."""
    line = site.shell(
        "import json; from practices.models import GoodPracticePage as G; "
        "from kx_platform.models import Pillar; "
        f"p = Pillar.objects.get(number={number}); "
        "live = G.objects.live().filter(locale__language_code='en'); "
        "inside = list(live.filter(pillars=p).order_by('title').values_list('title', flat=True)); "
        "print(json.dumps([p.pk, inside]))"
    )
    return json.loads(line)


def test_moderator_builds_an_edition_with_the_practice_chooser(site, new_page):
    assert make_moderator(site, MODERATOR) == "ok"
    index = site.shell(
        "from practices.models import GuidebookIndexPage as G; "
        "print(G.objects.get(locale__language_code='en').pk)"
    )
    pillar, in_pillar = practices_of_pillar(site, 2)
    chosen = in_pillar[0]

    page = new_page()
    set_up_two_factor_and_sign_in_to_admin(page, site, MODERATOR)
    page.goto(f"{site.url}/admin/pages/add/practices/guidebookpage/{index}/")
    page.fill("#id_title", EDITION)
    page.fill("#id_year", "2027")

    # A chapter, then a practice in it, chosen with the chooser filtered by pillar.
    page.click("#id_chapters-ADD")
    page.fill("#id_chapters-0-title", "II. Prevention")
    page.click("#id_chapters-0-selections-ADD")
    field = page.locator("[data-field-input]:has(#id_chapters-0-selections-0-practice)")
    field.locator("button[data-chooser-action-choose]").first.click()
    modal = page.locator(".modal-content")
    expect(modal.locator("[data-chooser-modal-choice]").first).to_be_visible()
    with page.expect_response(re.compile(r"/choose-practice/results/\?.*pillar=")):
        modal.locator("select[name=pillar]").select_option(str(pillar))
    results = modal.locator("[data-chooser-modal-choice]")
    expect(results).to_have_count(len(in_pillar))
    assert sorted(text.strip() for text in results.all_inner_texts()) == in_pillar
    screenshot(page, "40-guidebook-chooser-filtered-by-pillar")
    results.filter(has_text=chosen).click()
    expect(modal).to_be_hidden()
    expect(field).to_contain_text(chosen)

    # Save the draft, then publish it.
    page.click("footer button[type=submit]:not([name])")
    page.wait_for_url(re.compile(r"/admin/pages/\d+/edit/$"))
    expect(page.locator(".messages")).to_contain_text(EDITION)
    page.click("footer .w-dropdown__toggle")
    page.click("footer button[name=action-publish]")
    expect(page.locator(".messages .success")).to_contain_text("published")
    screenshot(page, "41-guidebook-edition-published")

    # The web edition lists it.
    page.goto(f"{site.url}/en/guidebook/")
    page.get_by_role("link", name=EDITION).first.click()
    expect(page.locator("h1")).to_contain_text(EDITION)
    expect(page.locator("main")).to_contain_text("II. Prevention")
    expect(page.locator("a[href='#practice-1-1']")).to_have_text(chosen)
    screenshot(page, "42-guidebook-web-edition")
