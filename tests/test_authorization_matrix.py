"""Every view and endpoint against every role, from one table.

Roles: anonymous, member (signed in, no profile), expert (an approved expert: the
target of the request below), other_expert (another approved expert), moderator and
admin (both with two-factor authentication). A row says which roles are allowed; all
others must be denied (a redirect to sign in, 403, 404 or the admin's refusal), and a
denied POST must change nothing.
"""

import pytest
from django.test import Client
from wagtail.models import Locale

from experts.exchanges import create_request
from experts.models import ExchangeRequest, ExpertProfile
from kx_platform.models import Country, Pillar
from practices.models import PracticeIndexPage
from tests.expert_factories import ExpertProfileFactory
from tests.factories import PASSWORD, PracticeFactory, UserFactory

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "member", "expert", "other_expert", "moderator", "admin"]
SIGNED_IN = ROLES[1:]
STAFF = ["moderator", "admin"]
ADMIN_USERS = ["expert", "other_expert", "moderator", "admin"]


@pytest.fixture
def world():
    users = {
        "member": UserFactory(username="m"),
        "moderator": UserFactory(username="mod", group="Moderators", totp=True),
        "admin": UserFactory(username="adm", is_superuser=True, is_staff=True, totp=True),
    }
    expert = ExpertProfileFactory(user=UserFactory(username="exp", group="Experts"))
    other = ExpertProfileFactory(user=UserFactory(username="oth", group="Experts"))
    applicant = ExpertProfileFactory(status="submitted")
    users["expert"], users["other_expert"] = expert.user, other.user
    request = create_request(
        users["member"],
        expert,
        topic="Prison reintegration",
        support_kind="mentoring",
        requesting_country=Country.objects.get(code="TD"),
        language="fr",
        message="Bonjour",
    )
    return {
        "users": users,
        "expert": expert,
        "applicant": applicant,
        "request": request,
        "practice": PracticeFactory(),
        "index": PracticeIndexPage.objects.get(locale=Locale.objects.get(language_code="en")),
        "pillar": Pillar.objects.get(number=1),
    }


def get(url, allowed):
    return {"method": "get", "url": url, "allowed": allowed}


def post(url, data, allowed, changed):
    return {"method": "post", "url": url, "data": data, "allowed": allowed, "changed": changed}


def accepted(w):
    return ExchangeRequest.objects.get(pk=w["request"].pk).state == "accepted"


def approved(w):
    return ExpertProfile.objects.get(pk=w["applicant"].pk).status == "approved"


def requested_by_other(w):
    return ExchangeRequest.objects.filter(expert=w["expert"]).count() > 1


MATRIX = {
    "home": lambda w: get("/en/", ROLES),
    "practice list": lambda w: get("/en/practices/?pillar=1", ROLES),
    "practice page": lambda w: get(w["practice"].url, ROLES),
    "search page": lambda w: get("/en/search/?q=prison", ROLES),
    "search api": lambda w: get("/api/v1/search?q=prison", ROLES),
    "roster": lambda w: get("/en/experts/", ROLES),
    "approved profile": lambda w: get(f"/en/experts/{w['expert'].pk}/", ROLES),
    "submitted profile": lambda w: get(f"/en/experts/{w['applicant'].pk}/", STAFF),
    "institutions": lambda w: get("/en/institutions/", ROLES),
    "apply": lambda w: get("/en/experts/apply/", SIGNED_IN),
    "my requests": lambda w: get("/en/experts/requests/", SIGNED_IN),
    "notifications": lambda w: get("/en/experts/notifications/", SIGNED_IN),
    "request page": lambda w: get(
        f"/en/experts/requests/{w['request'].pk}/", ["member", "expert", *STAFF]
    ),
    "accept a request": lambda w: post(
        f"/en/experts/requests/{w['request'].pk}/transition/",
        {"to_state": "accepted", "note": "Yes", "share_email": "on"},
        ["expert"],
        accepted,
    ),
    "request an exchange": lambda w: post(
        f"/en/experts/{w['expert'].pk}/request/",
        {
            "topic": "Youth",
            "support_kind": "training",
            "requesting_country": Country.objects.get(code="PE").pk,
            "language": "es",
            "message": "Hola",
        },
        ["member", "other_expert", *STAFF],  # anyone signed in but the expert themself
        requested_by_other,
    ),
    "admin dashboard": lambda w: get("/admin/", ADMIN_USERS),
    "add a practice": lambda w: get(
        f"/admin/pages/add/practices/goodpracticepage/{w['index'].pk}/", ADMIN_USERS
    ),
    "vetting queue": lambda w: get("/admin/experts/vetting/", STAFF),
    "approve an expert": lambda w: post(
        f"/admin/experts/vetting/{w['applicant'].pk}/",
        {"action": "approve", "reason": ""},
        STAFF,
        approved,
    ),
    "exchange requests admin": lambda w: get("/admin/experts/exchanges/", STAFF),
    "edit a pillar": lambda w: get(
        f"/admin/snippets/kx_platform/pillar/edit/{w['pillar'].pk}/", STAFF
    ),
}


def client_for(world, role):
    client = Client()
    if role != "anonymous":
        assert client.login(username=world["users"][role].username, password=PASSWORD)
    return client


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(MATRIX))
def test_authorization_matrix(world, name, role):
    case = MATRIX[name](world)
    allowed = role in case["allowed"]
    client = client_for(world, role)
    if case["method"] == "get":
        response = client.get(case["url"])
        assert (response.status_code == 200) == allowed, (name, role, response.status_code)
    else:
        response = client.post(case["url"], case["data"])
        assert response.status_code in (200, 302, 403, 404), (name, role, response.status_code)
        assert case["changed"](world) == allowed, (name, role, response.status_code)
