"""Mixed-direction text on Arabic pages (issue 11, item 12): mentions, pillar numerals,
facet counts and user-written fragments are isolated, and text inputs follow what is
typed (`dir="auto"`)."""

import importlib
import re

import pytest
from django.apps import apps
from django.template import Context, Template

from experts.forum.models import Post
from experts.forum.posting import body_hash
from kx_platform.bidi import isolate, isolate_syntax_examples, numbered_label
from kx_platform.models import Pillar
from kx_platform.sanitize import render_markdown, sanitize_html
from tests.conftest import drain_search, signed_in
from tests.expert_factories import ExpertProfileFactory
from tests.factories import PracticeFactory
from tests.forum_factories import direct_thread, vetted_expert

MENTION = '<bdi class="mention" dir="ltr">@omar_khatib</bdi>'


def test_a_mention_is_rendered_as_a_left_to_right_isolate():
    html = str(render_markdown("شكراً @omar_khatib على المشاركة"))
    assert MENTION in html


def test_the_allowlist_keeps_only_known_directions_and_classes_on_bdi():
    html = sanitize_html(
        '<bdi dir="ltr" class="mention evil" onclick="x()">a</bdi>'
        '<bdi dir="javascript:x" style="color:red">b</bdi><span dir="rtl">c</span>'
    )
    assert '<bdi dir="ltr" class="mention">a</bdi>' in html
    assert "<bdi>b</bdi>" in html
    assert "onclick" not in html and "style" not in html and "javascript" not in html
    assert "<span>c</span>" in html  # dir is allowed on bdi only


def test_isolating_escapes_the_text():
    assert str(isolate("<b>Omar</b>")) == "<bdi>&lt;b&gt;Omar&lt;/b&gt;</bdi>"
    assert str(isolate("")) == ""


def test_markdown_examples_in_a_help_text_are_isolated_and_the_rest_escaped():
    html = str(isolate_syntax_examples("<b> Write `code` or @amina & [a](https://x.org)"))
    assert html == (
        '&lt;b&gt; Write <bdi dir="ltr">`code`</bdi> or <bdi dir="ltr">@amina</bdi> &amp; '
        '<bdi dir="ltr">[a](https://x.org)</bdi>'
    )


@pytest.mark.django_db
def test_a_pillar_label_isolates_its_numeral():
    pillar = Pillar.objects.get(number=4)
    expected = f'<bdi class="numeral" dir="ltr">IV.</bdi> <bdi>{pillar.short_name}</bdi>'
    assert str(numbered_label(pillar)) == expected
    assert str(numbered_label(str(pillar))) == expected
    assert str(numbered_label("Limited availability")) == "Limited availability"
    assert str(numbered_label("I. <script>")) == (
        '<bdi class="numeral" dir="ltr">I.</bdi> <bdi>&lt;script&gt;</bdi>'
    )


@pytest.mark.django_db
def test_an_arabic_forum_thread_shows_the_mention_and_the_author_isolated():
    author = vetted_expert("omar_khatib", display_name="Omar Khatib")
    thread = direct_thread(author, title="Prison dialogue", language="ar")
    body = "@omar_khatib شكراً على هذه التجربة"
    Post.objects.filter(thread=thread, number=1).update(
        body=body, body_html=str(render_markdown(body)), body_hash=body_hash(body)
    )
    html = signed_in(author).get(f"/ar/forum/t/{thread.pk}/").content.decode()
    body_html = re.search(r'<div class="post__body"[^>]*>(.*?)</div>', html, re.S)
    assert body_html and MENTION in body_html.group(1)
    assert 'class="post__body" lang="ar" dir="auto"' in html
    assert '<a class="post__author" href="' in html
    assert re.search(r'class="post__author"[^>]*><bdi>Omar Khatib</bdi>', html)
    # The reply box's help shows its Markdown examples left to right.
    assert '<bdi dir="ltr">@username</bdi>' in html
    assert '<bdi dir="ltr">[رابط](https://…)</bdi>' in html
    # The reply box and its title follow what is typed.
    assert re.search(
        r'<textarea[^>]*name="body"[^>]*dir="auto"|<textarea[^>]*dir="auto"[^>]*name="body"', html
    )


@pytest.mark.django_db
def test_posts_rendered_before_the_fix_are_rendered_again_by_the_migration():
    author = vetted_expert("amina")
    thread = direct_thread(author, language="ar")
    post = Post.objects.get(thread=thread, number=1)
    Post.objects.filter(pk=post.pk).update(
        body="مرحبا @amina",
        body_html='<p>مرحبا <span class="mention">@amina</span></p>',
    )
    migration = importlib.import_module("experts.forum.migrations.0005_mentions_as_ltr_isolates")
    migration.rerender_mentions(apps, None)
    post.refresh_from_db()
    assert '<bdi class="mention" dir="ltr">@amina</bdi>' in post.body_html


@pytest.mark.django_db
def test_the_arabic_practice_list_isolates_pillar_numerals_and_counts(client):
    PracticeFactory(title="Community policing in Mombasa", pillars=[1, 4], countries=["KE"])
    html = client.get("/ar/practices/", {"pillar": "4"}).content.decode()
    numeral = '<bdi class="numeral" dir="ltr">IV.</bdi>'
    # The card's chip, the facet option and the active filter chip.
    assert re.search(
        r'<li class="chip chip--pillar"><bdi class="numeral" dir="ltr">I\.</bdi>', html
    )
    assert re.search(r"<label for=\"f-pillar-4\">" + re.escape(numeral), html)
    assert re.search(r'class="chip chip--removable"[^>]*>.*?' + re.escape(numeral), html, re.S)
    assert re.search(r'<span class="count">\(1\)</span>', html)
    # The text box follows what is typed.
    assert re.search(r'<input id="practice-q"[^>]*dir="auto"', html)


def test_the_stylesheet_isolates_counts_and_mentions():
    from django.contrib.staticfiles import finders

    css = open(finders.find("kx/site.css"), encoding="utf-8").read()
    rule = re.search(r"\n\.count, [^{]*\{ unicode-bidi: isolate; \}", css)
    assert rule, "facet counts are not isolated"
    assert ".mention { direction: ltr; unicode-bidi: isolate; }" in css


@pytest.mark.django_db
def test_search_boxes_follow_what_is_typed(client):
    for url, box in [
        ("/ar/search/", "search-q"),
        ("/ar/experts/", "roster-q"),
        ("/ar/", "home-q"),
    ]:
        html = client.get(url).content.decode()
        assert re.search(rf'<input id="{box}"[^>]*dir="auto"', html), url


@pytest.mark.django_db
def test_roster_cards_isolate_the_name_organisation_and_pillar_numerals(client, search_index):
    ExpertProfileFactory(display_name="Omar Khatib", organisation="Sahel Institute", pillars=[2])
    drain_search()
    html = client.get("/ar/experts/").content.decode()
    assert "<bdi>Omar Khatib</bdi>" in html
    assert '<bdi class="numeral" dir="ltr">II.</bdi>' in html


@pytest.mark.django_db
def test_profile_and_forum_forms_give_text_inputs_a_direction():
    from experts.forms import ExpertProfileForm, LinkForm
    from experts.forum.forms import FlagForm, ReplyForm, ThreadForm

    profile = ExpertProfileForm()
    assert profile.fields["display_name"].widget.attrs["dir"] == "auto"
    assert profile.fields["biography"].widget.attrs["dir"] == "auto"
    link = LinkForm()
    assert link.fields["title"].widget.attrs["dir"] == "auto"
    assert link.fields["url"].widget.attrs["dir"] == "ltr"
    assert FlagForm().fields["note"].widget.attrs["dir"] == "auto"
    assert ReplyForm().fields["body"].widget.attrs["dir"] == "auto"
    assert ThreadForm().fields["title"].widget.attrs["dir"] == "auto"


def test_a_blocktranslate_keeps_the_isolated_fragment_and_escapes_it_once():
    rendered = Template(
        "{% load bidi_tags i18n %}"
        "{% blocktranslate with number=roman|bdi name=name|bdi %}Pillar {{ number }}: {{ name }}"
        "{% endblocktranslate %}"
    ).render(Context({"roman": "IV", "name": "<x>"}))
    assert rendered == "Pillar <bdi>IV</bdi>: <bdi>&lt;x&gt;</bdi>"
