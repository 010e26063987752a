"""Accounts (django-allauth): sign-up with e-mail verification, sign-in by username or
e-mail, throttled failures, password reset, and two-factor authentication, which
moderators and administrators must set up before they can use the platform."""

import re

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client

from tests.factories import PASSWORD, TOTP_SECRET, UserFactory, totp_code

LOGIN = "/en/account/login/"
SIGNUP = "/en/account/signup/"
LOGOUT = "/en/account/logout/"
TOTP_ACTIVATE = "/en/account/2fa/totp/activate/"
MFA_AUTHENTICATE = "/en/account/2fa/authenticate/"
REAUTHENTICATE = "/en/account/reauthenticate/"


def sign_in(client, login, password=PASSWORD):
    return client.post(LOGIN, {"login": login, "password": password})


def reauthenticate(client, password=PASSWORD):
    """allauth asks for the password again before an authenticator is added."""
    response = client.get(TOTP_ACTIVATE)
    assert response.status_code == 302
    assert response["Location"].startswith(REAUTHENTICATE)
    response = client.post(response["Location"], {"password": password})
    assert response["Location"] == TOTP_ACTIVATE


def user_id(client):
    return client.session.get("_auth_user_id")


@pytest.mark.django_db
def test_sign_up_sends_a_verification_email_and_sign_in_waits_for_it():
    client = Client()
    response = client.post(
        SIGNUP,
        {
            "email": "hanan@ministry.example",
            "username": "hanan",
            "password1": "Tilapia-orbit-57",
            "password2": "Tilapia-orbit-57",
        },
    )
    assert response.status_code == 302
    assert user_id(client) is None  # not signed in before the address is verified
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["hanan@ministry.example"]
    link = re.search(r"https?://[^/\s]+(/en/account/confirm-email/\S+/)", message.body).group(1)

    # Unverified: signing in sends the user to "verify your address", not in.
    response = sign_in(Client(), "hanan", "Tilapia-orbit-57")
    assert response.status_code == 302
    assert "/account/confirm-email/" in response["Location"]

    verifier = Client()
    assert verifier.get(link).status_code == 200
    assert verifier.post(link).status_code == 302
    user = get_user_model().objects.get(username="hanan")
    assert user.emailaddress_set.get().verified

    signed = Client()
    response = sign_in(signed, "hanan@ministry.example", "Tilapia-orbit-57")
    assert response.status_code == 302
    assert user_id(signed) == str(user.pk)


@pytest.mark.django_db
def test_an_unverified_account_cannot_sign_in():
    user = UserFactory(verified=False)
    client = Client()
    response = sign_in(client, user.username)
    assert "/account/confirm-email/" in response["Location"]
    assert user_id(client) is None
    assert mail.outbox  # a new verification e-mail is sent


@pytest.mark.parametrize("by", ["username", "email"])
def test_sign_in_by_username_or_email(member, by):
    client = Client()
    response = sign_in(client, getattr(member, by))
    assert response.status_code == 302
    assert user_id(client) == str(member.pk)


def test_members_sign_in_and_sign_out(member):
    client = Client()
    sign_in(client, member.username)
    page = client.get("/en/").content.decode()
    assert "Sign out" in page
    response = client.post(LOGOUT)
    assert response.status_code == 302
    assert user_id(client) is None
    assert "Sign in" in client.get("/en/").content.decode()


def test_a_wrong_password_is_refused(member):
    client = Client()
    response = sign_in(client, member.username, "not-the-password")
    assert response.status_code == 200
    assert user_id(client) is None
    assert "not correct" in response.content.decode()


def test_failed_sign_ins_are_throttled(member, settings):
    # ACCOUNT_RATE_LIMITS["login_failed"]: 5 failures per account in 5 minutes.
    attempts = int(re.search(r"(\d+)/300s/key", settings.ACCOUNT_RATE_LIMITS["login_failed"])[1])
    client = Client()
    for _ in range(attempts):
        response = sign_in(client, member.username, "guess")
        assert "Too many failed" not in response.content.decode()
    response = sign_in(client, member.username, "guess")
    assert "Too many failed login attempts" in response.content.decode()
    # Even the right password is refused until the window passes.
    response = sign_in(client, member.username)
    assert response.status_code == 200
    assert "Too many failed login attempts" in response.content.decode()
    assert user_id(client) is None


def test_password_reset_sends_an_email(member):
    client = Client()
    response = client.post("/en/account/password/reset/", {"email": member.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [member.email]
    assert "/en/account/password/reset/key/" in mail.outbox[0].body


def test_wagtail_login_forwards_to_the_shared_sign_in():
    response = Client().get("/admin/login/?next=/admin/pages/")
    assert response.status_code == 302
    assert response["Location"] == "/en/account/login/?next=%2Fadmin%2Fpages%2F"
    response = Client().get("/admin/login/")
    assert response["Location"] == "/en/account/login/?next=%2Fadmin%2F"
    response = Client().get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/en/account/login/?next=/admin/")


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["moderator", "superuser"])
def test_moderators_and_admins_must_set_up_two_factor_authentication(role):
    if role == "moderator":
        user = UserFactory(group="Moderators")
    else:
        user = UserFactory(is_superuser=True, is_staff=True)
    client = Client()
    sign_in(client, user.username)
    assert user_id(client) == str(user.pk)

    for url in ["/admin/", "/admin/pages/", "/en/", "/en/search/?q=youth"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == TOTP_ACTIVATE, url
    response = client.get(TOTP_ACTIVATE)  # allauth first asks for the password again
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Moderators and administrators must set up two-factor authentication" in (
        page.content.decode()
    )
    reauthenticate(client)
    assert client.get(TOTP_ACTIVATE).status_code == 200
    # Signing out stays possible.
    assert client.post(LOGOUT).status_code == 302
    assert user_id(client) is None


def test_activating_totp_opens_the_admin_and_recovery_codes_work(db):
    moderator = UserFactory(group="Moderators")
    client = Client()
    sign_in(client, moderator.username)
    reauthenticate(client)
    client.get(TOTP_ACTIVATE)
    secret = client.session[SECRET_SESSION_KEY]
    assert client.post(TOTP_ACTIVATE, {"code": "000000"}).status_code == 200  # wrong code
    response = client.post(TOTP_ACTIVATE, {"code": totp_code(secret)})
    assert response.status_code == 302
    assert response["Location"] == "/en/account/2fa/recovery-codes/"
    assert client.get("/admin/").status_code == 200

    # Recovery codes were generated with the authenticator and are shown to the moderator.
    codes = RecoveryCodes(
        Authenticator.objects.get(user=moderator, type=Authenticator.Type.RECOVERY_CODES)
    ).get_unused_codes()
    assert len(codes) == 10
    assert codes[0] in client.get("/en/account/2fa/recovery-codes/").content.decode()

    # Next time: password, then a recovery code in place of the app's code.
    client.post(LOGOUT)
    response = sign_in(client, moderator.email)
    assert response["Location"] == MFA_AUTHENTICATE
    assert user_id(client) is None  # not signed in after the password alone
    assert client.get("/admin/").status_code == 302
    response = client.post(MFA_AUTHENTICATE, {"code": codes[0]})
    assert response.status_code == 302
    assert user_id(client) == str(moderator.pk)
    assert client.get("/admin/").status_code == 200

    # A recovery code works once.
    client.post(LOGOUT)
    sign_in(client, moderator.username)
    response = client.post(MFA_AUTHENTICATE, {"code": codes[0]})
    assert response.status_code == 200
    assert user_id(client) is None


def test_a_moderator_with_totp_signs_in_with_the_apps_code(db):
    moderator = UserFactory(group="Moderators", totp=True)
    client = Client()
    response = sign_in(client, moderator.username)
    assert response["Location"] == MFA_AUTHENTICATE
    response = client.post(MFA_AUTHENTICATE, {"code": totp_code(TOTP_SECRET)})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_experts_may_use_the_admin_without_two_factor_authentication(expert):
    client = Client()
    sign_in(client, expert.username)
    assert client.get("/admin/").status_code == 200
    assert client.get("/en/").status_code == 200
    # ...and may opt in.
    reauthenticate(client)
    assert client.get(TOTP_ACTIVATE).status_code == 200


@pytest.mark.parametrize("language", ["ar", "fr", "es"])
def test_account_pages_are_translated_and_mirrored(db, language):
    html = Client().get(f"/{language}/account/login/").content.decode()
    direction = "rtl" if language == "ar" else "ltr"
    assert f'<html lang="{language}" dir="{direction}">' in html
    assert 'class="form-card"' in html
    assert "Sign In" not in html  # allauth's own catalogues translate its strings


def test_sign_in_form_fields_are_labelled(db):
    html = Client().get(LOGIN).content.decode()
    for field in ["id_login", "id_password"]:
        assert f'<label for="{field}"' in html
    assert "<script>" not in html  # CSP: no inline scripts
