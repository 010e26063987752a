"""kx_platform.sanitize: the one way user text becomes HTML or clean plain text."""

from html.parser import HTMLParser
from pathlib import Path

import pytest

from kx_platform.sanitize import (
    ALLOWED_TAGS,
    clean_text,
    mentioned_usernames,
    render_markdown,
)

VECTORS_FILE = Path(__file__).parent / "data" / "xss_vectors.txt"


def xss_vectors():
    lines = VECTORS_FILE.read_text(encoding="utf-8").splitlines()
    return [
        line.replace("\\n", "\n") for line in lines if line.strip() and not line.startswith("#")
    ]


class Elements(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def elements(html):
    parser = Elements()
    parser.feed(html)
    return parser.found


def assert_inert(html):
    for tag, attrs in elements(html):
        assert tag in ALLOWED_TAGS, (tag, html)
        for name, value in attrs.items():
            assert not name.startswith("on"), (name, html)
            assert name not in ("style", "formaction", "srcdoc"), (name, html)
            if name in ("href", "src"):
                scheme = (value or "").strip().lower().split(":", 1)[0]
                assert (
                    not (value or "")
                    .strip()
                    .lower()
                    .startswith(("javascript", "vbscript", "data", "livescript"))
                ), (scheme, html)


def test_the_vector_file_holds_at_least_80_vectors():
    assert len(xss_vectors()) >= 80


@pytest.mark.parametrize("vector", xss_vectors())
def test_no_vector_survives_markdown_rendering(vector):
    assert_inert(str(render_markdown(vector)))


@pytest.mark.parametrize("vector", xss_vectors())
def test_no_vector_survives_as_plain_text_markup(vector):
    # Plain-text fields are escaped by the templates; clean_text also drops whole tags
    # (an unclosed fragment such as `<IMG SRC="…` stays as text, and is escaped).
    parser = Elements()
    parser.feed(clean_text(vector))
    parser.close()
    assert parser.found == []


def test_links_are_clickable_with_nofollow_ugc_noopener():
    html = str(
        render_markdown("See https://www.un.org/counterterrorism and [UNOCT](https://www.un.org)")
    )
    links = [attrs for tag, attrs in elements(html) if tag == "a"]
    assert len(links) == 2
    assert all(a["rel"] == "nofollow ugc noopener" for a in links)


def test_markdown_structure_is_kept():
    html = str(render_markdown("# Title\n\n> quoted\n\n1. one\n2. two\n\n`code` **bold** ~~old~~"))
    for tag in ("<blockquote>", "<ol>", "<li>", "<code>", "<strong>", "<s>"):
        assert tag in html, tag


def test_images_only_from_the_platforms_media():
    html = str(
        render_markdown(
            "![a](/media/images/a.png) ![b](https://evil.example/b.png) "
            "![c](//evil.example/c.png) ![d](/media/../etc/passwd)"
        )
    )
    sources = [attrs.get("src") for tag, attrs in elements(html) if tag == "img"]
    assert sources == ["/media/images/a.png", None, None, None]


def test_clean_text_drops_invisible_and_control_characters():
    text = "Ab\u202edc\u2066\u200b e\u0007f\ufeff\n\n\n\ng\u00ad"
    assert clean_text(text) == "Abdc ef\n\ng"
    assert clean_text("one\ntwo", multiline=False) == "one two"
    # Joiners that Persian, Urdu and emoji need are kept.
    assert clean_text("می\u200cخواهم") == "می\u200cخواهم"


def test_mentions_are_found_outside_code_only():
    assert mentioned_usernames("@amina and @omar_k, not `@code` nor a@b.org") == ["amina", "omar_k"]
    assert '<bdi class="mention" dir="ltr">@amina</bdi>' in str(render_markdown("hi @amina"))


@pytest.mark.django_db
def test_a_biography_goes_through_the_sanitizer():
    from experts.forms import ExpertProfileForm

    form = ExpertProfileForm()
    form.cleaned_data = {"biography": "<script>alert(1)</script>Trainer\u202e of imams"}
    assert form.clean_biography() == "alert(1)Trainer of imams"


def test_exchange_messages_go_through_the_sanitizer():
    from experts.exchange_forms import TransitionForm

    form = TransitionForm({"to_state": "accepted", "note": "Yes\u200b <b>gladly</b>\u202e"})
    assert form.is_valid()
    assert form.cleaned_data["note"] == "Yes gladly"
