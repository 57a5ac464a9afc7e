"""Vocabularies of activity that is not a case (DESIGN.md §2 "Activity that is not a case")."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.choices import ControlMeans


class Venue(models.TextChoices):
    STREET = "street", _("Street")
    MASSAGE_CLINIC = "massage_clinic", _("Massage clinic")
    ESCORT = "escort", _("Escort")
    INTERNET = "internet", _("Internet")
    BAR = "bar", _("Bar")
    ASYLUM_CENTRE = "asylum_centre", _("Asylum centre")
    PRISON = "prison", _("Prison")
    SECURE_INSTITUTION = "secure_institution", _("Secure institution for minors")
    MEETING_PLACE = "meeting_place", _("Meeting place")
    HEALTH_CLINIC = "health_clinic", _("Health clinic")
    MOBILE_HEALTH_UNIT = "mobile_health_unit", _("Mobile health unit")
    POLICE_RAID = "police_raid", _("Police raid")
    POLICE_STATION = "police_station", _("Police station")
    OTHER = "other", _("Other")


# The indicators a worker observes on a contact are the means of control of a case: one CTDC list.
Indicator = ControlMeans


class OutreachService(models.TextChoices):
    INFORMATION = "information", _("Information and advice")
    HARM_REDUCTION = "harm_reduction", _("Harm-reduction counselling")
    HEALTH = "health", _("Health care or referral")
    LEGAL = "legal", _("Legal advice or referral")
    SHELTER = "shelter", _("Offer of protected housing")
    INTERPRETER = "interpreter", _("Interpretation")
    SUPPLIES = "supplies", _("Condoms and supplies")
    HOTLINE_INFO = "hotline_info", _("Hotline number given")
    OTHER = "other", _("Other")


class CallerCategory(models.TextChoices):
    POLICE = "police", _("Police")
    PARTNER = "partner", _("Partner organisation")
    INFORMANT = "informant", _("Other informant")
    STUDENT = "student", _("Student or pupil")
    POSSIBLE_VICTIM = "possible_victim", _("Possible victim")
    OTHER = "other", _("Other")


class CallPurpose(models.TextChoices):
    INFORMATION = "information", _("Information")
    RAID_WARNING = "raid_warning", _("Warning of a police raid")
    VICTIM_NEEDS_ASSISTANCE = "victim_assistance", _("Possible victim needing assistance")
    CASE_FOLLOW_UP = "case_follow_up", _("Follow-up on a case")
    OTHER = "other", _("Other")


class PoliceDistrict(models.TextChoices):
    """The 12 police districts of Denmark (Greenland and the Faroe Islands have their own police)."""

    NORDJYLLAND = "nordjylland", _("North Jutland Police")
    OESTJYLLAND = "oestjylland", _("East Jutland Police")
    MIDT_VESTJYLLAND = "midt_vestjylland", _("Central and West Jutland Police")
    SYDOESTJYLLAND = "sydoestjylland", _("South-East Jutland Police")
    SYD_SOENDERJYLLAND = "syd_soenderjylland", _("South Jutland Police")
    FYN = "fyn", _("Funen Police")
    SYDSJAELLAND_LF = "sydsjaelland_lf", _("South Zealand and Lolland-Falster Police")
    MIDT_VESTSJAELLAND = "midt_vestsjaelland", _("Central and West Zealand Police")
    NORDSJAELLAND = "nordsjaelland", _("North Zealand Police")
    KOEBENHAVNS_VESTEGN = "koebenhavns_vestegn", _("Copenhagen West Police")
    KOEBENHAVN = "koebenhavn", _("Copenhagen Police")
    BORNHOLM = "bornholm", _("Bornholm Police")
