"""Every moderator decision on an expert profile goes through `decide()`.

It checks the moderator's right and the transition, writes the log row and changes the
profile (status, focal point, membership of the Experts group) in one transaction.
"""

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from experts.models import ExpertProfile, ProfileStatus, VettingAction, VettingDecision
from experts.models.profiles import REASON_MAX_LENGTH

EXPERTS_GROUP = "Experts"
VET_PERMISSION = "experts.vet_expert"

S = ProfileStatus
A = VettingAction

# action: (statuses it may start from, status it leads to; None keeps the status)
TRANSITIONS = {
    A.APPROVE: ({S.SUBMITTED, S.NEEDS_INFO}, S.APPROVED),
    A.REJECT: ({S.SUBMITTED, S.NEEDS_INFO}, S.REJECTED),
    A.REQUEST_INFO: ({S.SUBMITTED}, S.NEEDS_INFO),
    A.SUSPEND: ({S.APPROVED}, S.SUSPENDED),
    A.REINSTATE: ({S.SUSPENDED}, S.APPROVED),
    A.SET_FOCAL_POINT: ({S.APPROVED}, None),
    A.UNSET_FOCAL_POINT: (set(S.values), None),
}
REASON_REQUIRED = {A.REJECT, A.REQUEST_INFO, A.SUSPEND}


def can_vet(user):
    return bool(user and user.is_authenticated and user.is_active and user.has_perm(VET_PERMISSION))


def allowed_actions(profile):
    """The actions a moderator may take on this profile now."""
    actions = []
    for action, (sources, _target) in TRANSITIONS.items():
        if profile.status not in sources:
            continue
        if action == A.SET_FOCAL_POINT and profile.is_focal_point:
            continue
        if action == A.UNSET_FOCAL_POINT and not profile.is_focal_point:
            continue
        actions.append(action)
    return actions


def decide(profile, moderator, action, reason=""):
    """Apply a moderator's decision; returns the VettingDecision written.

    Raises PermissionDenied when the user may not vet (or vets their own profile) and
    ValidationError when the action, transition or reason is not acceptable.
    """
    if not can_vet(moderator):
        raise PermissionDenied(_("Only moderators can vet experts."))
    if profile.user_id == moderator.pk:
        raise PermissionDenied(_("Moderators cannot vet their own profile."))
    try:
        action = VettingAction(action)
    except ValueError:
        raise ValidationError(_("Unknown action."), code="unknown_action") from None
    reason = (reason or "").strip()
    if action in REASON_REQUIRED and not reason:
        raise ValidationError(_("Give a reason: the expert will read it."), code="reason_required")
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            _("The reason is too long (at most %(max)d characters).") % {"max": REASON_MAX_LENGTH},
            code="reason_too_long",
        )

    with transaction.atomic():
        # Lock the row and decide on its current state, not on what the caller read.
        locked = ExpertProfile.objects.select_for_update().get(pk=profile.pk)
        if action not in allowed_actions(locked):
            raise ValidationError(
                _("A profile that is “%(status)s” cannot be given “%(action)s”.")
                % {"status": locked.get_status_display(), "action": action.label},
                code="invalid_transition",
            )
        before = locked.status
        _sources, target = TRANSITIONS[action]
        if target is not None:
            locked.status = target
        if locked.status == S.APPROVED and before != S.APPROVED:
            locked.approved_at = timezone.now()
        if action == A.SET_FOCAL_POINT:
            locked.is_focal_point = True
        elif action == A.UNSET_FOCAL_POINT:
            locked.is_focal_point = False
        locked.save(update_fields=["status", "is_focal_point", "approved_at", "updated_at"])

        group, _created = Group.objects.get_or_create(name=EXPERTS_GROUP)
        if locked.status == S.APPROVED and before != S.APPROVED:
            locked.user.groups.add(group)
        elif action == A.SUSPEND:
            locked.user.groups.remove(group)

        decision = VettingDecision.objects.create(
            profile=locked,
            moderator=moderator,
            action=action,
            reason=reason,
            status_before=before,
            status_after=locked.status,
        )

    profile.status = locked.status
    profile.is_focal_point = locked.is_focal_point
    profile.approved_at = locked.approved_at
    return decision
