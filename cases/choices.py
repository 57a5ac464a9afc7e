"""The fixed vocabularies of a case (DESIGN.md §2), with English values in code and translated labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseStatus(models.TextChoices):
    POSSIBLE_VICTIM = "possible_victim", _("Open: possible victim")
    IDENTIFIED = "identified", _("Open: identified as trafficked")
    NOT_IDENTIFIED = "not_identified", _("Open: not identified")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = [CaseStatus.POSSIBLE_VICTIM, CaseStatus.IDENTIFIED, CaseStatus.NOT_IDENTIFIED]


class CloseReason(models.TextChoices):
    RETURNED = "returned", _("Returned to home country")
    INTEGRATED = "integrated", _("Stays in Denmark, support ended")
    LEFT_ON_OWN = "left_on_own", _("Left on own")
    DISAPPEARED = "disappeared", _("Disappeared / contact lost")
    DECLINED_SUPPORT = "declined_support", _("Declined further support")
    TRANSFERRED = "transferred", _("Transferred to another organisation")
    NOT_TRAFFICKING = "not_trafficking", _("Not a trafficking case")
    DECEASED = "deceased", _("Deceased")
    OTHER = "other", _("Other")


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Unknown")


class ResidenceStatus(models.TextChoices):
    NO_LEGAL_RESIDENCE = "no_legal_residence", _("No legal residence")
    ASYLUM_SEEKER = "asylum_seeker", _("Asylum seeker")
    REJECTED_ASYLUM_SEEKER = "rejected_asylum_seeker", _("Rejected asylum seeker")
    EU_CITIZEN = "eu_citizen", _("EU citizen")
    RESIDENCE_PERMIT = "residence_permit", _("Residence permit (also in another EU state)")
    DANISH_CITIZEN = "danish_citizen", _("Danish citizen")
    UNKNOWN = "unknown", _("Unknown")


class ExploitationType(models.TextChoices):
    SEXUAL = "sexual", _("Sexual exploitation")
    FORCED_LABOUR = "forced_labour", _("Forced labour")
    FORCED_CRIME = "forced_crime", _("Forced crime (theft, pickpocketing, drugs)")
    BEGGING = "begging", _("Begging")
    ORGAN_REMOVAL = "organ_removal", _("Organ removal")
    OTHER = "other", _("Other")


class ControlMeans(models.TextChoices):
    """How a person is controlled: the "means of control" of IOM's Human Trafficking Case Data Standard
    (HTCDS / CTDC), which condense the ILO operational indicators. A case records those that applied; an
    outreach worker records those observed on a contact (outreach.choices.Indicator is this list)."""

    DEBT_BONDAGE = "debt_bondage", _("Debt bondage or a debt that cannot be paid off")
    TAKES_EARNINGS = "takes_earnings", _("Someone else takes the earnings")
    THREATS = "threats", _("Threats against the person")
    PSYCHOLOGICAL_ABUSE = "psychological_abuse", _("Psychological abuse")
    PHYSICAL_ABUSE = "physical_abuse", _("Physical abuse")
    SEXUAL_ABUSE = "sexual_abuse", _("Sexual abuse")
    FALSE_PROMISES = "false_promises", _("False promises about work or conditions")
    PSYCHOACTIVE_SUBSTANCES = "psychoactive_substances", _("Forced use of drugs or alcohol")
    RESTRICTS_MOVEMENT = "restricts_movement", _("Movement is restricted or watched")
    RESTRICTS_MEDICAL_CARE = "restricts_medical_care", _("Kept from medical care")
    EXCESSIVE_HOURS = "excessive_hours", _("Excessive working hours")
    THREATS_TO_FAMILY = "threats_to_family", _("Threats against the family")
    THREAT_OF_AUTHORITIES = "threat_of_authorities", _("Threatened with the police or deportation")
    WITHHOLDS_NECESSITIES = "withholds_necessities", _("Food, sleep or other necessities withheld")
    WITHHOLDS_DOCUMENTS = "withholds_documents", _("Passport or ID documents taken")
    OTHER = "other", _("Other indicator")


class ForcedLabourSector(models.TextChoices):
    CONSTRUCTION = "construction", _("Construction")
    AGRICULTURE = "agriculture", _("Agriculture")
    HOTEL_RESTAURANT = "hotel_restaurant", _("Hotel and restaurant")
    CLEANING = "cleaning", _("Cleaning")
    DOMESTIC = "domestic", _("Domestic work / au pair")
    OTHER = "other", _("Other")


class AgeBand(models.TextChoices):
    """CTDC global dataset age bands (DESIGN.md §3)."""

    A0_8 = "0-8", "0-8"
    A9_17 = "9-17", "9-17"
    A18_20 = "18-20", "18-20"
    A21_23 = "21-23", "21-23"
    A24_26 = "24-26", "24-26"
    A27_29 = "27-29", "27-29"
    A30_38 = "30-38", "30-38"
    A39_47 = "39-47", "39-47"
    A48_PLUS = "48+", "48+"
    UNKNOWN = "unknown", _("Unknown")


_AGE_BAND_LIMITS = [
    (8, AgeBand.A0_8),
    (17, AgeBand.A9_17),
    (20, AgeBand.A18_20),
    (23, AgeBand.A21_23),
    (26, AgeBand.A24_26),
    (29, AgeBand.A27_29),
    (38, AgeBand.A30_38),
    (47, AgeBand.A39_47),
]


def age_band(age: int | None) -> str:
    """Return the CTDC age band of an age in whole years; None gives "unknown"."""
    if age is None:
        return AgeBand.UNKNOWN
    for upper, band in _AGE_BAND_LIMITS:
        if age <= upper:
            return band
    return AgeBand.A48_PLUS


class ServiceType(models.TextChoices):
    """The action plan's list of services (DESIGN.md §2, a-h)."""

    HARM_REDUCTION = "harm_reduction", _("Anonymous harm-reduction counselling")
    HEALTH_DOCTOR = "health_doctor", _("Health: doctor")
    HEALTH_PSYCHOLOGIST = "health_psychologist", _("Health: psychologist or psychiatrist")
    HEALTH_DENTIST = "health_dentist", _("Health: dentist")
    HEALTH_PHYSIOTHERAPY = "health_physiotherapy", _("Health: physiotherapy")
    HEALTH_HOSPITAL = "health_hospital", _("Health: hospital")
    POLICE_RAID_SUPPORT = "police_raid_support", _("Support at police raids")
    LEGAL_LAWYER = "legal_lawyer", _("Legal: lawyer")
    LEGAL_COURT_SUPPORT = "legal_court_support", _("Legal: support person in court")
    SOCIAL_MUNICIPAL = "social_municipal", _("Social: municipal contact")
    EDUCATION = "education", _("Short courses and education")
    PROTECTED_HOUSING = "protected_housing", _("Protected housing")
    PREPARED_RETURN = "prepared_return", _("Prepared return")


class ServiceMode(models.TextChoices):
    OFFERED = "offered", _("Offered")
    REFERRED = "referred", _("Referred")
    ACCOMPANIED = "accompanied", _("Accompanied")
    RECEIVED = "received", _("Received")


class HousingType(models.TextChoices):
    CRISIS_CENTRE = "crisis_centre", _("Specialised crisis centre")
    LOKK_SHELTER = "lokk_shelter", _("LOKK women's shelter")
    RED_CROSS_WOMENS_CENTRE = "red_cross_womens_centre", _("Red Cross women's centre")
    ASYLUM_CENTRE = "asylum_centre", _("Asylum centre")
    CHILDRENS_CENTRE = "childrens_centre", _("Children's centre")
    MUNICIPAL_PLACEMENT = "municipal_placement", _("Municipal placement (minors)")
    ALTERNATIVE_HOUSING_MEN = "alternative_housing_men", _("Alternative housing for men")
    OTHER = "other", _("Other")


class DischargeReason(models.TextChoices):
    MOVED_ON = "moved_on", _("Moved to other housing")
    RETURNED = "returned", _("Returned to home country")
    LEFT = "left", _("Left on own")
    DISAPPEARED = "disappeared", _("Disappeared")
    EXCLUDED = "excluded", _("Asked to leave")
    OTHER = "other", _("Other")


class ActivityStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class ActivityKind(models.TextChoices):
    COURSE = "course", _("Course")
    INTERNSHIP = "internship", _("Internship")
    EDUCATION = "education", _("Education")
    OTHER = "other", _("Other")


class TracingStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    IN_PROGRESS = "in_progress", _("In progress")
    FOUND = "found", _("Parents found")
    NOT_FOUND = "not_found", _("Not found")
    NOT_IN_INTEREST = "not_in_interest", _("Not in the child's interest")


class EventKind(models.TextChoices):
    OPENED = "opened", _("Case opened")
    CHANGED = "changed", _("Case facts changed")
    DETAILS_CHANGED = "details_changed", _("Personal details changed")
    CLOSED = "closed", _("Case closed")
    REOPENED = "reopened", _("Case reopened")
    TEAM = "team", _("Case team changed")
    SERVICE = "service", _("Service")
    ADMISSION = "admission", _("Admitted to housing")
    DISCHARGE = "discharge", _("Discharged from housing")
    REPRESENTATIVE = "representative", _("Personal representative")
    TRACING = "tracing", _("Parent tracing")
    ACTION_PLAN = "action_plan", _("Action plan")
    ACTIVITY = "activity", _("Planned activity")
    CLIENT_CODE = "client_code", _("Client code linked")
    CONTACT = "contact", _("Outreach contact")
    IDENTIFICATION = "identification", _("Identification")
    REFLECTION = "reflection", _("Reflection period")
    REFERRAL = "referral", _("Referral")
    RETURN = "return", _("Return")
    ANONYMISED = "anonymised", _("Personal data removed after the retention period")
    ERASED = "erased", _("Personal data erased on request")
