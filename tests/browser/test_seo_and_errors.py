"""The pages a reader meets when something is not for them or not there (issue 11,
item 14): "sign in to read" for a members-only forum category, the 404 and the 500
pages, in English and Arabic, on a desktop and a phone."""

import json

import pytest

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser

RENDER_ERROR_PAGES = """
import json
from django.test import Client, RequestFactory
from django.test.utils import override_settings
from kx_platform.site_views import server_error
pages = {}
with override_settings(DEBUG=False):
    for code in ("en", "ar"):
        missing = Client(HTTP_HOST="127.0.0.1").get(f"/{code}/no-such-page/")
        pages[f"404-{code}"] = missing.content.decode()
        pages[f"500-{code}"] = server_error(RequestFactory().get(f"/{code}/x/")).content.decode()
print(json.dumps(pages))
"""


@pytest.fixture(scope="module")
def error_pages(site):
    """The 404 and 500 pages as the platform sends them with DEBUG off (the browser
    suite's server runs the development settings, which show Django's debug pages)."""
    return json.loads(site.shell(RENDER_ERROR_PAGES))


def check_layout(page, language, width):
    assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    heading = page.locator("main h1").bounding_box()
    assert heading is not None and heading["y"] < 900  # on the first screen


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize("width", [1280, 390])
def test_members_only_category_asks_anonymous_visitors_to_sign_in(site, new_page, language, width):
    page = new_page()
    page.set_viewport_size({"width": width, "height": 900})
    response = page.goto(f"{site.url}/{language}/forum/c/region-africa/")
    assert response.status == 403
    link = page.locator("main a.button")
    assert "next=" in link.get_attribute("href")
    assert f"/{language}/account/login/" in link.get_attribute("href")
    check_layout(page, language, width)
    screenshot(page, f"forum-sign-in-to-read-{language}-{width}")


@pytest.mark.parametrize("kind", ["404", "500"])
@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize("width", [1280, 390])
def test_error_pages_are_translated_and_fit_the_screen(
    site, new_page, error_pages, kind, language, width
):
    page = new_page()
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{site.url}/{language}/")
    html = error_pages[f"{kind}-{language}"].replace(
        "<head>", f'<head><base href="{site.url}/">', 1
    )
    page.set_content(html)
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == language
    check_layout(page, language, width)
    home = page.locator(f'main a[href="/{language}/"]')
    assert home.count() == 1
    screenshot(page, f"error-{kind}-{language}-{width}")
