"""The admin speaks each user's language, whoever opened it first since the process started.

Wagtail builds its menu items once per process; anything worked out then (an address under
a language prefix, a label) would stay in the first user's language."""

import re

import pytest
from wagtail.users.models import UserProfile

from practices.models import PracticeIndexPage
from tests.conftest import signed_in
from tests.factories import PracticeFactory, UserFactory

pytestmark = pytest.mark.django_db

ARABIC = re.compile(r"[\u0600-\u06ff]{2,}")


def admin_pages():
    practice = PracticeFactory()
    index = PracticeIndexPage.objects.get(locale__language_code="en")
    return [
        "/admin/",
        "/admin/experts/vetting/",
        "/admin/experts/exchanges/",
        f"/admin/pages/{practice.pk}/edit/",
        f"/admin/pages/add/practices/goodpracticepage/{index.pk}/",
        "/admin/snippets/forum/category/add/",
        "/admin/snippets/kx_platform/theme/add/",
        "/admin/snippets/kx_platform/region/add/",
    ]


def moderator_in(language, username):
    user = UserFactory(username=username, group="Moderators", totp=True)
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = language
    profile.save()
    return signed_in(user)


def test_an_english_moderator_after_an_arabic_one_gets_english_links_and_labels():
    pages = admin_pages()
    arabic = moderator_in("ar", "arabic_moderator")
    english = moderator_in("en", "english_moderator")
    for url in pages:
        assert arabic.get(url).status_code == 200, url
    for url in pages:
        html = english.get(url).content.decode()
        assert "/ar/" not in html, (url, re.findall(r'"/ar/[^"]*"', html)[:5])
        # Arabic in the admin of an English moderator is only the language switcher's name.
        found = set(ARABIC.findall(html)) - {"العربية"}
        assert not found, (url, sorted(found)[:10])
    assert "/en/forum/moderation/" in english.get("/admin/").content.decode()


def test_the_arabic_moderator_gets_the_arabic_address_of_the_forum_queue():
    english = moderator_in("en", "english_moderator")
    english.get("/admin/")
    arabic = moderator_in("ar", "arabic_moderator")
    assert "/ar/forum/moderation/" in arabic.get("/admin/").content.decode()
