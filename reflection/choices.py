"""Vocabularies of the reflection period (DESIGN.md §2 "Reflection period (Aliens Act § 33(14))")."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PeriodKind(models.TextChoices):
    STATUTORY = "statutory", _("Statutory (Aliens Act § 33(14))")
    ACTION_PLAN = "action_plan", _("Action-plan period (legal residence)")


class ExtensionGround(models.TextChoices):
    PREPARED_RETURN = "prepared_return", _("Cooperation on a prepared return")
    MEDICAL = "medical", _("Medical grounds")
    TESTIMONY = "testimony", _("Testimony in a criminal case against the traffickers")
    OTHER = "other", _("Other special reason")


class PeriodOutcome(models.TextChoices):
    PREPARED_RETURN = "prepared_return", _("Prepared return (IOM)")
    LEFT_ON_OWN = "left_on_own", _("Left on own")
    POLICE_SUPERVISED = "police_supervised", _("Departure supervised by the police")
    DISAPPEARED = "disappeared", _("Disappeared")
    ASYLUM_APPLICATION = "asylum_application", _("Applied for asylum")
    RESIDENCE_PERMIT = "residence_permit", _("Residence permit granted")
    REMANDED = "remanded", _("Remanded in custody")
    OTHER = "other", _("Other")
