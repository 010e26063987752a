"""The expert roster: profiles, their languages and links, and the vetting log.

Nothing outside experts.privacy reads a restricted field for display: pages and
templates get a profile through `experts.privacy.visible_profile(profile, viewer)`.
"""

import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import (
    FileExtensionValidator,
    MaxLengthValidator,
    MaxValueValidator,
    RegexValidator,
)
from django.db import models
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager
from taggit.models import ItemBase

from kx_platform.models import UN_LANGUAGES, Theme

from .privacy import CONFIGURABLE_FIELDS, TIER_RANK

BIOGRAPHY_MAX_LENGTH = 5000
REASON_MAX_LENGTH = 2000
PHOTO_EXTENSIONS = ["jpg", "jpeg", "png", "webp"]

validate_phone = RegexValidator(
    r"^\+?[0-9][0-9 ().-]{5,22}[0-9]$",
    _("Enter a phone number with its country code, e.g. +254 20 123 4567."),
)


def allowed_language_codes():
    """The interface languages plus every UN language (Russian, Chinese)."""
    configured = [code.split("-")[0].lower() for code, _label in settings.LANGUAGES]
    return list(dict.fromkeys([*configured, *UN_LANGUAGES]))


def validate_language_code(value):
    if value not in allowed_language_codes():
        raise ValidationError(_("Choose one of the listed languages."), code="invalid_language")


def validate_visibility(value):
    if not isinstance(value, dict):
        raise ValidationError(_("Visibility must map field names to tiers."))
    for name, tier in value.items():
        if name not in CONFIGURABLE_FIELDS or tier not in TIER_RANK:
            raise ValidationError(_("Unknown visibility setting %(name)s."), params={"name": name})


def photo_path(instance, filename):
    """A random name, so that a photo's address says nothing and cannot be guessed."""
    extension = Path(filename).suffix.lower().lstrip(".")
    if extension not in PHOTO_EXTENSIONS:
        extension = "jpg"
    return f"experts/photos/{uuid.uuid4().hex}.{extension}"


class ProfileStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for vetting")
    APPROVED = "approved", _("Approved")
    NEEDS_INFO = "needs_info", _("More information requested")
    REJECTED = "rejected", _("Rejected")
    SUSPENDED = "suspended", _("Suspended")


class Availability(models.TextChoices):
    AVAILABLE = "available", _("Available")
    LIMITED = "limited", _("Limited availability")
    UNAVAILABLE = "unavailable", _("Not available at the moment")


class SupportOffer(models.TextChoices):
    TRAINING = "training", _("Training")
    MENTORING = "mentoring", _("Mentoring")
    PEER_REVIEW = "peer_review", _("Peer review")
    TECHNICAL_ASSISTANCE = "technical_assistance", _("Technical assistance")
    SPEAKING = "speaking", _("Speaking")


class LanguageLevel(models.TextChoices):
    BASIC = "basic", _("Basic")
    WORKING = "working", _("Working knowledge")
    FLUENT = "fluent", _("Fluent")
    NATIVE = "native", _("Native")


def validate_support_kinds(value):
    if not isinstance(value, list) or any(v not in SupportOffer.values for v in value):
        raise ValidationError(_("Choose kinds of support from the list."))


class ExpertTheme(ItemBase):
    """Links an expert profile to a theme (the through model of its taggit manager)."""

    tag = models.ForeignKey(Theme, related_name="expert_items", on_delete=models.CASCADE)
    content_object = models.ForeignKey(
        "experts.ExpertProfile", related_name="theme_items", on_delete=models.CASCADE
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["content_object", "tag"], name="unique_theme_per_expert"
            )
        ]


class ExpertProfile(models.Model):
    """An expert's roster profile; public only once moderators approve it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        related_name="expert_profile",
        on_delete=models.CASCADE,
    )
    display_name = models.CharField(_("name as shown"), max_length=150)
    professional_title = models.CharField(_("professional title"), max_length=200)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    institution = models.ForeignKey(
        "experts.Institution",
        verbose_name=_("institution"),
        related_name="experts",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        help_text=_("The centre of excellence you work with, if it is listed."),
    )
    country = models.ForeignKey(
        "kx_platform.Country",
        verbose_name=_("country"),
        related_name="experts",
        on_delete=models.PROTECT,
    )
    regions = models.ManyToManyField(
        "kx_platform.Region",
        verbose_name=_("regions of experience"),
        related_name="experts",
        blank=True,
    )
    pillars = models.ManyToManyField(
        "kx_platform.Pillar", verbose_name=_("pillars"), related_name="experts"
    )
    themes = TaggableManager(through=ExpertTheme, verbose_name=_("themes"), blank=True)
    years_of_experience = models.PositiveSmallIntegerField(
        _("years of experience"), validators=[MaxValueValidator(70)], null=True, blank=True
    )
    biography = models.TextField(
        _("biography"),
        max_length=BIOGRAPHY_MAX_LENGTH,
        blank=True,
        validators=[MaxLengthValidator(BIOGRAPHY_MAX_LENGTH)],
        help_text=_("Plain text, at most 5000 characters."),
    )
    support_kinds = models.JSONField(
        _("kinds of support offered"),
        default=list,
        blank=True,
        validators=[validate_support_kinds],
    )
    availability = models.CharField(
        _("availability"),
        max_length=20,
        choices=Availability.choices,
        default=Availability.AVAILABLE,
    )
    photo = models.ImageField(
        _("photo"),
        upload_to=photo_path,
        blank=True,
        validators=[FileExtensionValidator(PHOTO_EXTENSIONS)],
    )
    email = models.EmailField(_("contact e-mail"), help_text=_("Only moderators ever see it."))
    phone = models.CharField(
        _("contact phone"),
        max_length=30,
        blank=True,
        validators=[validate_phone],
        help_text=_("Optional. Only moderators ever see it."),
    )
    visibility = models.JSONField(
        _("who may see each field"),
        default=dict,
        blank=True,
        validators=[validate_visibility],
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ProfileStatus.choices,
        default=ProfileStatus.DRAFT,
        db_index=True,
    )
    is_focal_point = models.BooleanField(_("focal point"), default=False, editable=False)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, editable=False)
    # When the profile was last approved or reinstated: the roster lists newest first.
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["display_name"]
        verbose_name = _("expert profile")
        verbose_name_plural = _("expert profiles")
        permissions = [
            ("vet_expert", _("Can vet experts and see their contact details")),
        ]

    def __str__(self):
        return self.display_name

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("expert_detail", kwargs={"pk": self.pk})

    @property
    def is_approved(self):
        return self.status == ProfileStatus.APPROVED


class ExpertLanguage(models.Model):
    profile = models.ForeignKey(ExpertProfile, related_name="languages", on_delete=models.CASCADE)
    language = models.CharField(_("language"), max_length=10, validators=[validate_language_code])
    level = models.CharField(_("level"), max_length=10, choices=LanguageLevel.choices)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("language")
        verbose_name_plural = _("languages")
        constraints = [
            models.UniqueConstraint(
                fields=["profile", "language"], name="unique_language_per_expert"
            )
        ]

    def __str__(self):
        return f"{self.language} ({self.level})"


class ExpertLink(models.Model):
    profile = models.ForeignKey(ExpertProfile, related_name="links", on_delete=models.CASCADE)
    title = models.CharField(_("title"), max_length=200)
    url = models.URLField(_("address"), max_length=500)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("publication or link")
        verbose_name_plural = _("publications and links")

    def __str__(self):
        return self.title


class VettingAction(models.TextChoices):
    APPROVE = "approve", _("Approve")
    REJECT = "reject", _("Reject")
    REQUEST_INFO = "request_info", _("Request more information")
    SUSPEND = "suspend", _("Suspend")
    REINSTATE = "reinstate", _("Reinstate")
    SET_FOCAL_POINT = "set_focal_point", _("Make focal point")
    UNSET_FOCAL_POINT = "unset_focal_point", _("Remove focal point")


class VettingDecision(models.Model):
    """One moderator decision on a profile: who, when, what and why. Never edited."""

    profile = models.ForeignKey(
        ExpertProfile,
        verbose_name=_("profile"),
        related_name="decisions",
        on_delete=models.CASCADE,
    )
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("moderator"),
        related_name="vetting_decisions",
        # The expert's vetting history stays when a moderator's account is deleted (by an
        # administrator: moderators cannot delete their own), from "a former member".
        on_delete=models.SET_NULL,
        null=True,
    )
    action = models.CharField(_("action"), max_length=20, choices=VettingAction.choices)
    reason = models.TextField(
        _("reason"),
        max_length=REASON_MAX_LENGTH,
        blank=True,
        validators=[MaxLengthValidator(REASON_MAX_LENGTH)],
    )
    status_before = models.CharField(_("status before"), max_length=20, editable=False)
    status_after = models.CharField(_("status after"), max_length=20, editable=False)
    created_at = models.DateTimeField(_("decided at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("vetting decision")
        verbose_name_plural = _("vetting decisions")

    def __str__(self):
        return f"{self.get_action_display()}: {self.profile}"
