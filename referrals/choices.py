"""Vocabularies of referrals, prepared returns and the referral groups (DESIGN.md §2), English values in code
and translated labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _

# --- Case referrals -----------------------------------------------------------------------------------


class ReferralKind(models.TextChoices):
    SHARE = "share", _("Share the case")
    TRANSFER = "transfer", _("Transfer ownership of the case")


class ReferralReason(models.TextChoices):
    IDENTIFICATION = "identification", _("Assessment and identification")
    CONTACT_PERSON = "contact_person", _("Contact person")
    HOUSING = "housing", _("Protected housing")
    HEALTH = "health", _("Health care")
    LEGAL = "legal", _("Legal assistance")
    SOCIAL = "social", _("Social support")
    EDUCATION = "education", _("Courses and education")
    PREPARED_RETURN = "prepared_return", _("Prepared return")
    OTHER = "other", _("Other")


class ConsentScope(models.TextChoices):
    """What the person agreed may be shared with the receiving organisation."""

    FACTS = "facts", _("Case facts and timeline, no identifying details")
    FACTS_AND_DETAILS = "facts_and_details", _("Case facts and identifying details (name, contact details)")


class ReferralStatus(models.TextChoices):
    PENDING = "pending", _("Sent, waiting for an answer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn before an answer")
    REVOKED = "revoked", _("Revoked")
    CLOSED = "closed", _("Closed")


# A referral in one of these gives (or may soon give) the receiver access; at most one per case and receiver.
OPEN_REFERRAL_STATUSES = [ReferralStatus.PENDING, ReferralStatus.ACCEPTED]


# --- Prepared return and reintegration ----------------------------------------------------------------


class ReturnBody(models.TextChoices):
    """Who is responsible for the return (DESIGN.md §2 "Prepared return and reintegration")."""

    IMMIGRATION_SERVICE = "immigration_service", _("Immigration Service with IOM")
    CMM = "cmm", _("CMM")


class ReturnChannel(models.TextChoices):
    """How the return is carried out; the statistics count completed returns by channel."""

    IOM = "iom", _("IOM")
    CMM = "cmm", _("CMM")
    NGO = "ngo", _("NGO")
    EMBASSY = "embassy", _("Embassy")


class ReturnStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT_TO_IOM = "sent_to_iom", _("Sent to IOM")
    APPROVED = "approved", _("Approved")
    DEPARTED = "departed", _("Departed")
    FOLLOW_UP = "follow_up", _("Three-month follow-up")
    COMPLETED = "completed", _("Completed")
    DECLINED = "declined", _("Declined by the person (the police handle departure)")
    CANCELLED = "cancelled", _("Cancelled")


# A plan in one of these is in progress; a case has at most one.
ACTIVE_RETURN_STATUSES = [
    ReturnStatus.DRAFT,
    ReturnStatus.SENT_TO_IOM,
    ReturnStatus.APPROVED,
    ReturnStatus.DEPARTED,
    ReturnStatus.FOLLOW_UP,
]
# Before departure: a plan in one of these is a ground for extending the reflection period.
PREPARING_RETURN_STATUSES = [ReturnStatus.DRAFT, ReturnStatus.SENT_TO_IOM, ReturnStatus.APPROVED]


class TravelDocumentStatus(models.TextChoices):
    TO_OBTAIN = "to_obtain", _("To be obtained")
    APPLIED = "applied", _("Applied for")
    READY = "ready", _("Ready")
    NOT_NEEDED = "not_needed", _("Not needed")


class EscortKind(models.TextChoices):
    NONE = "none", _("No escort")
    PERSONAL_REPRESENTATIVE = "personal_representative", _("The personal representative")
    IOM = "iom", _("IOM staff")
    SOCIAL_WORKER = "social_worker", _("Social worker (CMM or NGO)")
    OTHER = "other", _("Other")


class ComponentKind(models.TextChoices):
    """Reintegration support for the first three months after return."""

    RECEPTION = "reception", _("Reception on arrival")
    HOUSING = "housing", _("Housing")
    SUBSISTENCE = "subsistence", _("Subsistence")
    MEDICAL = "medical", _("Medical care")
    PSYCHOSOCIAL = "psychosocial", _("Psychosocial support")
    VOCATIONAL = "vocational", _("Vocational training")
    BUSINESS = "business", _("Small-business start-up")
    SCHOOLING = "schooling", _("Schooling and teaching materials (minors)")
    THERAPY = "therapy", _("Medicine or therapy")


# Components that only a minor's plan may carry.
MINOR_ONLY_COMPONENTS = [ComponentKind.SCHOOLING]


class ComponentStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    APPROVED = "approved", _("Approved")
    DELIVERED = "delivered", _("Delivered")
    CANCELLED = "cancelled", _("Cancelled")


class Currency(models.TextChoices):
    DKK = "DKK", "DKK"
    EUR = "EUR", "EUR"
    USD = "USD", "USD"


class FollowUpMilestone(models.TextChoices):
    ONE_MONTH = "one_month", _("One month after departure")
    THREE_MONTHS = "three_months", _("Three months after departure")


# --- Referral groups ----------------------------------------------------------------------------------


class GroupKind(models.TextChoices):
    REGIONAL = "regional", _("Regional referral group")
    NATIONAL = "national", _("National referral group")


class GroupRegion(models.TextChoices):
    """The six regional referral groups of the national referral mechanism."""

    NORDJYLLAND = "nordjylland", _("Nordjylland")
    MIDTJYLLAND = "midtjylland", _("Midtjylland")
    SYDDANMARK = "syddanmark", _("Syddanmark")
    NORDSJAELLAND = "nordsjaelland", _("Nordsjælland")
    SYDSJAELLAND = "sydsjaelland", _("Sydsjælland")
    KOBENHAVN = "kobenhavn", _("København")


class MemberSector(models.TextChoices):
    POLICE = "police", _("Police")
    HEALTH = "health", _("Health")
    MUNICIPALITY = "municipality", _("Municipality")
    ASYLUM_CENTRE = "asylum_centre", _("Asylum centre")
    NGO = "ngo", _("NGO")
    CMM = "cmm", _("CMM")
    PROSECUTION = "prosecution", _("Prosecution")
    IMMIGRATION = "immigration", _("Immigration authorities")
    OTHER = "other", _("Other")


class TopicStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ESCALATED = "escalated", _("Escalated to the national group")
    CLOSED = "closed", _("Closed")
