"""First contact for readers and crawlers (issue 11, item 14): members-only forum pages
say how to read them, translated 404 and 500 pages, favicon, robots.txt, OpenGraph and
descriptions, canonical and hreflang links, and a sitemap of every language."""

import xml.etree.ElementTree as ET

import pytest
from django.conf.urls.i18n import i18n_patterns
from django.test import Client, RequestFactory
from django.urls import path
from wagtail.models import Locale, Page

from kx_platform import site_views
from kx_platform import urls as kx_urls
from tests.conftest import signed_in
from tests.factories import PracticeFactory, UserFactory, translate
from tests.forum_factories import thread, vetted_expert

pytestmark = pytest.mark.django_db

BASE = "https://kx.example.org"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
LANGUAGES = ("ar", "en", "fr", "es")


@pytest.fixture(autouse=True)
def base_url(settings):
    settings.WAGTAILADMIN_BASE_URL = BASE


def html(response):
    return response.content.decode()


# --- (a) Members-only forum pages ----------------------------------------------------


@pytest.fixture
def members_thread():
    author = vetted_expert("author_expert")
    return thread(author, slug="region-africa", title="Lake Chad returnees", body="Secret plan")


def test_anonymous_visitors_of_a_members_thread_are_asked_to_sign_in(members_thread):
    url = members_thread.get_absolute_url()
    response = Client().get(url)
    assert response.status_code == 403
    page = html(response)
    assert "Sign in to read" in page
    assert f"/en/account/login/?next={url.replace('/', '%2F')}" in page
    assert "Lake Chad returnees" not in page and "Secret plan" not in page


def test_anonymous_visitors_of_a_members_category_are_asked_to_sign_in(members_thread):
    response = Client().get("/en/forum/c/region-africa/?page=2")
    assert response.status_code == 403
    page = html(response)
    assert "next=%2Fen%2Fforum%2Fc%2Fregion-africa%2F%3Fpage%3D2" in page
    assert "Lake Chad returnees" not in page


def test_the_sign_in_page_of_the_forum_is_translated(members_thread):
    response = Client().get(members_thread.get_absolute_url().replace("/en/", "/fr/", 1))
    assert response.status_code == 403
    assert '<html lang="fr"' in html(response)
    assert "/fr/account/login/?next=" in html(response)


def test_members_who_are_not_vetted_are_told_the_room_is_for_vetted_experts():
    room = thread(vetted_expert("room_author"), slug="experts-room", title="Vetted only talk")
    response = signed_in(UserFactory(username="plain_member")).get(room.get_absolute_url())
    assert response.status_code == 403
    page = html(response)
    assert "For vetted experts" in page
    assert "/en/experts/apply/" in page
    assert "Vetted only talk" not in page
    assert "Sign in to read" not in page


def test_an_unknown_thread_is_still_not_found():
    assert Client().get("/en/forum/t/999999/").status_code == 404


# --- (b) 404 and 500 pages -----------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_404_page_is_in_the_language_of_the_address(language):
    from django.utils import translation

    response = Client().get(f"/{language}/no-such-page-here/")
    assert response.status_code == 404
    page = html(response)
    assert f'<html lang="{language}"' in page
    with translation.override(language):
        expected = translation.gettext("Page not found")
    assert expected in page
    assert 'name="robots" content="noindex"' in page
    assert 'rel="canonical"' not in page


def boom(request):
    raise RuntimeError("broken on purpose")


urlpatterns = [
    *i18n_patterns(path("boom/", boom), prefix_default_language=True),
    *kx_urls.urlpatterns,
]
handler500 = site_views.server_error


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("language", LANGUAGES)
def test_a_server_error_shows_the_500_page_in_the_language_of_the_address(language):
    from django.utils import translation

    response = Client(raise_request_exception=False).get(f"/{language}/boom/")
    assert response.status_code == 500
    page = html(response)
    assert f'<html lang="{language}"' in page
    assert f'dir="{"rtl" if language == "ar" else "ltr"}"' in page
    with translation.override(language):
        assert translation.gettext("Something went wrong") in page
    assert f'href="/{language}/"' in page


def test_the_500_page_renders_without_the_database(django_assert_num_queries):
    request = RequestFactory().get("/es/anything/")
    with django_assert_num_queries(0):
        response = site_views.server_error(request)
    assert response.status_code == 500
    assert '<html lang="es"' in response.content.decode()


def test_the_site_answers_server_errors_with_its_own_500_view():
    assert kx_urls.handler500 is site_views.server_error


# --- (c) Favicon and robots.txt ------------------------------------------------------


def test_every_page_links_the_favicon_and_favicon_ico_redirects_to_it():
    assert 'rel="icon" href="/static/kx/favicon.svg"' in html(Client().get("/en/"))
    response = Client().get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/kx/favicon.svg"


def test_favicon_is_a_small_svg():
    from django.contrib.staticfiles import finders

    with open(finders.find("kx/favicon.svg"), encoding="utf-8") as svg:
        text = svg.read()
    assert text.startswith("<svg") and len(text) < 2000
    ET.fromstring(text)


def test_robots_txt_allows_public_pages_and_names_the_sitemap_on_the_real_host():
    response = Client().get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    for disallowed in ("/admin/", "/api/", "/en/account/", "/ar/account/"):
        assert f"Disallow: {disallowed}" in lines
    assert "Disallow: /en/practices/" not in lines
    assert "Allow: /" in lines
    assert f"Sitemap: {BASE}/sitemap.xml" in lines


# --- (d) Descriptions and OpenGraph --------------------------------------------------


def test_a_practice_page_has_opengraph_and_a_description_from_its_summary():
    practice = PracticeFactory(
        title="Mentors & families",
        slug="mentors",
        summary="Former detainees " + "learn a trade and return home. " * 8,
    )
    page = html(Client().get(practice.url))
    assert '<meta property="og:title" content="Mentors &amp; families">' in page
    assert '<meta property="og:type" content="article">' in page
    assert f'<meta property="og:url" content="{BASE}/en/practices/mentors/">' in page
    assert '<meta property="og:locale" content="en_GB">' in page
    description = page.split('<meta name="description" content="', 1)[1].split('"', 1)[0]
    assert description.startswith("Former detainees learn a trade")
    assert len(description) <= 160 and description.endswith("…")
    assert f'<meta property="og:description" content="{description}">' in page


def test_a_practice_with_a_search_description_uses_it():
    practice = PracticeFactory(slug="with-seo", search_description="What search engines read.")
    page = html(Client().get(practice.url))
    assert '<meta name="description" content="What search engines read.">' in page


def test_a_practice_with_an_image_names_it_for_previews():
    from wagtail.images.models import Image
    from wagtail.images.tests.utils import get_test_image_file

    image = Image.objects.create(title="Workshop", file=get_test_image_file())
    practice = PracticeFactory(
        slug="with-image",
        approach=[
            {"type": "image", "value": {"image": image.pk, "caption": "", "alt_text": "Workshop"}}
        ],
    )
    page = html(Client().get(practice.url))
    assert f'<meta property="og:image" content="{BASE}/media/images/' in page


def test_the_home_page_has_opengraph_and_a_description():
    page = html(Client().get("/fr/"))
    assert '<meta property="og:type" content="website">' in page
    assert '<meta property="og:locale" content="fr_FR">' in page
    assert '<meta name="description" content="' in page
    assert f'<meta property="og:url" content="{BASE}/fr/">' in page


# --- (e) Canonical and hreflang ------------------------------------------------------


def test_a_page_names_itself_canonical_and_its_live_translations():
    practice = PracticeFactory(slug="dialogue", title="Dialogue")
    translate(practice, "fr", title="Dialogue (fr)")
    draft = practice.copy_for_translation(Locale.objects.get(language_code="ar"))
    draft.save()  # a draft translation is no alternate
    page = html(Client().get("/fr/practices/dialogue/"))
    assert f'<link rel="canonical" href="{BASE}/fr/practices/dialogue/">' in page
    assert f'<link rel="alternate" hreflang="en" href="{BASE}/en/practices/dialogue/">' in page
    assert f'<link rel="alternate" hreflang="fr" href="{BASE}/fr/practices/dialogue/">' in page
    assert 'hreflang="ar" href="' + BASE not in page.split("<body", 1)[0]
    assert (
        f'<link rel="alternate" hreflang="x-default" href="{BASE}/en/practices/dialogue/">' in page
    )


def test_views_outside_the_page_tree_swap_the_language_prefix():
    page = html(Client().get("/ar/forum/?page=2"))
    head = page.split("<body", 1)[0]
    assert f'<link rel="canonical" href="{BASE}/ar/forum/">' in head
    for code in LANGUAGES:
        assert f'<link rel="alternate" hreflang="{code}" href="{BASE}/{code}/forum/">' in head
    assert f'<link rel="alternate" hreflang="x-default" href="{BASE}/en/forum/">' in head


# --- (f) The sitemap -----------------------------------------------------------------


def test_the_sitemap_lists_every_languages_pages_on_the_configured_host():
    practice = PracticeFactory(slug="sitemap-practice")
    translate(practice, "ar", title="ممارسة")
    PracticeFactory(slug="private-draft", live=False)
    response = Client().get("/sitemap.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    entries = {
        url.findtext(f"{SITEMAP}loc"): {
            link.get("hreflang"): link.get("href") for link in url.findall(f"{XHTML}link")
        }
        for url in root.findall(f"{SITEMAP}url")
    }
    assert all(loc.startswith(BASE + "/") for loc in entries)
    assert not any("localhost" in loc for loc in entries)
    for code in LANGUAGES:
        assert f"{BASE}/{code}/" in entries
        assert f"{BASE}/{code}/practices/" in entries
    assert f"{BASE}/en/practices/private-draft/" not in entries
    english = entries[f"{BASE}/en/practices/sitemap-practice/"]
    assert english == {
        "ar": f"{BASE}/ar/practices/sitemap-practice/",
        "en": f"{BASE}/en/practices/sitemap-practice/",
        "x-default": f"{BASE}/en/practices/sitemap-practice/",
    }
    assert entries[f"{BASE}/ar/practices/sitemap-practice/"] == english
    home = entries[f"{BASE}/es/"]
    assert set(home) == {*LANGUAGES, "x-default"}


def test_the_sitemap_holds_no_root_or_unroutable_page():
    response = Client().get("/sitemap.xml")
    root_page = Page.get_first_root_node()
    assert root_page.title not in response.content.decode()
