"""Exchange requests: lifecycle, permissions, limits, privacy of contacts, records."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from experts import exchanges
from experts.exchanges import create_request, transition
from experts.models import ExchangeEvent, ExchangeRecord, ExchangeRequest, Notification
from kx_platform.models import Country, Pillar
from tests.conftest import signed_in
from tests.expert_factories import ExpertProfileFactory, InstitutionFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ARABIC_TOPIC = "إعادة إدماج العائدين من مناطق النزاع"
SCRIPT = "<script>alert('x')</script>"


@pytest.fixture
def profile(db):
    return ExpertProfileFactory(phone="+254 20 555 0199")


@pytest.fixture
def requester(db):
    return UserFactory(username="policymaker", email="policymaker@ministry.example")


def ask(requester, target, **overrides):
    fields = {
        "topic": ARABIC_TOPIC,
        "support_kind": "training",
        "requesting_country": Country.objects.get(code="JO"),
        "language": "ar",
        "message": "We would like a training course for prison staff.",
    }
    fields.update(overrides)
    return create_request(requester, target, **fields)


def form_data(**overrides):
    data = {
        "topic": ARABIC_TOPIC,
        "support_kind": "peer_exchange",
        "requesting_country": "JO",
        "language": "ar",
        "start_date": "2026-03-01",
        "end_date": "2026-03-10",
        "message": "A study visit for our prison service.",
    }
    data.update(overrides)
    return data


def secrets_of(profile):
    return [profile.email, profile.user.email, profile.phone]


def assert_hidden(text, profile):
    for secret in secrets_of(profile):
        assert secret not in text


# --- Lifecycle -------------------------------------------------------------------------


def test_full_lifecycle(profile, requester, django_capture_on_commit_callbacks):
    client = signed_in(requester)
    page = client.get(profile.get_absolute_url()).content.decode()
    assert "Request an exchange" in page
    assert_hidden(page, profile)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/en/experts/{profile.pk}/request/", form_data())
    assert response.status_code == 302, response.content.decode()[:2000]
    req = ExchangeRequest.objects.get()
    assert response["Location"] == f"/en/experts/requests/{req.pk}/"
    assert (req.state, req.expert, req.requester) == ("requested", profile, requester)
    assert req.start_date == datetime.date(2026, 3, 1)

    # The expert is told, at their own account address; nothing about them goes back.
    assert [m.to for m in mail.outbox] == [[profile.user.email]]
    assert ARABIC_TOPIC in mail.outbox[0].subject
    assert requester.email not in mail.outbox[0].body
    assert Notification.objects.filter(user=profile.user, read_at=None).count() == 1
    assert not Notification.objects.filter(user=requester).exists()

    for url in (req.get_absolute_url(), "/en/experts/requests/", "/en/experts/notifications/"):
        assert_hidden(client.get(url).content.decode(), profile)

    expert_client = signed_in(profile.user)
    inbox = expert_client.get("/en/experts/requests/").content.decode()
    assert "Requests to me" in inbox and ARABIC_TOPIC in inbox
    detail = expert_client.get(req.get_absolute_url()).content.decode()
    assert requester.email not in detail  # shared only on acceptance
    assert "Accept" in detail and "Decline" in detail
    home = expert_client.get("/en/experts/notifications/").content.decode()
    assert 'class="badge">1<' in home

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = expert_client.post(
            f"/en/experts/requests/{req.pk}/transition/",
            {"to_state": "accepted", "share_email": "on", "share_phone": "on", "note": "Gladly."},
        )
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.state == "accepted"
    assert (req.shared_email, req.shared_phone) == (profile.email, profile.phone)
    assert req.requester_email == requester.email
    assert req.responder == profile
    assert [m.to for m in mail.outbox] == [[requester.email]]
    for message in mail.outbox:
        assert_hidden(message.subject + message.body, profile)
    assert Notification.objects.filter(user=requester).count() == 1

    # Both sides now see what was shared.
    mine = client.get(req.get_absolute_url()).content.decode()
    assert profile.email in mine and profile.phone in mine and "Gladly." in mine
    assert profile.user.email not in mine  # the account address is never shared
    assert requester.email in expert_client.get(req.get_absolute_url()).content.decode()

    response = client.post(f"/en/experts/requests/{req.pk}/transition/", {"to_state": "completed"})
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.state == "completed"
    assert list(req.events.values_list("from_state", "to_state")) == [
        ("", "requested"),
        ("requested", "accepted"),
        ("accepted", "completed"),
    ]
    assert [e.actor for e in req.events.all()] == [requester, profile.user, requester]
    assert Notification.objects.filter(user=profile.user).count() == 2

    record = ExchangeRecord.objects.get()
    assert (record.provider_country_id, record.recipient_country_id) == ("KE", "JO")
    assert record.support_kind == "knowledge_sharing"
    assert record.modality == "bilateral"
    assert (record.start_date, record.end_date) == (
        datetime.date(2026, 3, 1),
        datetime.date(2026, 3, 10),
    )
    assert record.request == req and record.expert == profile
    assert record.pillar == Pillar.objects.get(number=1)


def test_decline_tells_the_requester(profile, requester, django_capture_on_commit_callbacks):
    req = ask(requester, profile)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        transition(req, profile.user, "declined", "Not my field.")
    assert req.state == "declined"
    assert [m.to for m in mail.outbox] == [[requester.email]]
    assert_hidden(mail.outbox[0].body, profile)
    page = signed_in(requester).get(req.get_absolute_url()).content.decode()
    assert "Not my field." in page
    assert_hidden(page, profile)


def test_nothing_shared_is_refused(profile, requester):
    req = ask(requester, profile)
    with pytest.raises(ValidationError):
        transition(req, profile.user, "accepted")
    req.refresh_from_db()
    assert req.state == "requested" and req.shared_email == ""
    # Sharing the e-mail only leaves the phone out.
    transition(req, profile.user, "accepted", share_email=True)
    req.refresh_from_db()
    assert (req.shared_email, req.shared_phone) == (profile.email, "")


def test_requester_cancels(profile, requester):
    req = ask(requester, profile)
    transition(req, requester, "cancelled", "Found someone closer.")
    assert req.state == "cancelled"
    assert Notification.objects.filter(user=profile.user, text__contains="cancelled").exists()


def test_institution_request_is_answered_by_its_experts(
    requester, django_capture_on_commit_callbacks
):
    institution = InstitutionFactory()
    member_expert = ExpertProfileFactory(institution=institution)
    ExpertProfileFactory(institution=institution, status="suspended")
    with django_capture_on_commit_callbacks(execute=True):
        req = ask(requester, institution, support_kind="technical_assistance")
    assert [m.to for m in mail.outbox] == [[member_expert.user.email]]
    page = signed_in(member_expert.user).get("/en/experts/requests/").content.decode()
    assert ARABIC_TOPIC in page
    transition(req, member_expert.user, "accepted", share_email=True)
    transition(req, member_expert.user, "completed")
    record = ExchangeRecord.objects.get()
    assert record.provider_country_id == institution.country_id
    assert record.support_kind == "technical_cooperation"
    assert record.expert == member_expert


def test_institution_page_offers_the_form(client, requester):
    institution = InstitutionFactory()
    ExpertProfileFactory(institution=institution)
    anonymous = client.get(institution.get_absolute_url()).content.decode()
    assert "Sign in to request an exchange" in anonymous
    page = signed_in(requester).get(institution.get_absolute_url()).content.decode()
    assert f"/en/institutions/{institution.slug}/request/" in page
    # An institution without an approved expert cannot be requested.
    empty = InstitutionFactory()
    assert (
        "Request an exchange"
        not in signed_in(requester).get(empty.get_absolute_url()).content.decode()
    )
    assert signed_in(requester).get(f"/en/institutions/{empty.slug}/request/").status_code == 404


def test_anonymous_users_see_a_sign_in_link(client, profile):
    page = client.get(profile.get_absolute_url()).content.decode()
    assert "Sign in to request an exchange" in page
    assert "/en/account/login/?next=" in page
    response = client.get(f"/en/experts/{profile.pk}/request/")
    assert response.status_code == 302 and "/account/login/" in response["Location"]


# --- Forbidden moves -------------------------------------------------------------------


def _stranger():
    return UserFactory()


@pytest.mark.parametrize(
    ("setup", "actor", "to_state", "error"),
    [
        ([], "requester", "accepted", PermissionDenied),
        ([], "requester", "declined", PermissionDenied),
        ([], "expert", "cancelled", PermissionDenied),
        ([], "expert", "completed", ValidationError),
        ([], "requester", "completed", ValidationError),
        ([], "stranger", "cancelled", PermissionDenied),
        ([], "stranger", "accepted", PermissionDenied),
        ([], "moderator", "accepted", PermissionDenied),
        ([], "moderator", "cancelled", ValidationError),  # a reason is required
        ([], "expert", "requested", ValidationError),
        ([], "expert", "nonsense", ValidationError),
        (["declined"], "expert", "accepted", ValidationError),
        (["declined"], "requester", "cancelled", ValidationError),
        (["accepted"], "expert", "declined", ValidationError),
        (["accepted"], "expert", "cancelled", PermissionDenied),
        (["accepted"], "stranger", "completed", PermissionDenied),
        (["accepted", "completed"], "requester", "cancelled", ValidationError),
        (["accepted", "completed"], "moderator", "cancelled", ValidationError),
        (["cancelled"], "expert", "accepted", ValidationError),
    ],
)
def test_forbidden_transitions_change_nothing(
    profile, requester, moderator, setup, actor, to_state, error
):
    req = ask(requester, profile)
    by = {"expert": profile.user, "requester": requester}
    for state in setup:
        who = requester if state in ("cancelled", "completed") else profile.user
        transition(req, who, state, share_email=True)
    actors = {**by, "stranger": _stranger(), "moderator": moderator}
    before = (req.state, req.events.count(), Notification.objects.count(), len(mail.outbox))
    with pytest.raises(error):
        transition(req, actors[actor], to_state)
    req.refresh_from_db()
    after = (req.state, req.events.count(), Notification.objects.count(), len(mail.outbox))
    assert after == before


def test_strangers_cannot_read_or_act(client, profile, requester):
    req = ask(requester, profile)
    stranger = signed_in(_stranger())
    assert stranger.get(req.get_absolute_url()).status_code == 404
    response = stranger.post(
        f"/en/experts/requests/{req.pk}/transition/", {"to_state": "cancelled"}
    )
    assert response.status_code == 404
    assert client.get(req.get_absolute_url()).status_code == 302  # to sign in
    req.refresh_from_db()
    assert req.state == "requested"


def test_transitions_need_post(profile, requester):
    req = ask(requester, profile)
    response = signed_in(requester).get(f"/en/experts/requests/{req.pk}/transition/")
    assert response.status_code == 405


def test_wrong_actor_over_http_is_forbidden(profile, requester):
    req = ask(requester, profile)
    response = signed_in(requester).post(
        f"/en/experts/requests/{req.pk}/transition/", {"to_state": "accepted", "share_email": "on"}
    )
    assert response.status_code == 403
    req.refresh_from_db()
    assert req.state == "requested" and req.shared_email == ""


# --- Moderators ------------------------------------------------------------------------


def test_moderator_closes_an_abusive_request(profile, requester, moderator, moderator_client):
    req = ask(requester, profile, message="Spam spam spam")
    listing = moderator_client.get("/admin/experts/exchanges/?state=requested")
    assert listing.status_code == 200
    assert ARABIC_TOPIC in listing.content.decode()
    url = f"/admin/experts/exchanges/{req.pk}/"
    assert moderator_client.get(url).status_code == 200
    # A reason is required.
    response = moderator_client.post(url, {"reason": ""})
    assert response.status_code == 200
    req.refresh_from_db()
    assert req.state == "requested"

    response = moderator_client.post(url, {"reason": "Advertising, not a request."})
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.state == "cancelled"
    event = req.events.last()
    assert (event.actor, event.to_state, event.note) == (
        moderator,
        "cancelled",
        "Advertising, not a request.",
    )
    for user in (requester, profile.user):
        assert Notification.objects.filter(user=user, text__contains="moderator").exists()
    # Moderators may read the request on the site too.
    assert moderator_client.get(req.get_absolute_url()).status_code == 200
    assert "Advertising" in moderator_client.get(url).content.decode()


def test_moderator_admin_is_for_moderators_only(profile, requester):
    req = ask(requester, profile)
    for user in (profile.user, requester):
        client = signed_in(user)
        for url in ("/admin/experts/exchanges/", f"/admin/experts/exchanges/{req.pk}/"):
            assert client.get(url).status_code in (302, 403)
        client.post(f"/admin/experts/exchanges/{req.pk}/", {"reason": "gone"})
    req.refresh_from_db()
    assert req.state == "requested"


def test_moderators_can_enter_records(moderator_client):
    assert moderator_client.get("/admin/snippets/experts/exchangerecord/add/").status_code == 200


# --- Limits ----------------------------------------------------------------------------


def test_at_most_five_open_requests(profile, requester):
    for _ in range(exchanges.MAX_OPEN_REQUESTS):
        ask(requester, profile)
    response = signed_in(requester).post(f"/en/experts/{profile.pk}/request/", form_data())
    assert response.status_code == 400
    assert "the most allowed" in response.content.decode()
    assert ExchangeRequest.objects.count() == exchanges.MAX_OPEN_REQUESTS
    # An answered request no longer counts.
    transition(ExchangeRequest.objects.first(), profile.user, "declined")
    ask(requester, profile)


def test_rate_limit(profile, requester):
    for _ in range(exchanges.RATE_LIMIT):
        transition(ask(requester, profile), requester, "cancelled")
    response = signed_in(requester).post(f"/en/experts/{profile.pk}/request/", form_data())
    assert response.status_code == 400
    assert "in the last hour" in response.content.decode()
    assert ExchangeRequest.objects.count() == exchanges.RATE_LIMIT
    # Someone else is not limited.
    ask(UserFactory(), profile)


def test_no_request_to_oneself(profile):
    client = signed_in(profile.user)
    assert "Request an exchange" not in client.get(profile.get_absolute_url()).content.decode()
    assert client.post(f"/en/experts/{profile.pk}/request/", form_data()).status_code == 403
    with pytest.raises(ValidationError):
        ask(profile.user, profile)
    institution = InstitutionFactory()
    profile.institution = institution
    profile.save()
    with pytest.raises(ValidationError):
        ask(profile.user, institution)
    assert not ExchangeRequest.objects.exists()


@pytest.mark.parametrize("status", ["suspended", "submitted", "draft", "rejected"])
def test_unapproved_experts_cannot_be_requested(requester, status):
    profile = ExpertProfileFactory(status=status)
    response = signed_in(requester).post(f"/en/experts/{profile.pk}/request/", form_data())
    assert response.status_code == 404
    with pytest.raises(ValidationError):
        ask(requester, profile)
    assert not ExchangeRequest.objects.exists()


def test_unpublished_institution_cannot_be_requested(requester):
    institution = InstitutionFactory(is_published=False)
    ExpertProfileFactory(institution=institution)
    client = signed_in(requester)
    assert (
        client.post(f"/en/institutions/{institution.slug}/request/", form_data()).status_code == 404
    )
    with pytest.raises(ValidationError):
        ask(requester, institution)


def test_suspended_expert_cannot_accept(profile, requester):
    req = ask(requester, profile)
    profile.status = "suspended"
    profile.save()
    with pytest.raises(PermissionDenied):
        transition(req, profile.user, "accepted", share_email=True)
    req.refresh_from_db()
    assert req.state == "requested"


# --- Input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"start_date": "2026-05-10", "end_date": "2026-05-01"}, "cannot be before the start"),
        ({"message": "x" * 5001}, "at most 5000 characters"),
        ({"topic": "t" * 201}, "at most 200 characters"),
        ({"message": ""}, "This field is required"),
        ({"support_kind": "weapons"}, "Select a valid choice"),
        ({"language": "xx"}, "Select a valid choice"),
        ({"requesting_country": "ZZ"}, "Select a valid choice"),
    ],
)
def test_invalid_input_is_refused(profile, requester, overrides, error):
    response = signed_in(requester).post(
        f"/en/experts/{profile.pk}/request/", form_data(**overrides)
    )
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not ExchangeRequest.objects.exists()


def test_end_before_start_refused_by_the_model(profile, requester):
    with pytest.raises(ValidationError):
        ask(
            requester,
            profile,
            start_date=datetime.date(2026, 5, 10),
            end_date=datetime.date(2026, 5, 1),
        )
    assert not ExchangeRequest.objects.exists()


def test_html_in_the_message_is_shown_escaped(profile, requester):
    req = ask(requester, profile, message=f"Hello {SCRIPT}\nSecond line", topic=f"T {SCRIPT}")
    for user in (requester, profile.user):
        html = signed_in(user).get(req.get_absolute_url()).content.decode()
        assert SCRIPT not in html
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
        assert "<br>Second line" in html
    notifications = signed_in(profile.user).get("/en/experts/notifications/").content.decode()
    assert SCRIPT not in notifications


# --- Records ---------------------------------------------------------------------------


def test_record_needs_two_countries(profile):
    record = ExchangeRecord(
        provider_country_id="KE",
        recipient_country_id="KE",
        support_kind="financial",
        start_date=datetime.date(2025, 1, 1),
        end_date=datetime.date(2025, 2, 1),
    )
    with pytest.raises(ValidationError) as error:
        record.full_clean()
    assert "recipient_country" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        record.save()


def test_record_end_after_start():
    record = ExchangeRecord(
        provider_country_id="KE",
        recipient_country_id="JO",
        support_kind="in_kind",
        start_date=datetime.date(2025, 3, 1),
        end_date=datetime.date(2025, 2, 1),
    )
    with pytest.raises(ValidationError) as error:
        record.full_clean()
    assert "end_date" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        record.save()


def test_completion_within_one_country_makes_no_record(profile, requester):
    req = ask(requester, profile, requesting_country=Country.objects.get(code="KE"))
    transition(req, profile.user, "accepted", share_email=True)
    transition(req, profile.user, "completed")
    assert req.state == "completed"
    assert not ExchangeRecord.objects.exists()


def test_record_period_without_dates(profile, requester):
    req = ask(requester, profile, support_kind="financial")
    transition(req, profile.user, "accepted", share_phone=True)
    transition(req, profile.user, "completed")
    record = ExchangeRecord.objects.get()
    assert record.start_date == record.end_date  # accepted and completed today
    assert record.support_kind == "financial"
    assert Notification.objects.filter(user=requester, text__contains="completed").exists()


# --- Notifications ---------------------------------------------------------------------


def test_notifications_page_and_unread_count(profile, requester):
    ask(requester, profile)
    ask(requester, profile, topic="Second")
    client = signed_in(profile.user)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(profile.get_absolute_url()).content.decode()
    assert 'class="badge">2<' in page
    # The count in the navigation is one query.
    assert len([q for q in queries if "experts_notification" in q["sql"]]) == 1
    page = client.get("/en/experts/notifications/").content.decode()
    assert 'class="badge">2<' in page
    assert "Second" in page
    assert client.post("/en/experts/notifications/").status_code == 302
    assert not Notification.objects.filter(user=profile.user, read_at=None).exists()
    assert 'class="badge"' not in client.get("/en/experts/notifications/").content.decode()
    assert signed_in(requester).get("/en/experts/notifications/").status_code == 200


def test_notifications_need_sign_in(client):
    assert client.get("/en/experts/notifications/").status_code == 302
    assert client.get("/en/experts/requests/").status_code == 302


def test_history_rows_are_written_atomically(profile, requester, monkeypatch):
    req = ask(requester, profile)

    def boom(*args, **kwargs):
        raise RuntimeError("mail server down")

    monkeypatch.setattr(ExchangeEvent.objects, "create", boom)
    with pytest.raises(RuntimeError):
        transition(req, profile.user, "declined")
    req.refresh_from_db()
    assert req.state == "requested"


def test_an_institution_with_requests_cannot_be_deleted(requester, admin_user):
    """Its requests are the requesters' history: the admin refuses, nothing is lost."""
    institution = InstitutionFactory()
    ExpertProfileFactory(institution=institution)
    request = ask(requester, institution)
    browser = signed_in(admin_user)
    url = f"/admin/snippets/experts/institution/delete/{institution.pk}/"
    assert browser.get(url).status_code == 200
    response = browser.post(url, follow=True)
    assert response.status_code == 200
    assert "cannot be deleted" in response.content.decode()
    request.refresh_from_db()
    assert request.institution == institution
