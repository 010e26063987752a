"""Members download their data as JSON and can delete their account."""

import json
import sqlite3

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from experts.account_data import delete_account, export_user_data
from experts.exchanges import create_request, transition
from experts.models import (
    ExchangeRecord,
    ExchangeRequest,
    ExpertLanguage,
    ExpertLink,
    ExpertProfile,
    Notification,
)
from kx_platform.models import Country
from tests.conftest import drain_search, signed_in
from tests.expert_factories import ExpertProfileFactory
from tests.factories import PASSWORD, PracticeFactory, UserFactory

pytestmark = pytest.mark.django_db

ARABIC_BIO = "خبير في إعادة إدماج العائدين"
DATA_URL = "/en/experts/account/data.json"
DELETE_URL = "/en/experts/account/delete/"


@pytest.fixture
def profile(expert):
    return ExpertProfileFactory(
        user=expert, biography=ARABIC_BIO, email="hidden@expert.example", phone="+254 20 1"
    )


def ask(requester, profile):
    return create_request(
        requester,
        profile,
        topic="إعادة الإدماج",
        support_kind="training",
        requesting_country=Country.objects.get(code="JO"),
        language="ar",
        message="A training course, please.",
    )


def expert_documents(search_index, pk):
    with sqlite3.connect(search_index.path) as conn:
        rows = conn.execute(
            "SELECT doc_id FROM docs WHERE content_type LIKE '%expert%' AND object_id = ?",
            (pk,),
        ).fetchall()
    return rows


def test_export_has_the_owners_private_fields_and_arabic_intact(profile, expert_client):
    response = expert_client.get(DATA_URL)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith("attachment")
    body = response.content.decode("utf-8")
    assert ARABIC_BIO in body  # ensure_ascii=False
    data = json.loads(body)
    assert data["account"]["username"] == "expert"
    assert data["account"]["email_addresses"][0]["email"] == "expert@example.org"
    assert data["expert_profile"]["email"] == "hidden@expert.example"
    assert data["expert_profile"]["phone"] == "+254 20 1"
    assert data["expert_profile"]["languages"] == [{"language": "ar", "level": "native"}]
    assert data["expert_profile"]["links"][0]["url"] == "https://example.org/report"


def test_another_user_gets_only_their_own_data(profile, member):
    response = signed_in(member).get(DATA_URL)
    body = response.content.decode("utf-8")
    assert "hidden@expert.example" not in body and ARABIC_BIO not in body
    data = json.loads(body)
    assert data["account"]["username"] == "member"
    assert data["expert_profile"] is None


def test_export_lists_requests_decisions_and_practices(profile, member, moderator):
    from experts.vetting import decide

    decide(profile, moderator, "suspend", reason="Checking references")
    decide(profile, moderator, "reinstate")
    ask(member, profile)
    PracticeFactory(title="Prison programme", owner=profile.user)
    data = json.loads(json.dumps(export_user_data(profile.user)))
    decisions = data["expert_profile"]["vetting_decisions"]
    assert {d["action"] for d in decisions} == {"suspend", "reinstate"}
    assert all(d["by"] == "moderator" for d in decisions)
    assert moderator.email not in json.dumps(data)
    assert data["exchange_requests_received"][0]["topic"] == "إعادة الإدماج"
    assert data["exchange_requests_received"][0]["events"]
    assert data["practices"][0]["title"] == "Prison programme"
    assert data["practices"][0]["live"] is True
    member_data = export_user_data(member)
    assert member_data["exchange_requests_made"][0]["state"] == "requested"


def test_export_needs_sign_in(client):
    response = client.get(DATA_URL)
    assert response.status_code == 302


def test_wrong_password_changes_nothing(profile, expert_client):
    response = expert_client.post(
        DELETE_URL, {"username": "expert", "password": "wrong"}, follow=True
    )
    assert response.status_code == 200
    assert "not deleted" in response.content.decode()
    assert get_user_model().objects.filter(username="expert").exists()
    assert ExpertProfile.objects.filter(pk=profile.pk).exists()


def test_wrong_username_changes_nothing(profile, expert_client):
    expert_client.post(DELETE_URL, {"username": "someone", "password": PASSWORD})
    assert get_user_model().objects.filter(username="expert").exists()


def test_deletion(profile, expert, expert_client, search_index, client):
    other = ExpertProfileFactory()
    request = ask(expert, other)
    practice = PracticeFactory(title="Community reintegration", owner=expert)
    drain_search()
    assert expert_documents(search_index, profile.pk)
    page = expert_client.get(DELETE_URL)
    assert page.status_code == 200

    response = expert_client.post(DELETE_URL, {"username": "expert", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/en/"
    drain_search()

    assert not get_user_model().objects.filter(username="expert").exists()
    assert not ExpertProfile.objects.filter(pk=profile.pk).exists()
    assert not ExpertLanguage.objects.filter(profile_id=profile.pk).exists()
    assert not ExpertLink.objects.filter(profile_id=profile.pk).exists()
    assert expert_documents(search_index, profile.pk) == []
    # Signed out.
    assert expert_client.get(DATA_URL).status_code == 302

    practice.refresh_from_db()
    assert practice.live and practice.owner is None
    assert client.get(practice.url).status_code == 200

    request = ExchangeRequest.objects.get(pk=request.pk)
    assert request.requester is None and request.requester_email == ""
    detail = signed_in(other.user).get(reverse("exchange_detail", kwargs={"pk": request.pk}))
    assert detail.status_code == 200
    assert "a former member" in detail.content.decode()


def test_photo_file_is_removed(expert, django_capture_on_commit_callbacks):
    from django.core.files.base import ContentFile

    from tests.expert_factories import image_bytes

    profile = ExpertProfileFactory(user=expert)
    profile.photo.save("face.png", ContentFile(image_bytes()))
    storage, name = profile.photo.storage, profile.photo.name
    assert storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        delete_account(expert)
    assert not storage.exists(name)


@pytest.mark.parametrize("who", ["moderator", "admin_user"])
def test_moderators_and_admins_are_refused(who, request):
    user = request.getfixturevalue(who)
    client = signed_in(user)
    page = client.get(DELETE_URL)
    assert "cannot delete their own account" in page.content.decode()
    response = client.post(
        DELETE_URL, {"username": user.username, "password": PASSWORD}, follow=True
    )
    assert "cannot delete their own account" in response.content.decode()
    assert get_user_model().objects.filter(pk=user.pk).exists()


def test_manage_pages_link_to_both(expert_client):
    body = expert_client.get("/en/account/email/").content.decode()
    assert DATA_URL in body and DELETE_URL in body


# --- What others keep when an account goes ---------------------------------------------


def accepted_and_completed(requester, profile):
    req = ask(requester, profile)
    transition(req, profile.user, "accepted", "With pleasure.", share_email=True, share_phone=True)
    transition(req, requester, "completed")
    return req


def test_deleting_an_expert_keeps_the_requesters_history(profile, member, moderator):
    done = accepted_and_completed(member, profile)
    waiting = ask(member, profile)
    record = ExchangeRecord.objects.get(request=done)
    secrets = [profile.email, profile.phone, profile.user.email, profile.display_name]
    assert profile.email in signed_in(member).get(done.get_absolute_url()).content.decode()

    delete_account(profile.user)

    done.refresh_from_db()
    assert done.expert is None and done.responder is None and done.state == "completed"
    assert (done.shared_email, done.shared_phone) == ("", "")
    assert done.requester == member and done.message == "A training course, please."
    assert list(done.events.values_list("to_state", flat=True)) == [
        "requested",
        "accepted",
        "completed",
    ]
    assert done.events.get(to_state="accepted").note == "With pleasure."
    record.refresh_from_db()
    assert record.request == done and record.expert is None
    assert (record.provider_country_id, record.recipient_country_id) == ("KE", "JO")

    # An open request is closed in the expert's name, and the requester is told.
    waiting.refresh_from_db()
    assert waiting.state == "cancelled"
    last = waiting.events.last()
    assert (last.from_state, last.to_state, last.actor) == ("requested", "cancelled", None)
    assert Notification.objects.filter(user=member, text__contains="left the platform").exists()

    browser = signed_in(member)
    for url in (done.get_absolute_url(), waiting.get_absolute_url(), "/en/experts/requests/"):
        response = browser.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert "a former member" in html, url
        for secret in secrets:
            assert secret not in html, (url, secret)
    assert "With pleasure." in browser.get(done.get_absolute_url()).content.decode()
    staff = signed_in(moderator)
    for url in ("/admin/experts/exchanges/", f"/admin/experts/exchanges/{done.pk}/"):
        assert staff.get(url).status_code == 200, url
    exported = export_user_data(member)["exchange_requests_made"]
    assert {r["target"] for r in exported} == {"former member"}
    assert all(r["shared_email"] == "" for r in exported)


def test_deleting_a_member_keeps_the_experts_history(profile, member):
    done = accepted_and_completed(member, profile)
    waiting = ask(member, profile)
    assert done.requester_email == member.email

    delete_account(member)

    done.refresh_from_db()
    assert done.requester is None and done.requester_email == ""
    assert done.state == "completed" and done.expert == profile
    assert ExchangeRecord.objects.filter(request=done, expert=profile).exists()
    assert [e.actor for e in done.events.all()] == [None, profile.user, None]
    waiting.refresh_from_db()
    assert waiting.state == "cancelled"
    assert Notification.objects.filter(
        user=profile.user, text__contains="left the platform"
    ).exists()
    browser = signed_in(profile.user)
    for url in (done.get_absolute_url(), waiting.get_absolute_url(), "/en/experts/requests/"):
        html = browser.get(url).content.decode()
        assert "إعادة الإدماج" in html, url
        assert member.email not in html and member.get_full_name() not in html, url
    assert "a former member" in browser.get(done.get_absolute_url()).content.decode()
    # The expert's own export still holds the request, from a former member.
    received = export_user_data(profile.user)["exchange_requests_received"]
    assert {r["id"] for r in received} == {done.pk, waiting.pk}
    assert received[0]["events"][0]["by"] == "former member"


def test_nobody_inherits_a_deleted_members_requests(profile, member):
    """A newcomer who picks a name like the old placeholder's gets nothing."""
    req = accepted_and_completed(member, profile)
    delete_account(member)
    newcomer = UserFactory(username="former-member")
    assert not ExchangeRequest.objects.filter(requester=newcomer).exists()
    assert signed_in(newcomer).get(req.get_absolute_url()).status_code == 404


def test_contributions_stay_readable_without_the_expert(profile, client):
    practice = PracticeFactory(title="Prison reintegration in Kenya", owner=profile.user)
    practice.contact_experts = [profile]
    practice.save_revision(user=profile.user).publish()
    assert profile.display_name in client.get(practice.url).content.decode()

    delete_account(profile.user)

    practice.refresh_from_db()
    assert practice.live and practice.owner is None
    response = client.get(practice.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Prison reintegration in Kenya" in html and profile.display_name not in html
    # Its revisions named the expert: they still load and publish.
    revision = practice.get_latest_revision()
    assert revision.user is None
    assert list(revision.as_object().contact_experts.all()) == []
    revision.publish()
    assert client.get(practice.url).status_code == 200
