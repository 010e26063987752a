"""Two-factor authentication is required for moderators and administrators.

A signed-in superuser or member of the Moderators group who has no authenticator
(TOTP) is sent to the authenticator setup page on every request, except the account
and two-factor pages themselves (which include signing out). Experts and members may
set up two-factor authentication but are not required to.
"""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _

MODERATORS_GROUP = "Moderators"
# URL names that stay reachable before the second factor is set up: allauth's own
# pages (sign-out, e-mail, password, the two-factor pages) and nothing else.
ALLOWED_URL_PREFIXES = ("account_", "mfa_")


def mfa_required(user):
    """Whether this user's role requires a second factor."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name=MODERATORS_GROUP).exists()


def has_mfa(user):
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class RequireMFAMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match and (match.url_name or "").startswith(ALLOWED_URL_PREFIXES):
            return None
        user = getattr(request, "user", None)
        if user is None or not mfa_required(user) or has_mfa(user):
            return None
        messages.warning(
            request, _("Moderators and administrators must set up two-factor authentication.")
        )
        return redirect("mfa_activate_totp")
