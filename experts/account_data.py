"""The experts app's parts of a member's data (kx_platform.accounts): their expert profile
and notifications, and their exchange requests; the views' entry points to the pipeline.

Deleting an account removes the person and their expert profile; what others rely on stays:
exchange requests they made or received keep their history and exchange records, with that
party empty (shown as "a former member": the foreign keys are nullable, SET_NULL) and their
contact details removed; their open requests are cancelled and the other side told.
Practices naming them as a contact expert stay, without that contact. The practices, the
guidebook and the forum register their own parts (practices/account_data.py,
experts/forum/account_data.py).
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q

from experts.exchanges import close_for_deleted_account
from experts.models import ExchangeRequest, ExpertProfile, Notification
from experts.vetting import can_vet
from kx_platform import accounts
from kx_platform.accounts import json_value as _value


def _profile_data(profile):
    data = {}
    for field in profile._meta.concrete_fields:
        if field.name == "user":
            continue
        if field.is_relation:
            related = getattr(profile, field.name)
            data[field.name] = str(related) if related is not None else None
            if field.name == "country" and related is not None:
                data["country_code"] = related.pk
        else:
            data[field.name] = _value(getattr(profile, field.name))
    data["regions"] = [str(region) for region in profile.regions.all()]
    data["pillars"] = [str(pillar) for pillar in profile.pillars.all()]
    data["themes"] = [str(theme) for theme in profile.themes.all()]
    data["languages"] = [
        {"language": lang.language, "level": lang.level} for lang in profile.languages.all()
    ]
    data["links"] = [{"title": link.title, "url": link.url} for link in profile.links.all()]
    data["vetting_decisions"] = [
        {
            "action": decision.action,
            "reason": decision.reason,
            "status_before": decision.status_before,
            "status_after": decision.status_after,
            "date": decision.created_at.isoformat(),
            "by": "moderator",
        }
        for decision in profile.decisions.all()
    ]
    return data


def _party(user, me):
    if user is None:
        return "former member"
    if user.pk == me.pk:
        return "you"
    return user.get_full_name() or user.get_username()


def _request_data(req, user, role):
    return {
        "id": req.pk,
        "role": role,
        "topic": req.topic,
        "target": str(req.target) if req.target else "former member",
        "support_kind": req.support_kind,
        "requesting_country": req.requesting_country_id,
        "language": req.language,
        "start_date": _value(req.start_date),
        "end_date": _value(req.end_date),
        "state": req.state,
        "message": req.message,
        "response_message": req.response_message,
        "shared_email": req.shared_email,
        "shared_phone": req.shared_phone,
        "requester_email": req.requester_email,
        "created_at": _value(req.created_at),
        "updated_at": _value(req.updated_at),
        "events": [
            {
                "from_state": event.from_state,
                "to_state": event.to_state,
                "note": event.note,
                "by": _party(event.actor, user),
                "date": _value(event.created_at),
            }
            for event in req.events.select_related("actor")
        ],
    }


def export_profile(user):
    profile = ExpertProfile.objects.filter(user=user).first()
    return {
        "expert_profile": _profile_data(profile) if profile else None,
        "notifications": [
            {
                "text": n.text,
                "url": n.url,
                "created_at": _value(n.created_at),
                "read_at": _value(n.read_at),
            }
            for n in Notification.objects.filter(user=user)
        ],
    }


def export_exchanges(user):
    profile = ExpertProfile.objects.filter(user=user).first()
    related = ["expert", "institution", "requesting_country"]
    made = ExchangeRequest.objects.filter(requester=user).select_related(*related)
    received = (
        ExchangeRequest.objects.filter(Q(expert=profile) | Q(responder=profile))
        .exclude(requester=user)
        .select_related(*related)
        if profile
        else ExchangeRequest.objects.none()
    )
    return {
        "exchange_requests_made": [_request_data(r, user, "requester") for r in made],
        "exchange_requests_received": [_request_data(r, user, "expert") for r in received],
    }


def delete_exchanges(user):
    """Close their open requests and remove shared contact details (before the profile
    goes: the requests they received are found through it)."""
    close_for_deleted_account(user, ExpertProfile.objects.filter(user=user).first())


def delete_profile(user):
    profile = ExpertProfile.objects.filter(user=user).first()
    if profile is None:
        return
    photo = profile.photo.name if profile.photo else ""
    storage = profile.photo.storage
    # Cascades languages, links, decisions and contact-expert links; requests, records and
    # answers keep the rest (SET_NULL). The search outbox queues the deletion of their
    # documents (post_delete).
    profile.delete()
    if photo:
        transaction.on_commit(lambda: storage.delete(photo))


def register_parts():
    """Called from ExpertsConfig.ready(): exchanges first, while the profile still exists."""
    accounts.register_account_part("exchanges", export=export_exchanges, delete=delete_exchanges)
    accounts.register_account_part("expert_profile", export=export_profile, delete=delete_profile)


def export_user_data(user):
    """Everything the platform holds about `user` (every app's part), for them alone."""
    return accounts.export_account(user)


def may_delete_account(user):
    """Moderators and administrators leave through another administrator, not by themselves."""
    return not (user.is_superuser or user.is_staff or can_vet(user))


def delete_account(user):
    """Delete `user` through every app's part; keep, anonymised, what others still need."""
    if not may_delete_account(user):
        raise PermissionDenied("Moderators and administrators cannot delete their own account.")
    accounts.delete_account(user)
