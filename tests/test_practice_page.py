"""What a reader sees on a practice page."""

import pytest

from practices.models import GoodPracticePage
from tests.factories import PracticeFactory, translate

pytestmark = pytest.mark.django_db


@pytest.fixture
def practice():
    return PracticeFactory(
        title="Reintegration through vocational training",
        summary="Former detainees learn a trade.",
        pillars=[1, 4],
        countries=["NE"],
        partner_countries=["ML"],
        themes=["Prison deradicalisation and reintegration", "Youth"],
        scale="bilateral",
        evidence_stage="validated",
        support_kinds=["training", "peer_exchange"],
        start_year=2017,
        end_year=2022,
        lessons="<p>Start with families.</p>",
        replicability="<p>A probation service.</p>",
        organisations=[
            {
                "type": "organisation",
                "value": {"name": "Ministry of Justice of Niger", "website": ""},
            }
        ],
        sources=[
            {
                "type": "source",
                "value": {"title": "UNOCT", "url": "https://www.un.org/counterterrorism/"},
            }
        ],
        approach=[
            {"type": "heading", "value": "Workshops"},
            {"type": "quote", "value": {"text": "We learnt.", "attribution": "A trainee"}},
        ],
    )


def test_every_field_is_shown(client, practice):
    html = client.get(practice.url).content.decode()
    for text in [
        "Reintegration through vocational training",
        "Former detainees learn a trade.",
        "Radicalisation in prisons.",
        "Workshops",
        "We learnt.",
        "A trainee",
        "Fewer people reoffended.",
        "Start with families.",
        "A probation service.",
        "Participation is voluntary",
        "Niger",
        "Mali",
        "Bilateral",
        "Validated",
        "Training courses",
        "Peer exchange or study visit",
        "2017–2022",
        "Ministry of Justice of Niger",
        "https://www.un.org/counterterrorism/",
        "Conditions conducive",
        "Human rights and rule of law",
    ]:
        assert text in html, text


def test_chips_link_to_the_filtered_list(client, practice):
    html = client.get(practice.url).content.decode()
    assert 'href="/en/practices/?pillar=1"' in html
    assert 'href="/en/practices/?region=africa"' in html
    assert 'href="/en/practices/?theme=youth"' in html
    assert 'href="/en/practices/?country=NE"' in html


def test_languages_it_is_available_in_are_listed(client, practice):
    french = translate(practice, "fr", title="Réinsertion par la formation professionnelle")
    html = client.get(practice.url).content.decode()
    assert f'href="{french.url}"' in html and "Français" in html
    assert client.get(french.url).status_code == 200


def test_related_practices_share_a_pillar_and_prefer_shared_themes(client, practice):
    close = PracticeFactory(title="Close cousin", pillars=[4], themes=["Youth"])
    PracticeFactory(title="Distant", pillars=[4])
    PracticeFactory(title="Unrelated", pillars=[2])
    html = client.get(practice.url).content.decode()
    related = html.split('id="related-heading"')[1]
    assert related.index("Close cousin") < related.index("Distant")
    assert "Unrelated" not in related
    assert close.title in related


def test_how_to_cite_names_organisation_year_title_and_address(client, practice):
    html = client.get(practice.url).content.decode()
    year = practice.first_published_at.year
    assert (
        f"Ministry of Justice of Niger ({year}). Reintegration through vocational training." in html
    )
    assert f"http://testserver{practice.url}" in html


def test_print_stylesheet_is_linked(client, practice):
    assert 'media="print"' in client.get(practice.url).content.decode()


def test_drafts_and_unpublished_practices_are_not_served(client):
    draft = PracticeFactory(live=False)
    assert client.get(f"/en/practices/{draft.slug}/").status_code == 404


def test_user_text_is_escaped(client):
    page = PracticeFactory(
        title="<script>alert('x')</script>", summary="<img src=x onerror=alert(1)>"
    )
    html = client.get(page.url).content.decode()
    assert "<script>alert('x')</script>" not in html
    assert "<img src=x onerror" not in html


def test_publishing_a_translation_keeps_the_classification_shared(practice):
    french = translate(practice, "fr", title="Réinsertion")
    revision = practice.save_revision()
    page = revision.as_object()
    page.evidence_stage = "scaled_up"
    page.pillars = list(page.pillars.all())[:1]
    page.save_revision().publish()
    french = GoodPracticePage.objects.get(pk=french.pk)
    assert french.evidence_stage == "scaled_up"
    assert list(french.pillars.values_list("number", flat=True)) == [1]


def test_contact_experts_link_to_their_profiles_without_contact_details(client):
    from tests.expert_factories import ExpertProfileFactory

    approved = ExpertProfileFactory(display_name="Amal Idrissi", professional_title="Imam trainer")
    pending = ExpertProfileFactory(display_name="Not Yet Vetted", status="submitted")
    page = PracticeFactory()
    page.contact_experts = [approved, pending]
    page.save_revision().publish()
    html = client.get(page.url).content.decode()
    assert "Amal Idrissi" in html and f'href="/en/experts/{approved.pk}/"' in html
    assert "Not Yet Vetted" not in html
    assert approved.email not in html


def test_an_experts_profile_lists_their_practices(client):
    from tests.expert_factories import ExpertProfileFactory

    expert = ExpertProfileFactory(display_name="Amal Idrissi")
    page = PracticeFactory(title="Imam training across the Sahel")
    page.contact_experts = [expert]
    page.save_revision().publish()
    html = client.get(f"/en/experts/{expert.pk}/").content.decode()
    assert f'href="{page.url}"' in html and "Imam training across the Sahel" in html
