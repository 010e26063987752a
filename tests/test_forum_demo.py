"""The demo forum: 15 threads across categories, replies in the four languages.
(`load_demo` runs this loader after the roster's; tests/test_demo_and_settings.py runs
the whole command. Here the roster's usernames are made quickly with factories.)"""

import json

import pytest
from django.test import Client

from experts.forum.demo.loader import DATA_FILE, ForumDemoLoader
from experts.forum.models import Post, Thread
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_demo_forum_loads_in_four_languages_and_once():
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    names = {t["author"] for t in data["threads"]}
    names |= {r["author"] for t in data["threads"] for r in t["replies"]}
    for name in names:
        UserFactory(username=name)
    assert ForumDemoLoader().load() == 15
    assert Thread.objects.count() == 15
    assert Thread.objects.values("category").distinct().count() >= 8
    assert set(Post.objects.values_list("language", flat=True)) == {"ar", "en", "fr", "es"}
    assert Thread.objects.exclude(accepted_answer=None).count() >= 2
    assert ForumDemoLoader().load() == 0
    arabic = Thread.objects.filter(language="ar", category__visibility="public").first()
    response = Client().get(f"/ar/forum/t/{arabic.pk}/")
    assert response.status_code == 200
    assert 'dir="rtl"' in response.content.decode()
