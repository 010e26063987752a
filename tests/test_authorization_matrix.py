"""Every view and endpoint against every role, from one table.

Roles: anonymous, member (signed in, no profile), expert (an approved expert: the
target of the request below), other_expert (another approved expert), moderator and
admin (both with two-factor authentication). A row says which roles are allowed; all
others must be denied (a redirect to sign in, 403, 404 or the admin's refusal), and a
denied POST must change nothing.
"""

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from wagtail.models import Locale

from experts.exchanges import create_request
from experts.models import ExchangeRequest, ExpertProfile, PrivacyPolicy
from kx_platform.models import Country, Pillar
from practices.models import PracticeIndexPage
from tests.expert_factories import ExpertProfileFactory, InstitutionFactory, image_bytes
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
    expert.photo.save("face.png", ContentFile(image_bytes()))  # members and up see it
    institution = InstitutionFactory(slug="sahel-centre")
    ExpertProfileFactory(institution=institution)
    request = create_request(
        users["member"],
        expert,
        topic="Prison reintegration",
        support_kind="mentoring",
        requesting_country=Country.objects.get(code="TD"),
        language="fr",
        message="Bonjour",
    )
    from experts.forum import posting
    from experts.forum.models import Category

    public_thread = posting.create_thread(
        expert.user,
        Category.objects.get(slug="general"),
        title="Open discussion on prisons",
        body="Public words",
        language="en",
    )
    room_thread = posting.create_thread(
        expert.user,
        Category.objects.get(slug="experts-room"),
        title="Experts only discussion",
        body="Room words",
        language="en",
    )
    members_thread = posting.create_thread(
        expert.user,
        Category.objects.get(slug="region-africa"),
        title="Members discussion here",
        body="Members words",
        language="en",
    )
    return {
        "public_thread": public_thread,
        "room_thread": room_thread,
        "members_thread": members_thread,
        "users": users,
        "expert": expert,
        "applicant": applicant,
        "request": request,
        "practice": PracticeFactory(),
        "index": PracticeIndexPage.objects.get(locale=Locale.objects.get(language_code="en")),
        "pillar": Pillar.objects.get(number=1),
        "institution": institution,
    }


def get(url, allowed):
    return {"method": "get", "url": url, "allowed": allowed}


def post(url, data, allowed, changed):
    return {"method": "post", "url": url, "data": data, "allowed": allowed, "changed": changed}


def accepted(w):
    return ExchangeRequest.objects.get(pk=w["request"].pk).state == "accepted"


def approved(w):
    return ExpertProfile.objects.get(pk=w["applicant"].pk).status == "approved"


def cancelled(w):
    return ExchangeRequest.objects.get(pk=w["request"].pk).state == "cancelled"


def requested_by_other(w):
    return ExchangeRequest.objects.filter(expert=w["expert"]).count() > 1


def replied(thread_key):
    def check(w):
        return w[thread_key].posts.count() > 1

    return check


def post_hidden(w):
    return w["public_thread"].posts.get(number=1).state == "hidden"


def thread_locked(w):
    from experts.forum.models import Thread

    return Thread.objects.get(pk=w["public_thread"].pk).is_locked


def reply_data():
    return {"body": "A reply from this role", "language": "en"}


EXPERTS_AND_STAFF = ["expert", "other_expert", *STAFF]


def exchange_record(w):
    """The South-South record of the member's request (the member is its recipient side)."""
    import datetime

    from experts.models import ExchangeRecord

    record, _ = ExchangeRecord.objects.get_or_create(
        request=w["request"],
        defaults={
            "provider_country": w["expert"].country,
            "recipient_country": Country.objects.get(code="TD"),
            "support_kind": "knowledge_sharing",
            "start_date": datetime.date(2025, 1, 1),
            "end_date": datetime.date(2025, 1, 2),
        },
    )
    return record


def record_confirmed(w):
    return exchange_record(w).status == "confirmed"


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
    "forum index": lambda w: get("/en/forum/", ROLES),
    "forum public category": lambda w: get("/en/forum/c/general/", ROLES),
    "forum members category": lambda w: get("/en/forum/c/region-africa/", SIGNED_IN),
    "forum experts room": lambda w: get("/en/forum/c/experts-room/", EXPERTS_AND_STAFF),
    "forum public thread": lambda w: get(w["public_thread"].get_absolute_url(), ROLES),
    "forum members thread": lambda w: get(w["members_thread"].get_absolute_url(), SIGNED_IN),
    "forum experts thread": lambda w: get(w["room_thread"].get_absolute_url(), EXPERTS_AND_STAFF),
    "forum new thread form (pillar)": lambda w: get("/en/forum/c/pillar-1/new/", EXPERTS_AND_STAFF),
    "forum new thread form (general)": lambda w: get("/en/forum/c/general/new/", SIGNED_IN),
    "forum reply (public, members may post)": lambda w: post(
        f"/en/forum/t/{w['public_thread'].pk}/reply/",
        reply_data(),
        EXPERTS_AND_STAFF + ["member"],
        replied("public_thread"),
    ),
    "forum reply (experts room)": lambda w: post(
        f"/en/forum/t/{w['room_thread'].pk}/reply/",
        reply_data(),
        EXPERTS_AND_STAFF,
        replied("room_thread"),
    ),
    "forum edit own post": lambda w: get(
        f"/en/forum/p/{w['public_thread'].posts.get(number=1).pk}/edit/", ["expert", *STAFF]
    ),
    "forum post history": lambda w: get(
        f"/en/forum/p/{w['public_thread'].posts.get(number=1).pk}/history/", STAFF
    ),
    "forum flag form": lambda w: get(
        f"/en/forum/p/{w['public_thread'].posts.get(number=1).pk}/flag/",
        ["member", "other_expert", *STAFF],
    ),
    "forum preferences": lambda w: get("/en/forum/preferences/", SIGNED_IN),
    "forum moderation queue": lambda w: get("/en/forum/moderation/", STAFF),
    "forum moderation log": lambda w: get("/en/forum/moderation/log/", STAFF),
    "forum moderate a user": lambda w: get(
        f"/en/forum/moderation/u/{w['users']['member'].pk}/", STAFF
    ),
    "forum hide a post": lambda w: post(
        f"/en/forum/moderation/p/{w['public_thread'].posts.get(number=1).pk}/",
        {"action": "hide", "reason": "Test"},
        STAFF,
        post_hidden,
    ),
    "forum lock a thread": lambda w: post(
        f"/en/forum/moderation/t/{w['public_thread'].pk}/",
        {"action": "lock", "reason": ""},
        STAFF,
        thread_locked,
    ),
    "cancel a request": lambda w: post(
        f"/en/experts/requests/{w['request'].pk}/transition/",
        {"to_state": "cancelled", "note": "No longer needed"},
        ["member", *STAFF],  # moderators close requests, giving a reason
        cancelled,
    ),
    "expert photo": lambda w: get(f"/en/experts/{w['expert'].pk}/photo/", SIGNED_IN),
    "institution page": lambda w: get(w["institution"].get_absolute_url(), ROLES),
    "request an institution": lambda w: get(
        f"{w['institution'].get_absolute_url()}request/", SIGNED_IN
    ),
    "my data": lambda w: get("/en/experts/account/data.json", SIGNED_IN),
    "delete my account": lambda w: get("/en/experts/account/delete/", SIGNED_IN),
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
    "vet a profile": lambda w: get(f"/admin/experts/vetting/{w['applicant'].pk}/", STAFF),
    "exchange requests admin": lambda w: get("/admin/experts/exchanges/", STAFF),
    "exchange request admin": lambda w: get(f"/admin/experts/exchanges/{w['request'].pk}/", STAFF),
    "close a request": lambda w: post(
        f"/admin/experts/exchanges/{w['request'].pk}/",
        {"reason": "Advertising"},
        STAFF,
        cancelled,
    ),
    "institutions admin": lambda w: get("/admin/snippets/experts/institution/", STAFF),
    "exchange records admin": lambda w: get("/admin/snippets/experts/exchangerecord/", STAFF),
    "export exchange records": lambda w: get("/admin/experts/exchange-records/export.csv", STAFF),
    "exchange dashboard": lambda w: get("/en/exchanges/dashboard/?year=2025&pillar=1", ROLES),
    "exchange dashboard csv": lambda w: get("/en/exchanges/dashboard.csv", ROLES),
    "exchange dashboard json": lambda w: get("/en/exchanges/dashboard.json", ROLES),
    "exchange records to confirm": lambda w: get("/en/exchanges/records/", SIGNED_IN),
    "exchange record page": lambda w: get(
        f"/en/exchanges/records/{exchange_record(w).pk}/", ["member"]
    ),
    "confirm an exchange record": lambda w: post(
        f"/en/exchanges/records/{exchange_record(w).pk}/",
        {"status": "confirmed", "reason": ""},
        ["member"],  # the recipient side only: not the provider, not moderators
        record_confirmed,
    ),
    "privacy policy": lambda w: get(
        f"/admin/settings/experts/privacypolicy/{PrivacyPolicy.load().pk}/", STAFF
    ),
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
