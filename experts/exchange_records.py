"""The recipient side confirms or disputes an exchange record; moderators export records.

SDG 17.3.1's framework (and SEGIB's SIDICSS) has the recipient validate how a flow is
characterised. The recipient side of a record is the member who made the request it
came from, and the approved focal points of the recipient country. `review()` is the
only writer of a record's confirmation: it checks the actor on the server, writes the
record and its log row in one transaction, and logs the decision.
"""

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from experts.models import (
    ConfirmationStatus,
    ExchangeRecord,
    ExchangeRecordReview,
    ProfileStatus,
)
from experts.models.exchanges import NOTE_MAX_LENGTH
from kx_platform.sanitize import clean_text

logger = logging.getLogger("kx.exchange_records")

RECORD_RELATED = [
    "provider_country__region",
    "recipient_country__region",
    "pillar",
    "practice",
    "request",
]


def _active(user):
    return bool(user and user.is_authenticated and user.is_active)


def _focal_point_country(user):
    """The country this user is an approved focal point of, else None."""
    profile = getattr(user, "expert_profile", None) if _active(user) else None
    if profile is None or not profile.is_focal_point or profile.status != ProfileStatus.APPROVED:
        return None
    return profile.country_id


def reviewable_by(user):
    """The records `user` may confirm or dispute, as a queryset."""
    if not _active(user):
        return ExchangeRecord.objects.none()
    condition = Q(request__requester=user)
    country = _focal_point_country(user)
    if country:
        condition |= Q(recipient_country_id=country)
    return ExchangeRecord.objects.filter(condition)


def can_review(record, user):
    if not _active(user):
        return False
    if record.request_id is not None and record.request.requester_id == user.pk:
        return True
    return _focal_point_country(user) == record.recipient_country_id


def review(record, actor, status, reason=""):
    """Confirm or dispute `record` on behalf of `actor`; returns the log row written.

    PermissionDenied unless the actor is on the recipient side; ValidationError for an
    unknown status, a dispute without a reason, or a reason that is too long.
    """
    if status not in (ConfirmationStatus.CONFIRMED, ConfirmationStatus.DISPUTED):
        raise ValidationError(_("Confirm or dispute the record."), code="unknown_status")
    reason = clean_text(reason or "")
    if len(reason) > NOTE_MAX_LENGTH:
        raise ValidationError(
            _("The reason is too long (at most %(max)d characters).") % {"max": NOTE_MAX_LENGTH},
            code="reason_too_long",
        )
    if status == ConfirmationStatus.DISPUTED and not reason:
        raise ValidationError(
            _("Say what is wrong with the record: a dispute needs a reason."),
            code="reason_required",
        )
    with transaction.atomic():
        locked = (
            ExchangeRecord.objects.select_for_update(of=("self",))
            .select_related("request")
            .get(pk=record.pk)
        )
        if not can_review(locked, actor):
            raise PermissionDenied(_("Only the recipient side may confirm or dispute a record."))
        locked.status = status
        locked.status_reason = reason
        locked.status_by = actor
        locked.status_at = timezone.now()
        locked.save(update_fields=["status", "status_reason", "status_by", "status_at"])
        entry = ExchangeRecordReview.objects.create(
            record=locked, actor=actor, status=status, reason=reason
        )
    logger.info("Exchange record %s %s by user %s", locked.pk, status, actor.pk)
    for name in ("status", "status_reason", "status_by", "status_at"):
        setattr(record, name, getattr(locked, name))
    return entry


# --- Record-level export (moderators) -----------------------------------------------------

EXPORT_HEADER = [
    "id",
    "provider_country",
    "provider_region",
    "recipient_country",
    "recipient_region",
    "modality",
    "support_kind",
    "pillar",
    "themes",
    "start_date",
    "end_date",
    "value",
    "currency",
    "practice_id",
    "practice_title",
    "practice_use",
    "status",
    "status_reason",
    "status_at",
    "request_id",
    "expert_id",
    "created_at",
]


def export_rows():
    """Every record, one row each (ids rather than people's names)."""
    records = (
        ExchangeRecord.objects.select_related(*RECORD_RELATED)
        .prefetch_related("themes")
        .order_by("pk")
    )
    for r in records.iterator(chunk_size=2000):
        yield [
            r.pk,
            r.provider_country_id,
            r.provider_country.region.slug,
            r.recipient_country_id,
            r.recipient_country.region.slug,
            r.modality,
            r.support_kind,
            r.pillar.number if r.pillar else "",
            "; ".join(sorted(t.name for t in r.themes.all())),
            r.start_date.isoformat(),
            r.end_date.isoformat(),
            "" if r.value is None else str(r.value),
            r.currency,
            r.practice_id or "",
            r.practice.title if r.practice else "",
            r.practice_use,
            r.status,
            r.status_reason,
            r.status_at.isoformat() if r.status_at else "",
            r.request_id or "",
            r.expert_id or "",
            r.created_at.isoformat(),
        ]
