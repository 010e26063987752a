"""Exchange requests between members and experts, their history, the South-South records
they lead to, and the small in-site notifications that tell people about them.

Every change of state goes through `experts.exchanges.transition()`; nothing else writes
`ExchangeRequest.state`.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

TOPIC_MAX_LENGTH = 200
MESSAGE_MAX_LENGTH = 5000
NOTE_MAX_LENGTH = 2000


def language_choices():
    return [(code, name) for code, name in settings.LANGUAGES]


class ExchangeKind(models.TextChoices):
    TRAINING = "training", _("Training")
    TECHNICAL_ASSISTANCE = "technical_assistance", _("Technical assistance")
    PEER_EXCHANGE = "peer_exchange", _("Peer exchange / study visit")
    MENTORING = "mentoring", _("Mentoring")
    FINANCIAL = "financial", _("Financial support")
    IN_KIND = "in_kind", _("In-kind contribution")


class ExchangeState(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATES = (ExchangeState.REQUESTED, ExchangeState.ACCEPTED)


class ExchangeRequest(models.Model):
    """A member asks an approved expert, or a published centre of excellence, for support."""

    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requester"),
        related_name="exchange_requests",
        on_delete=models.CASCADE,
    )
    expert = models.ForeignKey(
        "experts.ExpertProfile",
        verbose_name=_("expert"),
        related_name="exchange_requests",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
    )
    institution = models.ForeignKey(
        "experts.Institution",
        verbose_name=_("institution"),
        related_name="exchange_requests",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
    )
    # The expert who answered: the requested expert, or an expert of the institution.
    responder = models.ForeignKey(
        "experts.ExpertProfile",
        verbose_name=_("answered by"),
        related_name="answered_exchange_requests",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
    )
    topic = models.CharField(_("topic"), max_length=TOPIC_MAX_LENGTH)
    support_kind = models.CharField(
        _("kind of support"), max_length=30, choices=ExchangeKind.choices
    )
    requesting_country = models.ForeignKey(
        "kx_platform.Country",
        verbose_name=_("requesting country"),
        related_name="exchange_requests",
        on_delete=models.PROTECT,
    )
    language = models.CharField(_("preferred language"), max_length=10)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    message = models.TextField(
        _("message"),
        max_length=MESSAGE_MAX_LENGTH,
        validators=[MaxLengthValidator(MESSAGE_MAX_LENGTH)],
        help_text=_("Plain text, at most 5000 characters."),
    )
    state = models.CharField(
        _("state"),
        max_length=20,
        choices=ExchangeState.choices,
        default=ExchangeState.REQUESTED,
        db_index=True,
        editable=False,
    )
    response_message = models.TextField(
        _("response"),
        max_length=NOTE_MAX_LENGTH,
        blank=True,
        validators=[MaxLengthValidator(NOTE_MAX_LENGTH)],
        editable=False,
    )
    # Copied at acceptance, so that both sides see what was shared, and only that.
    shared_email = models.EmailField(_("shared e-mail"), blank=True, editable=False)
    shared_phone = models.CharField(_("shared phone"), max_length=30, blank=True, editable=False)
    requester_email = models.EmailField(_("requester's e-mail"), blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("exchange request")
        verbose_name_plural = _("exchange requests")
        constraints = [
            models.CheckConstraint(
                condition=(Q(expert__isnull=False) & Q(institution__isnull=True))
                | (Q(expert__isnull=True) & Q(institution__isnull=False)),
                name="exchange_request_one_target",
            ),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(end_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="exchange_request_end_after_start",
            ),
        ]

    def __str__(self):
        return self.topic

    def get_absolute_url(self):
        return reverse("exchange_detail", kwargs={"pk": self.pk})

    @property
    def target(self):
        return self.expert or self.institution

    @property
    def is_open(self):
        return self.state in OPEN_STATES

    @property
    def contact_shared(self):
        return self.state in (ExchangeState.ACCEPTED, ExchangeState.COMPLETED)

    def clean(self):
        super().clean()
        if (self.expert_id is None) == (self.institution_id is None):
            raise ValidationError(_("Request either an expert or an institution."))
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end date cannot be before the start date.")})
        if self.language and self.language not in dict(language_choices()):
            raise ValidationError({"language": _("Choose one of the listed languages.")})


class ExchangeEvent(models.Model):
    """One step in the life of a request: who, when, from which state to which, and why."""

    request = models.ForeignKey(
        ExchangeRequest,
        verbose_name=_("request"),
        related_name="events",
        on_delete=models.CASCADE,
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        related_name="exchange_events",
        on_delete=models.SET_NULL,
        null=True,
    )
    from_state = models.CharField(_("from"), max_length=20, blank=True)
    to_state = models.CharField(_("to"), max_length=20, choices=ExchangeState.choices)
    note = models.TextField(
        _("note"),
        max_length=NOTE_MAX_LENGTH,
        blank=True,
        validators=[MaxLengthValidator(NOTE_MAX_LENGTH)],
    )
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("exchange event")
        verbose_name_plural = _("exchange events")

    def __str__(self):
        return f"{self.from_state or '—'} → {self.to_state}"


class Modality(models.TextChoices):
    BILATERAL = "bilateral", _("Bilateral")
    TRIANGULAR = "triangular", _("Triangular")
    REGIONAL = "regional", _("Regional")
    INTERREGIONAL = "interregional", _("Interregional")


class CooperationKind(models.TextChoices):
    """The kinds of support of the SDG 17.3.1 framework for South-South cooperation."""

    KNOWLEDGE = "knowledge_sharing", _("Knowledge sharing and capacity building")
    TECHNICAL = "technical_cooperation", _("Technical cooperation")
    FINANCIAL = "financial", _("Financial")
    IN_KIND = "in_kind", _("In-kind")


# How a requested kind of support is counted in an exchange record.
COOPERATION_KIND_OF = {
    ExchangeKind.TRAINING: CooperationKind.KNOWLEDGE,
    ExchangeKind.PEER_EXCHANGE: CooperationKind.KNOWLEDGE,
    ExchangeKind.MENTORING: CooperationKind.KNOWLEDGE,
    ExchangeKind.TECHNICAL_ASSISTANCE: CooperationKind.TECHNICAL,
    ExchangeKind.FINANCIAL: CooperationKind.FINANCIAL,
    ExchangeKind.IN_KIND: CooperationKind.IN_KIND,
}


class ExchangeRecord(models.Model):
    """A South-South exchange as counted for SDG indicator 17.3.1: who provided what to whom."""

    provider_country = models.ForeignKey(
        "kx_platform.Country",
        verbose_name=_("provider country"),
        related_name="exchanges_provided",
        on_delete=models.PROTECT,
    )
    recipient_country = models.ForeignKey(
        "kx_platform.Country",
        verbose_name=_("recipient country"),
        related_name="exchanges_received",
        on_delete=models.PROTECT,
    )
    modality = models.CharField(
        _("modality"), max_length=20, choices=Modality.choices, default=Modality.BILATERAL
    )
    support_kind = models.CharField(
        _("kind of support"), max_length=30, choices=CooperationKind.choices
    )
    pillar = models.ForeignKey(
        "kx_platform.Pillar",
        verbose_name=_("pillar"),
        related_name="exchange_records",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    request = models.OneToOneField(
        ExchangeRequest,
        verbose_name=_("request"),
        related_name="record",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    expert = models.ForeignKey(
        "experts.ExpertProfile",
        verbose_name=_("expert"),
        related_name="exchange_records",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-start_date", "-pk"]
        verbose_name = _("South-South exchange record")
        verbose_name_plural = _("South-South exchange records")
        constraints = [
            models.CheckConstraint(
                condition=~Q(provider_country=F("recipient_country")),
                name="exchange_record_two_countries",
            ),
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="exchange_record_end_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.provider_country_id} → {self.recipient_country_id} ({self.start_date})"

    def clean(self):
        super().clean()
        errors = {}
        if (
            self.provider_country_id
            and self.recipient_country_id
            and self.provider_country_id == self.recipient_country_id
        ):
            errors["recipient_country"] = _(
                "The recipient country must differ from the provider country."
            )
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("The end date cannot be before the start date.")
        if errors:
            raise ValidationError(errors)


class Notification(models.Model):
    """A short message for one user, with a link; read once they open their notifications."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        related_name="notifications",
        on_delete=models.CASCADE,
    )
    text = models.CharField(_("text"), max_length=255)
    url = models.CharField(_("link"), max_length=500, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]

    def __str__(self):
        return self.text
