"""Closed vocabularies of a good practice (DOMAIN.md, "Classification axes")."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Scale(models.TextChoices):
    BILATERAL = "bilateral", _("Bilateral")
    REGIONAL = "regional", _("Regional")
    INTERREGIONAL = "interregional", _("Interregional")
    TRIANGULAR = "triangular", _("Triangular")


class EvidenceStage(models.TextChoices):
    TESTED = "tested", _("Tested")
    VALIDATED = "validated", _("Validated")
    ADAPTED = "adapted", _("Adapted")
    SCALED_UP = "scaled_up", _("Scaled up")


class SupportKind(models.TextChoices):
    TRAINING = "training", _("Training courses")
    TECHNICAL_ASSISTANCE = "technical_assistance", _("Technical assistance")
    PEER_EXCHANGE = "peer_exchange", _("Peer exchange or study visit")
    FINANCIAL = "financial", _("Financial support")
    IN_KIND = "in_kind", _("In-kind contribution")
