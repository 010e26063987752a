"""No non-public value of an expert ever reaches an anonymous visitor or a crawler.

Every restricted field holds a unique sentinel; every public page, search result, API
response and the sitemap is fetched anonymously and its bytes searched for them.
"""

import pytest

from experts.models import ExpertLink, Institution
from kx_platform.models import Country
from tests.conftest import drain_search
from tests.expert_factories import ExpertProfileFactory
from tests.factories import PracticeFactory

pytestmark = pytest.mark.django_db

SECRETS = {
    "organisation": "Sentinel-Organisation-7f3a",
    "biography": "Sentinel biography 9c1d about prison reintegration",
    "link": "Sentinel-Link-Title-4b2e",
    "email": "sentinel-mail-2d9f@expert.example",
    "phone": "+000 5550 1234",
}


@pytest.fixture
def exposed_world():
    institution = Institution.objects.create(
        slug="sahel-centre",
        name="Sahel Centre",
        country=Country.objects.get(code="NE"),
        kind="research_centre",
        is_published=True,
    )
    expert = ExpertProfileFactory(
        display_name="Public Name Expert",
        organisation=SECRETS["organisation"],
        biography=SECRETS["biography"],
        email=SECRETS["email"],
        phone=SECRETS["phone"],
        institution=institution,
        visibility={
            "organisation": "experts",
            "biography": "members",
            "links": "members",
            "institution": "members",
            "country": "members",
            "years_of_experience": "moderators",
        },
    )
    ExpertLink.objects.create(profile=expert, title=SECRETS["link"], url="https://example.org/x")
    practice = PracticeFactory(title="Prison reintegration practice")
    practice.contact_experts = [expert]
    practice.save_revision().publish()
    from experts.forum import posting
    from experts.forum.models import Category

    forum_thread = posting.create_thread(
        expert.user,
        Category.objects.get(slug="general"),
        title="Prison reintegration in the forum",
        body="Lessons from prison reintegration programmes.",
        language="en",
    )
    from experts.models import ExchangeRecord

    ExchangeRecord.objects.create(
        provider_country=Country.objects.get(code="KE"),
        recipient_country=Country.objects.get(code="JO"),
        support_kind="knowledge_sharing",
        start_date="2025-01-01",
        end_date="2025-01-02",
        expert=expert,
        practice=practice,
        practice_use="adapted",
        status_reason=SECRETS["biography"],
    )
    drain_search()
    return {
        "expert": expert,
        "practice": practice,
        "institution": institution,
        "thread": forum_thread,
    }


def public_urls(world):
    expert, practice = world["expert"], world["practice"]
    urls = [
        "/en/",
        "/ar/",
        "/en/practices/",
        practice.url,
        "/en/experts/",
        "/ar/experts/",
        f"/en/experts/{expert.pk}/",
        "/en/institutions/",
        "/en/institutions/sahel-centre/",
        "/sitemap.xml",
        "/en/forum/",
        "/en/forum/c/general/",
        world["thread"].get_absolute_url(),
        "/en/exchanges/dashboard/",
        "/ar/exchanges/dashboard/",
        "/en/exchanges/dashboard.csv",
        "/en/exchanges/dashboard.json",
    ]
    for query in ("prison reintegration", "Sentinel", "sentinel biography", "Public Name"):
        urls += [
            f"/en/search/?q={query}",
            f"/en/experts/?q={query}",
            f"/api/v1/search?q={query}",
            f"/api/v1/search?q={query}&type=expert",
            f"/api/v1/search?q={query}&type=discussion",
            f"/api/v1/search?q={query}&suggest=1",
        ]
    return urls


def test_anonymous_visitors_never_receive_a_restricted_value(client, exposed_world):
    for url in public_urls(exposed_world):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        for field, secret in SECRETS.items():
            assert secret not in body, f"{field} leaked in {url}"
    # The sentinels are really there for those allowed: the test can fail.
    assert (
        "Public Name Expert"
        in client.get(f"/en/experts/{exposed_world['expert'].pk}/").content.decode()
    )


def test_a_crawler_user_agent_sees_the_same(client, exposed_world):
    response = client.get(
        f"/en/experts/{exposed_world['expert'].pk}/", HTTP_USER_AGENT="Googlebot/2.1"
    )
    assert SECRETS["biography"] not in response.content.decode()


def test_members_see_members_fields_but_never_contact_details(client, exposed_world):
    from tests.factories import PASSWORD, UserFactory

    UserFactory(username="reader")
    client.login(username="reader", password=PASSWORD)
    body = client.get(f"/en/experts/{exposed_world['expert'].pk}/").content.decode()
    assert SECRETS["biography"] in body and SECRETS["link"] in body
    for field in ("email", "phone", "organisation"):
        assert SECRETS[field] not in body, field
