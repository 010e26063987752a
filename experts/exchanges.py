"""The exchange-request workflow: who may request whom, and every change of state.

`create_request()` opens a request (checking the abuse limits); `transition()` is the only
way its state changes afterwards. Both check the actor on the server, lock the row, write
the history row and the notifications in one transaction, and send e-mail after commit.

Privacy: before acceptance the requester learns nothing of the expert's addresses (the
new-request e-mail goes to the expert's own account address); on acceptance the expert
chooses to share their contact e-mail and/or phone, which are copied into the request,
and the requester's e-mail is copied for the expert.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from experts.models import (
    ExchangeEvent,
    ExchangeRecord,
    ExchangeRequest,
    ExchangeState,
    ExpertProfile,
    Notification,
    ProfileStatus,
)
from experts.models.exchanges import (
    COOPERATION_KIND_OF,
    NOTE_MAX_LENGTH,
    OPEN_STATES,
    person_name,
)
from experts.vetting import can_vet

MAX_OPEN_REQUESTS = 5
RATE_LIMIT = 10  # new requests per member …
RATE_WINDOW = 3600  # … per this many seconds

S = ExchangeState
REQUESTER, EXPERT, MODERATOR = "requester", "expert", "moderator"

# (from, to): the roles that may make the move.
RULES = {
    (S.REQUESTED, S.ACCEPTED): {EXPERT},
    (S.REQUESTED, S.DECLINED): {EXPERT},
    (S.REQUESTED, S.CANCELLED): {REQUESTER, MODERATOR},
    (S.ACCEPTED, S.CANCELLED): {REQUESTER, MODERATOR},
    (S.ACCEPTED, S.COMPLETED): {REQUESTER, EXPERT},
}


# --- Who is who --------------------------------------------------------------------------


def _active(user):
    return bool(user and user.is_authenticated and user.is_active)


def own_profile(user):
    if not _active(user):
        return None
    try:
        return user.expert_profile
    except ExpertProfile.DoesNotExist:
        return None


def institution_experts(institution):
    """The approved experts of an institution: they answer the requests made to it."""
    return ExpertProfile.objects.filter(institution=institution, status=ProfileStatus.APPROVED)


def responders(req):
    """The expert profiles that may answer `req` now."""
    if req.responder_id is not None:
        candidates = ExpertProfile.objects.filter(pk=req.responder_id)
    elif req.expert_id is not None:
        candidates = ExpertProfile.objects.filter(pk=req.expert_id)
    else:
        candidates = institution_experts(req.institution_id)
    return candidates.filter(status=ProfileStatus.APPROVED).select_related("user")


def roles(req, user):
    """The roles `user` has on `req`: requester, expert (an answering expert), moderator."""
    found = set()
    if not _active(user):
        return found
    if req.requester_id == user.pk:
        found.add(REQUESTER)
    profile = own_profile(user)
    if profile is not None and responders(req).filter(pk=profile.pk).exists():
        found.add(EXPERT)
    if can_vet(user):
        found.add(MODERATOR)
    return found


def can_view(req, user):
    """The two parties and moderators. The requested expert keeps access to the history."""
    if not _active(user):
        return False
    if roles(req, user):
        return True
    profile = own_profile(user)
    return profile is not None and profile.pk in (req.expert_id, req.responder_id)


def allowed_transitions(req, user):
    """The states `user` may move `req` to now."""
    mine = roles(req, user)
    return [to for (frm, to), who in RULES.items() if frm == req.state and mine & who]


def is_requestable(target):
    if isinstance(target, ExpertProfile):
        return target.status == ProfileStatus.APPROVED
    return target.is_published and institution_experts(target).exists()


def is_own_target(user, target):
    """A member cannot request themselves, nor an institution they answer for."""
    if isinstance(target, ExpertProfile):
        return target.user_id == user.pk
    return institution_experts(target).filter(user=user).exists()


# --- Opening a request -------------------------------------------------------------------


def _rate_key(user):
    return f"kx:exchange-requests:{user.pk}:{int(timezone.now().timestamp()) // RATE_WINDOW}"


def check_limits(user, target):
    """Raise ValidationError when this member may not open a request to `target` now."""
    if is_own_target(user, target):
        raise ValidationError(_("You cannot request an exchange with yourself."), code="self")
    if not is_requestable(target):
        raise ValidationError(
            _("This expert or institution does not take requests at the moment."),
            code="not_requestable",
        )
    open_count = ExchangeRequest.objects.filter(requester=user, state=S.REQUESTED).count()
    if open_count >= MAX_OPEN_REQUESTS:
        raise ValidationError(
            _(
                "You already have %(count)d requests waiting for an answer, the most allowed. "
                "Cancel one or wait for an answer before you send another."
            )
            % {"count": open_count},
            code="too_many_open",
        )
    if (cache.get(_rate_key(user)) or 0) >= RATE_LIMIT:
        raise ValidationError(
            _("You have sent %(limit)d requests in the last hour. Please try again later.")
            % {"limit": RATE_LIMIT},
            code="rate_limited",
        )


def _count_for_rate_limit(user):
    key = _rate_key(user)
    if not cache.add(key, 1, RATE_WINDOW):
        try:
            cache.incr(key)
        except ValueError:  # expired in between
            cache.add(key, 1, RATE_WINDOW)


def create_request(requester, target, **fields):
    """Open a request from `requester` to an expert profile or institution; returns it.

    `fields`: topic, support_kind, requesting_country, language, start_date, end_date,
    message. Raises PermissionDenied for anonymous users and ValidationError otherwise.
    """
    if not _active(requester):
        raise PermissionDenied(_("Sign in to request an exchange."))
    is_profile = isinstance(target, ExpertProfile)
    with transaction.atomic():
        # Lock the requester's row so that two requests at once cannot pass the cap.
        get_user_model().objects.select_for_update().get(pk=requester.pk)
        check_limits(requester, target)
        req = ExchangeRequest(
            requester=requester,
            expert=target if is_profile else None,
            institution=None if is_profile else target,
            state=S.REQUESTED,
            **fields,
        )
        req.full_clean()
        req.save()
        ExchangeEvent.objects.create(
            request=req, actor=requester, from_state="", to_state=S.REQUESTED
        )
        experts = list(responders(req))
        for profile in experts:
            _notify(profile.user, _("New exchange request: %(topic)s") % {"topic": req.topic}, req)
        _count_for_rate_limit(requester)
        transaction.on_commit(lambda: _mail_new_request(req, experts), robust=True)
    return req


# --- Changing state ----------------------------------------------------------------------


def transition(req, actor, to_state, note="", *, share_email=False, share_phone=False):
    """Move `req` to `to_state` on behalf of `actor`; returns the ExchangeEvent written.

    PermissionDenied when the actor has no part in this move, ValidationError when the
    move is not possible from the current state or its details are missing.
    On acceptance, `share_email` / `share_phone` say what the expert shares.
    """
    try:
        to_state = ExchangeState(to_state)
    except ValueError:
        raise ValidationError(_("Unknown state."), code="unknown_state") from None
    note = (note or "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError(
            _("The note is too long (at most %(max)d characters).") % {"max": NOTE_MAX_LENGTH},
            code="note_too_long",
        )

    with transaction.atomic():
        locked = ExchangeRequest.objects.select_for_update().get(pk=req.pk)
        mine = roles(locked, actor)
        if not mine:
            raise PermissionDenied(_("You have no part in this request."))
        who = RULES.get((locked.state, to_state))
        if who is None:
            raise ValidationError(
                _("A request that is “%(state)s” cannot become “%(to)s”.")
                % {"state": locked.get_state_display(), "to": to_state.label},
                code="invalid_transition",
            )
        acting = mine & who
        if not acting:
            raise PermissionDenied(_("You may not make this change."))
        as_moderator = acting == {MODERATOR}
        if as_moderator and not note:
            raise ValidationError(
                _("Give a reason for closing this request."), code="reason_required"
            )

        before = locked.state
        update = ["state", "updated_at"]
        if to_state in (S.ACCEPTED, S.DECLINED):
            profile = responders(locked).get(user=actor)
            locked.responder = profile
            locked.response_message = note
            update += ["responder", "response_message"]
        if to_state == S.ACCEPTED:
            if share_phone and not profile.phone:
                raise ValidationError(_("Your profile has no phone number to share."))
            if not (share_email or share_phone):
                raise ValidationError(
                    _(
                        "Share your e-mail, your phone or both, so that the requester can "
                        "reach you."
                    ),
                    code="nothing_shared",
                )
            locked.shared_email = profile.email if share_email else ""
            locked.shared_phone = profile.phone if share_phone else ""
            locked.requester_email = locked.requester.email if locked.requester else ""
            update += ["shared_email", "shared_phone", "requester_email"]
        locked.state = to_state
        locked.save(update_fields=update)
        event = ExchangeEvent.objects.create(
            request=locked, actor=actor, from_state=before, to_state=to_state, note=note
        )
        if to_state == S.COMPLETED:
            record_for(locked)
        _notify_transition(locked, actor, to_state, as_moderator)

    for name in ("state", "responder_id", "response_message", "shared_email", "shared_phone"):
        setattr(req, name, getattr(locked, name))
    req.requester_email = locked.requester_email
    return event


def close_for_deleted_account(user, profile=None):
    """Before `user` (and their expert `profile`) is deleted.

    Their open requests, made or received, are cancelled in their name (the history then
    shows "a former member") and the other side is told; the contact details they shared
    or were shared with them go. The requests, their history and their exchange records
    stay for the other side. Called inside the deletion's transaction.
    """
    mine = Q(requester=user)
    if profile is not None:
        mine |= Q(expert=profile) | Q(responder=profile)
    open_requests = (
        ExchangeRequest.objects.select_for_update(of=("self",))
        .filter(mine, state__in=OPEN_STATES)
        .select_related("requester", "responder__user")
    )
    for req in open_requests:
        before = req.state
        req.state = S.CANCELLED
        req.save(update_fields=["state", "updated_at"])
        ExchangeEvent.objects.create(
            request=req, actor=user, from_state=before, to_state=S.CANCELLED
        )
        if req.requester_id == user.pk:
            others = [req.responder.user] if req.responder_id else [p.user for p in responders(req)]
        else:
            others = [req.requester]
        text = _("The request “%(topic)s” was cancelled: the other side left the platform.") % {
            "topic": req.topic
        }
        for other in others:
            if other is not None and other.pk != user.pk:
                _notify(other, text, req)
    ExchangeRequest.objects.filter(requester=user).update(requester_email="")
    if profile is not None:
        ExchangeRequest.objects.filter(Q(expert=profile) | Q(responder=profile)).update(
            shared_email="", shared_phone=""
        )


# --- The exchange record -----------------------------------------------------------------


def _period(req):
    """The period of the exchange: the requested dates, else acceptance to completion."""
    today = timezone.localdate()
    accepted = req.events.filter(to_state=S.ACCEPTED).values_list("created_at", flat=True).first()
    accepted = timezone.localdate(accepted) if accepted else today
    start = req.start_date or min(accepted, req.end_date or accepted)
    end = req.end_date or max(start, today)
    return start, end


def provider_country(req):
    if req.institution_id is not None:
        return req.institution.country
    return req.expert.country


def record_for(req):
    """The South-South exchange record of a completed request (None when the provider
    and the recipient are the same country: that is not South-South cooperation)."""
    existing = ExchangeRecord.objects.filter(request=req).first()
    if existing is not None:
        return existing
    provider = provider_country(req)
    if provider.pk == req.requesting_country_id:
        return None
    expert = req.responder or req.expert
    pillars = list(expert.pillars.all()[:2]) if expert else []
    start, end = _period(req)
    record = ExchangeRecord(
        provider_country=provider,
        recipient_country_id=req.requesting_country_id,
        support_kind=COOPERATION_KIND_OF[req.support_kind],
        pillar=pillars[0] if len(pillars) == 1 else None,
        start_date=start,
        end_date=end,
        request=req,
        expert=expert,
    )
    record.full_clean()
    record.save()
    return record


# --- Notifications and e-mail ------------------------------------------------------------


def _notify(user, text, req):
    if user is None:  # a former member
        return None
    return Notification.objects.create(user=user, text=text[:255], url=req.get_absolute_url())


def _name(user):
    return person_name(user)


def _notify_transition(req, actor, to_state, as_moderator):
    topic = {"topic": req.topic}
    experts = [req.responder.user] if req.responder_id else [p.user for p in responders(req)]
    if as_moderator:
        text = _("A moderator closed the request “%(topic)s”.") % topic
        for user in {req.requester, *experts}:
            _notify(user, text, req)
        return
    if to_state == S.ACCEPTED:
        _notify(req.requester, _("Your request “%(topic)s” was accepted.") % topic, req)
        transaction.on_commit(lambda: _mail_answer(req), robust=True)
    elif to_state == S.DECLINED:
        _notify(req.requester, _("Your request “%(topic)s” was declined.") % topic, req)
        transaction.on_commit(lambda: _mail_answer(req), robust=True)
    elif to_state == S.CANCELLED:
        for user in experts:
            _notify(user, _("The request “%(topic)s” was cancelled.") % topic, req)
    elif to_state == S.COMPLETED:
        others = experts if actor.pk == req.requester_id else [req.requester]
        for user in others:
            _notify(user, _("The exchange “%(topic)s” was marked completed.") % topic, req)


def _absolute(path):
    return f"{getattr(settings, 'WAGTAILADMIN_BASE_URL', '').rstrip('/')}{path}"


def _mail_new_request(req, experts):
    """To each answering expert's own account address; nothing about them goes back."""
    for profile in experts:
        if not profile.user.email:
            continue
        with translation.override(req.language):
            body = _(
                "%(name)s asks you for an exchange on the KX platform.\n\n"
                "Topic: %(topic)s\nKind of support: %(kind)s\nRequesting country: %(country)s\n\n"
                "Read the request and answer it here:\n%(url)s\n\n"
                "Your contact details are not shared unless you accept and choose to share them."
            ) % {
                "name": _name(req.requester),
                "topic": req.topic,
                "kind": req.get_support_kind_display(),
                "country": req.requesting_country.name,
                "url": _absolute(req.get_absolute_url()),
            }
            subject = _("[KX] New exchange request: %(topic)s") % {"topic": req.topic[:80]}
        send_mail(subject, body, None, [profile.user.email])


def _mail_answer(req):
    if req.requester is None or not req.requester.email:
        return
    accepted = req.state == S.ACCEPTED
    if accepted:
        subject = _("[KX] Your exchange request was accepted")
        body = _(
            "Your request “%(topic)s” was accepted. The contact details the expert chose to "
            "share are on the request page (signed-in):\n%(url)s"
        )
    else:
        subject = _("[KX] Your exchange request was declined")
        body = _("Your request “%(topic)s” was declined. See the answer here:\n%(url)s")
    body = body % {"topic": req.topic, "url": _absolute(req.get_absolute_url())}
    send_mail(subject, body, None, [req.requester.email])


__all__ = [
    "MAX_OPEN_REQUESTS",
    "RATE_LIMIT",
    "allowed_transitions",
    "can_view",
    "check_limits",
    "close_for_deleted_account",
    "create_request",
    "is_requestable",
    "record_for",
    "responders",
    "roles",
    "transition",
]
