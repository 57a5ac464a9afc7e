"""Vocabularies of identification (DESIGN.md §2 "Identification (who decides)")."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Authority(models.TextChoices):
    IMMIGRATION_SERVICE = "immigration_service", _("Danish Immigration Service")
    CMM = "cmm", _("CMM")


class PresentedBy(models.TextChoices):
    POLICE = "police", _("Police")
    NGO = "ngo", _("NGO")
    CMM = "cmm", _("CMM")
    RED_CROSS = "red_cross", _("Red Cross")
    ASYLUM_PROCEDURE = "asylum_procedure", _("Asylum procedure")
    OTHER = "other", _("Other")


class Finding(models.TextChoices):
    """What the police (or a court) found."""

    TRAFFICKED = "trafficked", _("Trafficked")
    NOT_TRAFFICKED = "not_trafficked", _("Not trafficked")
    UNCLEAR = "unclear", _("Unclear")


class Outcome(models.TextChoices):
    IDENTIFIED = "identified", _("Identified as trafficked")
    NOT_IDENTIFIED = "not_identified", _("Not identified")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class TaskKind(models.TextChoices):
    APPOINT_CONTACT_PERSON = "appoint_contact_person", _("Appoint a contact person")
    PROFESSIONAL_REPRESENTATIVE = (
        "professional_representative",
        _("Appoint a professional personal representative"),
    )
    START_REFLECTION = "start_reflection", _("Start the reflection period")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")
