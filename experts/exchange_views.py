"""Exchange requests on the site: ask, list, read and answer; and the notifications page.

Permissions are checked here and again in experts.exchanges (the single writer).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import translate_url
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from experts.exchange_forms import ExchangeRequestForm, TransitionForm
from experts.exchanges import (
    MODERATOR,
    allowed_transitions,
    can_view,
    create_request,
    is_own_target,
    is_requestable,
    own_profile,
    roles,
    transition,
)
from experts.models import (
    ExchangeRequest,
    ExchangeState,
    ExpertProfile,
    Institution,
    Notification,
    ProfileStatus,
)

REQUEST_RELATED = ["expert", "institution", "requesting_country", "requester", "responder"]


def _target_page(request, target, form, status=200):
    return render(
        request,
        "experts/exchanges/request_form.html",
        {"target": target, "form": form, "is_institution": isinstance(target, Institution)},
        status=status,
    )


def _ask(request, target):
    if is_own_target(request.user, target):
        raise PermissionDenied
    if request.method == "POST":
        form = ExchangeRequestForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                req = create_request(request.user, target, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Your request was sent."))
                return redirect(req.get_absolute_url())
        return _target_page(request, target, form, status=400)
    return _target_page(request, target, ExchangeRequestForm(user=request.user))


@login_required
@require_http_methods(["GET", "POST"])
def request_expert(request, pk):
    profile = get_object_or_404(
        ExpertProfile.objects.select_related("country"), pk=pk, status=ProfileStatus.APPROVED
    )
    return _ask(request, profile)


@login_required
@require_http_methods(["GET", "POST"])
def request_institution(request, slug):
    institution = get_object_or_404(Institution, slug=slug, is_published=True)
    if not is_requestable(institution):
        raise Http404
    return _ask(request, institution)


@login_required
def request_list(request):
    """The member's own requests and, for experts, the requests made to them."""
    mine = ExchangeRequest.objects.filter(requester=request.user).select_related(*REQUEST_RELATED)
    profile = own_profile(request.user)
    to_me = ExchangeRequest.objects.none()
    if profile is not None:
        to_me = ExchangeRequest.objects.filter(Q(expert=profile) | Q(responder=profile))
        if profile.institution_id and profile.status == ProfileStatus.APPROVED:
            to_me = to_me | ExchangeRequest.objects.filter(
                institution_id=profile.institution_id, responder__isnull=True
            )
        to_me = to_me.distinct().select_related(*REQUEST_RELATED)
    return render(
        request,
        "experts/exchanges/request_list.html",
        {"mine": mine, "to_me": to_me, "is_expert": profile is not None},
    )


def _visible_request(request, pk):
    req = get_object_or_404(ExchangeRequest.objects.select_related(*REQUEST_RELATED), pk=pk)
    if not can_view(req, request.user):
        raise Http404
    return req


def _detail_page(request, req, form=None, status=200):
    mine = roles(req, request.user)
    moves = [s for s in allowed_transitions(req, request.user)]
    # Moderators close requests in the admin, with a reason; here only the parties act.
    if mine == {MODERATOR}:
        moves = []
    profile = own_profile(request.user)
    return render(
        request,
        "experts/exchanges/request_detail.html",
        {
            "req": req,
            "events": req.events.select_related("actor"),
            "moves": [ExchangeState(s) for s in moves],
            "roles": mine,
            "is_requester": req.requester_id == request.user.pk,
            "responder_phone": bool(profile and profile.phone),
            "form": form or TransitionForm(),
        },
        status=status,
    )


@login_required
def request_detail(request, pk):
    return _detail_page(request, _visible_request(request, pk))


@login_required
@require_POST
def request_transition(request, pk):
    """Answer, cancel or complete; on bad input the page comes back with the note kept."""
    req = _visible_request(request, pk)
    form = TransitionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            transition(
                req,
                request.user,
                data["to_state"],
                data["note"],
                share_email=data["share_email"],
                share_phone=data["share_phone"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("The request is now “%(state)s”.") % {"state": req.get_state_display()}
            )
            return redirect(req.get_absolute_url())
    messages.error(request, _("Please correct the errors below."))
    return _detail_page(request, req, form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def notifications(request):
    items = Notification.objects.filter(user=request.user)
    if request.method == "POST":
        items.filter(read_at__isnull=True).update(read_at=timezone.now())
        return redirect("exchange_notifications")
    language = get_language()
    shown = [
        {
            "text": n.text,
            "url": translate_url(n.url, language) if n.url else "",
            "unread": n.read_at is None,
            "created_at": n.created_at,
        }
        for n in items[:100]
    ]
    return render(
        request,
        "experts/exchanges/notifications.html",
        {"notifications": shown, "unread": sum(1 for n in shown if n["unread"])},
    )
