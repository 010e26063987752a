"""Exchange requests between members and experts, their history, the South-South records
they lead to, and the small in-site notifications that tell people about them.

Every change of state goes through `experts.exchanges.transition()`; nothing else writes
`ExchangeRequest.state`.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from experts.currencies import is_currency
from kx_platform.accounts import FORMER_MEMBER  # how a deleted account appears

TOPIC_MAX_LENGTH = 200
MESSAGE_MAX_LENGTH = 5000
NOTE_MAX_LENGTH = 2000


def person_name(user):
    """The name shown for a party: theirs, or "a former member" once their account is gone."""
    if user is None:
        return FORMER_MEMBER
    return user.get_full_name() or user.get_username()


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
    """A member asks an approved expert, or a published centre of excellence, for support.

    The requester and the requested expert may later delete their accounts: the request,
    its history and its exchange record stay for the other side, with that party empty
    (shown as "a former member") and their contact details removed
    (experts.exchanges.close_for_deleted_account).
    """

    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requester"),
        related_name="exchange_requests",
        on_delete=models.SET_NULL,
        null=True,
    )
    expert = models.ForeignKey(
        "experts.ExpertProfile",
        verbose_name=_("expert"),
        related_name="exchange_requests",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    institution = models.ForeignKey(
        "experts.Institution",
        verbose_name=_("institution"),
        related_name="exchange_requests",
        on_delete=models.PROTECT,  # its requests are history: deleting it is refused
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
            # One target when made; none once the requested expert deleted their account.
            models.CheckConstraint(
                condition=Q(expert__isnull=True) | Q(institution__isnull=True),
                name="exchange_request_at_most_one_target",
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
    def requester_name(self):
        return person_name(self.requester)

    @property
    def target_name(self):
        if self.expert is not None:
            return self.expert.display_name
        if self.institution is not None:
            return self.institution.name
        return FORMER_MEMBER

    @property
    def is_open(self):
        return self.state in OPEN_STATES

    @property
    def contact_shared(self):
        return self.state in (ExchangeState.ACCEPTED, ExchangeState.COMPLETED)

    def clean(self):
        super().clean()
        both = self.expert_id is not None and self.institution_id is not None
        neither = self.expert_id is None and self.institution_id is None
        if both or (neither and self._state.adding):
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

    @property
    def actor_name(self):
        return person_name(self.actor)


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


class ConfirmationStatus(models.TextChoices):
    """How the recipient side characterises a record (SDG 17.3.1 cross-validation)."""

    PENDING = "pending", _("Awaiting the recipient")
    CONFIRMED = "confirmed", _("Confirmed by the recipient")
    DISPUTED = "disputed", _("Disputed by the recipient")


# The records the public measurement counts: a disputed flow is left out until resolved.
COUNTED_STATUSES = (ConfirmationStatus.PENDING, ConfirmationStatus.CONFIRMED)


class PracticeUse(models.TextChoices):
    """What the recipient did with the linked practice."""

    ADAPTED = "adapted", _("Adapted")
    REPLICATED = "replicated", _("Replicated")
    INSPIRED = "inspired", _("Used as inspiration")


UNKNOWN_COUNTRY = _("Unknown country code: %(value)s.")
VALUE_MAX_DIGITS = 16


def record_problems(*, provider, recipient, start, end, value, currency, practice, practice_use):
    """{field: message} of what makes an exchange record inconsistent; shared by the
    model's clean() and the admin form, so every way in says the same thing."""
    errors = {}
    if not isinstance(value, (Decimal, int)):
        value = None  # not a number: the field's own validation says so
    if provider and recipient and provider == recipient:
        errors["recipient_country"] = _(
            "The recipient country must differ from the provider country."
        )
    if start and end and end < start:
        errors["end_date"] = _("The end date cannot be before the start date.")
    if value is not None and value < 0:
        errors["value"] = _("The value cannot be negative.")
    elif value is not None and not currency:
        errors["currency"] = _("Give the currency of the value (an ISO 4217 code).")
    if currency and not is_currency(currency):
        errors["currency"] = _("Unknown currency “%(code)s”: use an ISO 4217 code such as USD.") % {
            "code": currency
        }
    elif currency and value is None:
        errors["value"] = _("Give the value, or leave the currency empty.")
    if practice_use and not practice:
        errors["practice"] = _("Choose the practice that was adapted or replicated.")
    if practice and not practice_use:
        errors["practice_use"] = _("Say whether the practice was adapted or replicated.")
    return errors


class ExchangeRecord(models.Model):
    """A South-South exchange as counted for SDG indicator 17.3.1: who provided what to whom.

    Made from a completed request (experts.exchanges.record_for) or entered by a moderator;
    the recipient side then confirms or disputes it (experts.exchange_records), and only
    pending and confirmed records enter the public measurement (experts.measurement).
    """

    provider_country = models.ForeignKey(
        "kx_platform.Country",
        verbose_name=_("provider country"),
        related_name="exchanges_provided",
        on_delete=models.PROTECT,
        error_messages={"invalid": UNKNOWN_COUNTRY},
    )
    recipient_country = models.ForeignKey(
        "kx_platform.Country",
        verbose_name=_("recipient country"),
        related_name="exchanges_received",
        on_delete=models.PROTECT,
        error_messages={"invalid": UNKNOWN_COUNTRY},
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
    themes = models.ManyToManyField(
        "kx_platform.Theme",
        verbose_name=_("themes"),
        related_name="exchange_records",
        blank=True,
    )
    value = models.DecimalField(
        _("value"),
        max_digits=VALUE_MAX_DIGITS,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Optional: the value of the support, with its currency."),
    )
    currency = models.CharField(
        _("currency"),
        max_length=3,
        blank=True,
        help_text=_("ISO 4217 code, e.g. USD, EUR, XOF."),
    )
    practice = models.ForeignKey(
        "practices.GoodPracticePage",
        verbose_name=_("linked practice"),
        related_name="exchange_records",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    practice_use = models.CharField(
        _("use of the practice"),
        max_length=20,
        choices=PracticeUse.choices,
        blank=True,
        help_text=_("Whether the recipient adapted or replicated the linked practice."),
    )
    # Set only through experts.exchange_records.review(), which also writes the log.
    status = models.CharField(
        _("confirmation"),
        max_length=20,
        choices=ConfirmationStatus.choices,
        default=ConfirmationStatus.PENDING,
        db_index=True,
        editable=False,
    )
    status_reason = models.TextField(
        _("reason"),
        max_length=NOTE_MAX_LENGTH,
        blank=True,
        validators=[MaxLengthValidator(NOTE_MAX_LENGTH)],
        editable=False,
    )
    status_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed or disputed by"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
    )
    status_at = models.DateTimeField(
        _("confirmed or disputed at"), null=True, blank=True, editable=False
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
            models.CheckConstraint(
                condition=Q(value__isnull=True) | (Q(value__gte=0) & ~Q(currency="")),
                name="exchange_record_value_with_currency",
            ),
        ]

    def __str__(self):
        return f"{self.provider_country_id} → {self.recipient_country_id} ({self.start_date})"

    def clean(self):
        super().clean()
        errors = record_problems(
            provider=self.provider_country_id,
            recipient=self.recipient_country_id,
            start=self.start_date,
            end=self.end_date,
            value=self.value,
            currency=self.currency,
            practice=self.practice_id,
            practice_use=self.practice_use,
        )
        if errors:
            raise ValidationError(errors)

    @property
    def is_counted(self):
        return self.status in COUNTED_STATUSES


class ExchangeRecordReview(models.Model):
    """The log of the recipient side's confirmations and disputes of a record."""

    record = models.ForeignKey(
        ExchangeRecord,
        verbose_name=_("exchange record"),
        related_name="reviews",
        on_delete=models.CASCADE,
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        related_name="exchange_record_reviews",
        on_delete=models.SET_NULL,
        null=True,
    )
    status = models.CharField(_("confirmation"), max_length=20, choices=ConfirmationStatus.choices)
    reason = models.TextField(
        _("reason"),
        max_length=NOTE_MAX_LENGTH,
        blank=True,
        validators=[MaxLengthValidator(NOTE_MAX_LENGTH)],
    )
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("exchange record review")
        verbose_name_plural = _("exchange record reviews")

    def __str__(self):
        return f"{self.record_id}: {self.status}"

    @property
    def actor_name(self):
        return person_name(self.actor)


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
