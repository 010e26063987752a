"""Phones: the header folds behind a menu button, filters wait in a drawer, results come first.
And the practice form flags required fields on a tab out of sight before it is sent."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, screenshot
from tests.browser.test_practice_flow import sign_in_to_admin

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
LISTS = [
    ("list", "/{lang}/practices/", ".cards > li"),
    ("roster", "/{lang}/experts/", ".cards > li"),
    ("search", "/{lang}/search/?q=youth", ".hits > li"),
]


def first_screen(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def open_at(new_page, site, path, viewport):
    page = new_page()
    page.set_viewport_size(viewport)
    page.goto(site.url + path)
    return page


@pytest.mark.parametrize("lang", ["en", "ar"])
@pytest.mark.parametrize(("name", "path", "first_result"), LISTS)
def test_on_a_phone_the_first_result_is_on_the_first_screen(
    site, new_page, lang, name, path, first_result
):
    page = open_at(new_page, site, path.format(lang=lang), PHONE)
    result = page.locator(first_result).first
    expect(result).to_be_visible()
    box = result.bounding_box()
    first_screen(page, f"phone-{name}-{lang}")
    assert box["y"] < PHONE["height"] - 60, f"the first result starts at {box['y']} px"
    drawer = page.locator("details.filters-drawer")
    expect(drawer).not_to_have_attribute("open", re.compile(".*"))
    expect(drawer.locator("summary")).to_be_visible()
    drawer.locator("summary").click()
    expect(drawer.locator("form.filters")).to_be_visible()
    screenshot(page, f"phone-{name}-{lang}-filters-open")


@pytest.mark.parametrize("lang", ["en", "ar"])
@pytest.mark.parametrize(("name", "path", "first_result"), LISTS)
def test_on_a_desktop_the_filters_and_the_navigation_stay_in_view(
    site, new_page, lang, name, path, first_result
):
    page = open_at(new_page, site, path.format(lang=lang), DESKTOP)
    expect(page.locator(".menu-button")).to_be_hidden()
    expect(page.locator("#site-nav")).to_be_visible()
    expect(page.locator("details.filters-drawer summary")).to_be_hidden()
    expect(page.locator("form.filters .facet").first).to_be_visible()
    expect(page.locator(first_result).first).to_be_visible()
    first_screen(page, f"desktop-{name}-{lang}")


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_menu_button_opens_and_closes_the_navigation_on_a_phone(site, new_page, lang):
    page = open_at(new_page, site, f"/{lang}/", PHONE)
    button = page.locator(".menu-button")
    nav = page.locator("#site-nav")
    expect(button).to_be_visible()
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(nav).to_be_hidden()
    header_height = page.locator(".site-header").bounding_box()["height"]
    assert header_height < 140, f"the folded header is {header_height} px high"
    first_screen(page, f"phone-home-{lang}")
    button.click()
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(nav.get_by_role("link", name=re.compile(".")).first).to_be_visible()
    expect(nav.locator(f'a[href="/{lang}/experts/"]')).to_be_visible()
    expect(nav.locator(f'a[href="/{lang}/guidebook/"]')).to_be_visible()
    first_screen(page, f"phone-menu-open-{lang}")
    button.click()
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(nav).to_be_hidden()
    button.click()
    page.keyboard.press("Escape")
    expect(nav).to_be_hidden()
    expect(button).to_be_focused()


def test_without_javascript_the_navigation_is_shown_in_full(site, new_page):
    page = new_page(java_script_enabled=False)
    page.set_viewport_size(PHONE)
    page.goto(site.url + "/ar/practices/")
    expect(page.locator(".menu-button")).to_be_hidden()
    expect(page.locator("#site-nav")).to_be_visible()
    expect(page.locator("form.filters")).to_be_visible()


def test_an_expert_reaches_the_form_in_one_click_and_is_sent_to_the_empty_required_tab(
    site, new_page
):
    page = new_page()
    sign_in_to_admin(page, site, "expert2")
    page.goto(site.url + "/en/")
    page.locator("#site-nav").get_by_role("link", name="Submit a practice").click()
    page.wait_for_url(re.compile(r"/admin/pages/add/practices/goodpracticepage/\d+/$"))
    expect(page.locator("[data-kx-required-guide]")).to_be_visible()
    expect(page.locator(".w-tabs__tab .kx-tab-required")).to_have_count(2)
    page.fill("#id_title", "Radio dramas against recruitment")
    page.fill("#id_summary", "A weekly radio drama tells the stories of young people.")
    editor = page.locator("[data-field-input]:has(#id_human_rights) [contenteditable=true]")
    editor.click()
    editor.type("Scripts are reviewed for stigma against returnees.")
    address = page.url
    page.locator("footer .w-dropdown__toggle").first.click()
    page.locator('button[name="action-submit"]').click()
    expect(page.locator('[role="tab"][aria-selected="true"]')).to_have_attribute(
        "href", "#tab-classification"
    )
    expect(page.locator("#id_pillars_0")).to_be_in_viewport()
    expect(page.locator(".kx-required-error")).to_have_count(5)
    expect(page.locator("#kx-required-summary")).to_be_visible()
    assert page.url.split("#")[0] == address  # nothing was sent
    screenshot(page, "practice-form-required-fields-flagged")
