"""Over-long text and HTML or script in every free-text field of every roster form.

One table: each row names a form, a field and its length limit, and whether markup in it
is refused (an address, a phone, a slug) or accepted as text. For every row:

* one character over the limit is refused: the form comes back with an error on that
  field and nothing is saved;
* `<script>` and `<img onerror>` are either refused the same way, or saved and then never
  appear raw in any page that shows them (the resubmitted form included): escaped or
  sanitized, the property holds either way.

A last test checks that the table covers every text field those forms have, each with a
length limit, so a field added later cannot slip through.
"""

from types import SimpleNamespace

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.test import Client

from experts.exchanges import create_request
from experts.models import (
    ExchangeEvent,
    ExchangeRequest,
    ExpertProfile,
    Institution,
    VettingDecision,
)
from experts.vetting import decide
from kx_platform.models import Country
from tests.conftest import drain_search, signed_in
from tests.expert_factories import ExpertProfileFactory
from tests.factories import PASSWORD, PracticeFactory, UserFactory

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
PAYLOADS = {"script": SCRIPT, "img": IMG}
RAW = [SCRIPT, "<img src=x"]
PUBLIC = {
    name: "public"
    for name in (
        "organisation",
        "institution",
        "country",
        "biography",
        "links",
        "languages",
        "years_of_experience",
        "availability",
    )
} | {"photo": "members"}


def anonymous():
    return Client()


def too_long(field, limit):
    """A value one character over `limit`, valid in every other respect."""
    if field in ("email",):
        return "a" * (limit + 1 - len("@example.org")) + "@example.org"
    if field in ("website", "links-0-url"):
        return "https://example.org/" + "a" * (limit + 1 - len("https://example.org/"))
    if field == "phone":
        return "+254 " + "1" * (limit + 1 - 5)
    if field == "slug":
        return "s" * (limit + 1)
    return "x" * (limit + 1)


def form_errors(response, field):
    """The errors the re-displayed form shows for `field` (formset fields included)."""
    context = response.context
    if field.startswith("links-"):
        return context["links"].forms[0].errors.get(field.split("-", 2)[2], [])
    return context["form"].errors.get(field, []) or context["form"].non_field_errors()


# --- The forms -------------------------------------------------------------------------
# Each: submit(world, field, value) -> response; saved(world) -> bool;
# pages(world) -> [(client, url)] where the saved value is shown.


class Application:
    """The expert application and profile form, with its links formset."""

    def submit(self, w, field, value):
        from tests.test_experts import APPLY, application, pillar_pks

        w.applicant = UserFactory()
        w.browser = signed_in(w.applicant)
        data = application(pillars=pillar_pks([1, 4]), regions=[], **PUBLIC_VISIBILITY)
        data[field] = value
        return w.browser.post(APPLY, data)

    def saved(self, w):
        return ExpertProfile.objects.filter(user=w.applicant).exists()

    def pages(self, w):
        profile = ExpertProfile.objects.get(user=w.applicant)
        decide(profile, w.moderator, "approve")
        practice = PracticeFactory(title="Prison reintegration")
        practice.contact_experts = [profile]
        practice.save_revision().publish()
        drain_search()
        url = profile.get_absolute_url()
        return [
            (w.browser, "/en/experts/apply/"),
            (anonymous(), url),
            (signed_in(w.member), url),
            (signed_in(w.member), f"{url}request/"),
            (anonymous(), "/en/experts/"),
            (anonymous(), "/en/experts/?q=alert"),
            (anonymous(), "/en/search/?q=alert"),
            (anonymous(), "/api/v1/search?q=rehabilitation&type=expert"),  # its HTML fields
            (anonymous(), practice.url),
            (signed_in(w.moderator), f"/admin/experts/vetting/{profile.pk}/"),
            (signed_in(w.moderator), "/admin/experts/vetting/?status=approved"),
        ]


PUBLIC_VISIBILITY = {f"visibility_{name}": tier for name, tier in PUBLIC.items()}


class InstitutionAdmin:
    """A centre of excellence, as moderators add it in the admin."""

    def submit(self, w, field, value):
        data = {
            "name": "Sahel Centre",
            "slug": "sahel-centre",
            "kind": "research_centre",
            "country": "NE",
            "themes": "youth",
            "website": "https://sahel.example.org/",
            "description": "Trains prison staff.",
            "is_published": "on",
        }
        data[field] = value
        w.before = Institution.objects.count()
        return signed_in(w.moderator).post("/admin/snippets/experts/institution/add/", data)

    def saved(self, w):
        return Institution.objects.count() > w.before

    def pages(self, w):
        institution = Institution.objects.get()
        expert = ExpertProfileFactory(institution=institution, visibility=PUBLIC)
        drain_search()
        member = signed_in(w.member)
        return [
            (anonymous(), "/en/institutions/"),
            (anonymous(), institution.get_absolute_url()),
            (member, f"{institution.get_absolute_url()}request/"),
            (anonymous(), expert.get_absolute_url()),
            (anonymous(), "/en/experts/"),
            (member, "/en/experts/apply/"),
            (signed_in(w.moderator), "/admin/snippets/experts/institution/"),
        ]


class RequestForm:
    """A member asks an expert for an exchange."""

    def submit(self, w, field, value):
        data = {
            "topic": "Prison reintegration",
            "support_kind": "training",
            "requesting_country": "JO",
            "language": "ar",
            "message": "A training course for prison staff.",
        }
        data[field] = value
        return signed_in(w.member).post(f"/en/experts/{w.expert.pk}/request/", data)

    def saved(self, w):
        return ExchangeRequest.objects.exists()

    def pages(self, w):
        url = ExchangeRequest.objects.get().get_absolute_url()
        member, expert = signed_in(w.member), signed_in(w.expert.user)
        staff = signed_in(w.moderator)
        req = ExchangeRequest.objects.get()
        return [
            (member, url),
            (expert, url),
            (member, "/en/experts/requests/"),
            (expert, "/en/experts/requests/"),
            (expert, "/en/experts/notifications/"),
            (staff, "/admin/experts/exchanges/"),
            (staff, f"/admin/experts/exchanges/{req.pk}/"),
        ]


def open_request(w):
    return create_request(
        w.member,
        w.expert,
        topic="Prison reintegration",
        support_kind="training",
        requesting_country=Country.objects.get(code="JO"),
        language="ar",
        message="A training course for prison staff.",
    )


class Answer:
    """The expert accepts or declines with a message."""

    def __init__(self, to_state):
        self.to_state = to_state

    def submit(self, w, field, value):
        w.req = open_request(w)
        data = {"to_state": self.to_state, field: value, "share_email": "on"}
        return signed_in(w.expert.user).post(f"/en/experts/requests/{w.req.pk}/transition/", data)

    def saved(self, w):
        return ExchangeEvent.objects.filter(request=w.req, to_state=self.to_state).exists()

    def pages(self, w):
        url = w.req.get_absolute_url()
        return [
            (signed_in(w.member), url),
            (signed_in(w.expert.user), url),
            (signed_in(w.moderator), f"/admin/experts/exchanges/{w.req.pk}/"),
        ]


class CloseRequest:
    """A moderator closes an abusive request, with a reason both parties read."""

    def submit(self, w, field, value):
        w.req = open_request(w)
        return signed_in(w.moderator).post(f"/admin/experts/exchanges/{w.req.pk}/", {field: value})

    def saved(self, w):
        return ExchangeRequest.objects.filter(pk=w.req.pk, state="cancelled").exists()

    def pages(self, w):
        return [
            (signed_in(w.moderator), f"/admin/experts/exchanges/{w.req.pk}/"),
            (signed_in(w.member), w.req.get_absolute_url()),
            (signed_in(w.expert.user), w.req.get_absolute_url()),
        ]


class VettingReason:
    """A moderator asks an applicant for more information; the applicant reads why."""

    def submit(self, w, field, value):
        w.applicant = ExpertProfileFactory(status="submitted")
        return signed_in(w.moderator).post(
            f"/admin/experts/vetting/{w.applicant.pk}/", {"action": "request_info", field: value}
        )

    def saved(self, w):
        return VettingDecision.objects.filter(profile=w.applicant).exists()

    def pages(self, w):
        return [
            (signed_in(w.moderator), f"/admin/experts/vetting/{w.applicant.pk}/"),
            (signed_in(w.applicant.user), "/en/experts/apply/"),
        ]


class Signup:
    def submit(self, w, field, value):
        data = {
            "email": "newcomer@example.org",
            "username": "newcomer",
            "password1": PASSWORD,
            "password2": PASSWORD,
        }
        data[field] = value
        w.value = value
        return Client().post("/en/account/signup/", data)

    def saved(self, w):
        return get_user_model().objects.filter(date_joined__isnull=False).count() > 3

    def pages(self, w):
        return []


class AddEmail:
    def submit(self, w, field, value):
        return signed_in(w.member).post("/en/account/email/", {field: value, "action_add": ""})

    def saved(self, w):
        return EmailAddress.objects.filter(user=w.member).count() > 1

    def pages(self, w):
        return [(signed_in(w.member), "/en/account/email/")]


class Login:
    def submit(self, w, field, value):
        return Client().post("/en/account/login/", {field: value, "password": PASSWORD})

    def saved(self, w):
        return False  # nothing to save; the form must still come back with an error

    def pages(self, w):
        return []


class PasswordReset:
    def submit(self, w, field, value):
        return Client().post("/en/account/password/reset/", {field: value})

    def saved(self, w):
        from django.core import mail

        return bool(mail.outbox)

    def pages(self, w):
        return []


class DeleteAccount:
    def submit(self, w, field, value):
        return signed_in(w.member).post(
            "/en/experts/account/delete/", {field: value, "password": PASSWORD}
        )

    def saved(self, w):
        return not get_user_model().objects.filter(pk=w.member.pk).exists()

    def pages(self, w):
        return []


FORMS = {
    "application": Application(),
    "institution": InstitutionAdmin(),
    "request": RequestForm(),
    "accept": Answer("accepted"),
    "decline": Answer("declined"),
    "close": CloseRequest(),
    "vetting": VettingReason(),
    "signup": Signup(),
    "add_email": AddEmail(),
    "login": Login(),
    "password_reset": PasswordReset(),
    "delete_account": DeleteAccount(),
}

TEXT, REFUSED = "text", "refused"  # what becomes of markup in the field

# (form, field, length limit, markup)
FIELDS = [
    ("application", "display_name", 150, TEXT),
    ("application", "professional_title", 200, TEXT),
    ("application", "organisation", 200, TEXT),
    ("application", "biography", 5000, TEXT),
    ("application", "themes", 100, TEXT),  # per theme
    ("application", "email", 254, REFUSED),
    ("application", "phone", 30, REFUSED),
    ("application", "links-0-title", 200, TEXT),
    ("application", "links-0-url", 500, REFUSED),
    ("institution", "name", 200, TEXT),
    ("institution", "slug", 200, REFUSED),
    ("institution", "themes", 100, TEXT),  # per theme
    ("institution", "website", 500, REFUSED),
    ("institution", "description", 2000, TEXT),
    ("request", "topic", 200, TEXT),
    ("request", "message", 5000, TEXT),
    ("accept", "note", 2000, TEXT),
    ("decline", "note", 2000, TEXT),
    ("close", "reason", 2000, TEXT),
    ("vetting", "reason", 2000, TEXT),
    ("signup", "username", 150, REFUSED),
    ("signup", "email", 254, REFUSED),
    ("add_email", "email", 254, REFUSED),
    ("login", "login", 254, REFUSED),
    ("password_reset", "email", 254, REFUSED),
    ("delete_account", "username", 150, REFUSED),
]
IDS = [f"{form}.{field}" for form, field, _limit, _markup in FIELDS]


@pytest.fixture
def world(moderator, member):
    return SimpleNamespace(
        moderator=moderator,
        member=member,
        expert=ExpertProfileFactory(visibility=PUBLIC, phone="+254 20 555 0100"),
    )


def assert_never_raw(response, url=""):
    if url.startswith("/api/"):
        # JSON: "title" is plain text for the client to escape; these two are HTML.
        hits = response.json()["hits"]
        assert hits, url
        html = " ".join(f"{hit['title_html']} {hit['snippet']}" for hit in hits)
    else:
        html = response.content.decode()
    for raw in RAW:
        assert raw not in html, (url, raw)


def assert_refused(form, world, response, field):
    assert response.status_code in (200, 400), response.status_code
    assert form_errors(response, field), f"no error shown for {field}"
    assert not form.saved(world)


@pytest.mark.parametrize(("name", "field", "limit", "markup"), FIELDS, ids=IDS)
def test_over_long_input_is_refused_and_nothing_is_saved(world, name, field, limit, markup):
    form = FORMS[name]
    response = form.submit(world, field, too_long(field, limit))
    assert_refused(form, world, response, field)


@pytest.mark.parametrize("payload", list(PAYLOADS.values()), ids=list(PAYLOADS))
@pytest.mark.parametrize(("name", "field", "limit", "markup"), FIELDS, ids=IDS)
def test_markup_is_refused_or_never_rendered_raw(world, name, field, limit, markup, payload):
    form = FORMS[name]
    # Words around the markup, so that a sanitizer that strips it still leaves a value.
    response = form.submit(world, field, f"Rehabilitation {payload} programme")
    assert_never_raw(response, "the submission's answer")
    if markup == REFUSED:
        assert_refused(form, world, response, field)
        return
    assert response.status_code == 302, form_errors(response, field)
    assert form.saved(world)
    for client, url in form.pages(world):
        page = client.get(url)
        assert page.status_code == 200, url
        assert_never_raw(page, url)


def test_the_table_covers_every_text_field_with_a_limit(member):
    from allauth.account.forms import AddEmailForm, LoginForm, ResetPasswordForm, SignupForm
    from allauth.account.forms import app_settings as allauth_settings
    from allauth.utils import get_form_class
    from django import forms
    from wagtail.admin.panels import get_edit_handler

    from experts.account_views import DeleteAccountForm
    from experts.exchange_forms import CloseForm, ExchangeRequestForm, TransitionForm
    from experts.forms import DecisionForm, ExpertProfileForm, LinkForm

    def allauth(form_id, default, **kwargs):
        return get_form_class(allauth_settings.FORMS, form_id, default)(**kwargs)

    instances = {
        "application": [ExpertProfileForm(), LinkForm()],
        "institution": [get_edit_handler(Institution).get_form_class()()],
        "request": [ExchangeRequestForm()],
        "accept": [TransitionForm()],
        "close": [CloseForm()],
        "vetting": [DecisionForm()],
        "signup": [allauth("signup", SignupForm)],
        "add_email": [allauth("add_email", AddEmailForm, user=member)],
        "login": [allauth("login", LoginForm, request=None)],
        "password_reset": [allauth("reset_password", ResetPasswordForm)],
        "delete_account": [DeleteAccountForm(member)],
    }
    table = {(form, field.removeprefix("links-0-")): limit for form, field, limit, _m in FIELDS}
    for name, form_instances in instances.items():
        for form in form_instances:
            for field_name, field in form.fields.items():
                if not isinstance(field, forms.CharField) or field_name.startswith("password"):
                    continue
                assert (name, field_name) in table, f"{name}.{field_name} is not in the table"
                if field_name == "themes":
                    continue  # tags: limited per theme by the form's clean_themes
                assert field.max_length == table[name, field_name], f"{name}.{field_name}"
