"""Template comments never reach the reader.

Django's `{# … #}` is a one-line comment only: when its `#}` is on a later line, the whole
"comment" is printed as text on every page that includes the template (issue 11, item 3: the
roster cards showed "{# One roster card, built only from visible_profile() … #}").
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from experts.models import ExchangeRecord
from kx_platform.models import Country, Pillar
from tests.conftest import drain_search, signed_in
from tests.expert_factories import ExpertProfileFactory, InstitutionFactory
from tests.factories import PracticeFactory, UserFactory
from tests.forum_factories import thread, vetted_expert
from tests.guidebook_factories import make_edition

ROOT = Path(settings.BASE_DIR)
TEMPLATE_FOLDERS = (
    [ROOT / "templates"] + sorted(ROOT.glob("*/templates")) + sorted(ROOT.glob("*/*/templates"))
)


def template_files():
    seen = set()
    for folder in TEMPLATE_FOLDERS:
        for path in sorted(folder.rglob("*")):
            if path.suffix in {".html", ".txt", ".xml"} and path not in seen:
                seen.add(path)
                yield path


def unclosed_one_line_comments(text):
    """Line numbers of each `{#` whose `#}` is not on the same line."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        for match in re.finditer(r"\{#", line):
            if "#}" not in line[match.end() :]:
                found.append(number)
    return found


def test_the_template_check_recognises_a_comment_spread_over_two_lines():
    assert unclosed_one_line_comments("a {# one #} b\n{# two\n still two #}\n") == [2]


def test_no_template_has_a_one_line_comment_spread_over_several_lines():
    files = list(template_files())
    assert any(p.name == "_card.html" for p in files)  # the folders really were read
    offenders = {
        str(p.relative_to(ROOT)): lines
        for p in files
        if (lines := unclosed_one_line_comments(p.read_text(encoding="utf-8")))
    }
    assert offenders == {}, "use {% comment %} … {% endcomment %} for multi-line comments"


@pytest.fixture
def public_site(db):
    """A small copy of the demo: a practice, an approved expert with an institution, a forum
    thread, a published guidebook edition and an exchange record."""
    practice = PracticeFactory(title="Prison dialogue programme", pillars=[1, 4])
    institution = InstitutionFactory(name="Centre for Dialogue", slug="centre-dialogue")
    profile = ExpertProfileFactory(
        display_name="Amina Haddad", institution=institution, regions=["africa"]
    )
    author = vetted_expert("omar")
    topic = thread(author, title="How to start a dialogue programme")
    edition = make_edition([("Prevention", [practice])])
    ExchangeRecord.objects.create(
        provider_country=Country.objects.get(code="KE"),
        recipient_country=Country.objects.get(code="MA"),
        pillar=Pillar.objects.get(number=1),
        modality="bilateral",
        support_kind="technical_cooperation",
        value="12500.50",
        currency="EUR",
        start_date="2024-03-01",
        end_date="2024-03-10",
    )
    drain_search()
    return {
        "practice": practice,
        "profile": profile,
        "institution": institution,
        "thread": topic,
        "edition": edition,
    }


def public_paths(site, language):
    from django.utils import translation

    with translation.override(language):
        return [
            f"/{language}/",
            f"/{language}/practices/",
            site["practice"].url,
            reverse("expert_roster"),
            site["profile"].get_absolute_url(),
            reverse("institution_list"),
            reverse("institution_detail", args=[site["institution"].slug]),
            reverse("forum_index"),
            reverse("forum_category", args=[site["thread"].category.slug]),
            reverse("forum_thread", args=[site["thread"].pk]),
            reverse("search") + "?q=dialogue",
            site["edition"].url,
            reverse("exchange_dashboard"),
            reverse("account_login"),
        ]


@pytest.mark.parametrize("language", ["en", "ar"])
def test_no_public_page_shows_template_comment_marks(client, public_site, language):
    checked = 0
    for path in public_paths(public_site, language):
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        assert "{#" not in html and "#}" not in html, path
        checked += 1
        if path.endswith("/experts/"):
            assert "Amina Haddad" in html  # a roster card was rendered
    # The apply form needs a signed-in user.
    applicant = signed_in(UserFactory(username="applicant"))
    from django.utils import translation

    with translation.override(language):
        apply_path = reverse("expert_apply")
    response = applicant.get(apply_path)
    assert response.status_code == 200
    html = response.content.decode()
    assert "{#" not in html and "#}" not in html
    assert checked == 14


def test_roster_cards_do_not_show_their_template_comment(client, public_site):
    html = client.get(reverse("expert_roster")).content.decode()
    assert "Amina Haddad" in html
    assert "One roster card" not in html
