"""A person's file: the case (pseudonymous facts for statistics), identifying details kept apart and
encrypted, and what happens during the stay (services, housing, minors' protection, the action plan)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from cases.choices import (
    ActivityKind,
    ActivityStatus,
    CaseStatus,
    CloseReason,
    ControlMeans,
    DischargeReason,
    EventKind,
    ExploitationType,
    ForcedLabourSector,
    Gender,
    HousingType,
    ResidenceStatus,
    ServiceMode,
    ServiceType,
    TracingStatus,
    age_band,
)
from cmm.encryption import EncryptedCharField, EncryptedDateField, EncryptedTextField

User = settings.AUTH_USER_MODEL


class CaseNumberSequence(models.Model):
    """The last case number an organisation handed out in a year. Numbers are never reused."""

    organisation = models.ForeignKey("cmm.Organisation", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "year"], name="case_sequence_unique")]

    def __str__(self):
        return f"{self.organisation_id}/{self.year}: {self.last_value}"


class CaseQuerySet(models.QuerySet):
    def active(self):
        """Cases that are not soft-deleted."""
        return self.filter(deleted_at__isnull=True)


class Case(models.Model):
    """One person's file, known by a pseudonymous number. Holds only facts that do not identify."""

    number = models.CharField(_("case number"), max_length=30, unique=True, editable=False)
    organisation = models.ForeignKey(
        "cmm.Organisation", on_delete=models.PROTECT, related_name="cases", verbose_name=_("organisation")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.POSSIBLE_VICTIM
    )
    opened_on = models.DateField(_("opened on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    close_reason = models.CharField(
        _("reason for closing"), max_length=30, choices=CloseReason.choices, blank=True
    )
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, default=Gender.UNKNOWN)
    # The age when the case was opened, from the exact date of birth (kept in PersonalDetails) or an estimate.
    age_at_opening = models.PositiveSmallIntegerField(
        _("age when opened"), null=True, blank=True, validators=[MaxValueValidator(120)]
    )
    age_is_estimate = models.BooleanField(_("age is an estimate"), default=True)
    nationality = CountryField(_("nationality"), blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    residence_status = models.CharField(
        _("residence status"), max_length=30, choices=ResidenceStatus.choices, default=ResidenceStatus.UNKNOWN
    )
    unaccompanied_minor = models.BooleanField(_("unaccompanied minor"), default=False)
    contact_person = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contact_cases",
        verbose_name=_("contact person"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)
    deleted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    deletion_reason = EncryptedTextField(_("reason for deletion"), blank=True)
    # When the person's data was removed (retention or a GDPR erasure, cases.lifecycle); the facts stay.
    anonymised_at = models.DateTimeField(_("personal data removed"), null=True, blank=True, editable=False)

    history = HistoricalRecords(excluded_fields=["updated_at", "created_at"])
    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_on", "-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        permissions = [
            ("view_personal_details", "Can view the personal details of a case"),
            ("change_personal_details", "Can change the personal details of a case"),
        ]
        indexes = [
            models.Index(fields=["organisation", "status"]),
            models.Index(fields=["opened_on"]),
            models.Index(fields=["residence_status"]),
            models.Index(fields=["nationality"]),
            models.Index(fields=["contact_person"]),
        ]
        constraints = [
            models.CheckConstraint(
                name="case_closed_has_date_and_reason",
                condition=(
                    Q(status=CaseStatus.CLOSED, closed_on__isnull=False) & ~Q(close_reason="")
                    | ~Q(status=CaseStatus.CLOSED) & Q(closed_on__isnull=True, close_reason="")
                ),
            ),
            models.CheckConstraint(
                name="case_closed_after_opened",
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("opened_on")),
            ),
        ]

    def __str__(self):
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status != CaseStatus.CLOSED

    def age_on(self, day: datetime.date) -> int | None:
        """The person's age in whole years on `day`, counted on from the age at opening."""
        if self.age_at_opening is None:
            return None
        years = (
            day.year
            - self.opened_on.year
            - ((day.month, day.day) < (self.opened_on.month, self.opened_on.day))
        )
        return self.age_at_opening + max(years, 0)

    @property
    def age_band(self) -> str:
        return age_band(self.age_at_opening)

    @property
    def is_minor(self) -> bool:
        age = self.age_on(timezone.localdate())
        return age is not None and age < 18


class CaseUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)


class CaseGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)


class CaseExploitation(models.Model):
    """One form of exploitation in a case; a case may have several."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="exploitations")
    type = models.CharField(_("exploitation type"), max_length=20, choices=ExploitationType.choices)
    sector = models.CharField(
        _("forced-labour sector"), max_length=20, choices=ForcedLabourSector.choices, blank=True
    )

    class Meta:
        ordering = ["type"]
        constraints = [
            models.UniqueConstraint(fields=["case", "type"], name="case_exploitation_unique"),
            models.CheckConstraint(
                name="case_exploitation_sector_only_for_forced_labour",
                condition=Q(type=ExploitationType.FORCED_LABOUR) | Q(sector=""),
            ),
        ]
        indexes = [models.Index(fields=["type"])]

    def __str__(self):
        return self.get_type_display()


class CaseControlMeans(models.Model):
    """One means of control used on the person (CTDC's list); a case may have several."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="control_means")
    type = models.CharField(_("means of control"), max_length=30, choices=ControlMeans.choices)

    class Meta:
        ordering = ["type"]
        verbose_name = _("means of control")
        verbose_name_plural = _("means of control")
        constraints = [models.UniqueConstraint(fields=["case", "type"], name="case_control_means_unique")]
        indexes = [models.Index(fields=["type"])]

    def __str__(self):
        return self.get_type_display()


class CaseTeamMember(models.Model):
    """A user on the case team: sees the personal details (if their role allows) and gets the reminders."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="team")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="case_teams")
    added_at = models.DateTimeField(auto_now_add=True)
    added_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["added_at"]
        constraints = [models.UniqueConstraint(fields=["case", "user"], name="case_team_member_unique")]

    def __str__(self):
        return f"{self.case_id}: {self.user_id}"


class PersonalDetails(models.Model):
    """What identifies the person. Encrypted at rest; read only through cases.services with an audit entry."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="personal_details")
    full_name = EncryptedTextField(_("name"), blank=True)
    aliases = EncryptedTextField(_("aliases and other names"), blank=True)
    date_of_birth = EncryptedDateField(_("date of birth"), null=True, blank=True)
    id_documents = EncryptedTextField(_("passport and ID numbers"), blank=True)
    phone_numbers = EncryptedTextField(_("phone numbers"), blank=True)
    addresses = EncryptedTextField(_("addresses"), blank=True)
    shelter_location = EncryptedTextField(_("current shelter location"), blank=True)
    identity_notes = EncryptedTextField(_("notes on identity"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")

    history = HistoricalRecords(excluded_fields=["updated_at"])

    FIELDS = [
        "full_name",
        "aliases",
        "date_of_birth",
        "id_documents",
        "phone_numbers",
        "addresses",
        "shelter_location",
        "identity_notes",
    ]

    class Meta:
        verbose_name = _("personal details")
        verbose_name_plural = _("personal details")

    def __str__(self):
        return f"{self.case_id}"


class PersonalRepresentative(models.Model):
    """The personal representative of a minor (a professional, such as a social worker, for a trafficked
    child)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="representatives")
    name = EncryptedCharField(_("name"), max_length=200)
    organisation_name = EncryptedCharField(_("organisation"), max_length=200, blank=True)
    is_professional = models.BooleanField(_("professional (e.g. social worker)"), default=False)
    appointed_on = models.DateField(_("appointed on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-appointed_on"]
        constraints = [
            models.CheckConstraint(
                name="representative_ends_after_appointment",
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("appointed_on")),
            )
        ]

    def __str__(self):
        return f"{self.case_id}: representative {self.pk}"  # the name is personal data


class ParentTracing(models.Model):
    """Tracing the parents of an unaccompanied minor, or why it is not in the child's interest."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="parent_tracings")
    status = models.CharField(_("status"), max_length=20, choices=TracingStatus.choices)
    requested_on = models.DateField(_("requested on"), null=True, blank=True)
    with_whom = EncryptedCharField(_("with whom"), max_length=200, blank=True)
    reason = EncryptedTextField(_("reason"), blank=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.get_status_display()


class ActionPlan(models.Model):
    """The individual action plan made with the person for the stay."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="action_plan")
    goals = EncryptedTextField(_("goals"), blank=True)
    wishes_after_stay = EncryptedTextField(_("wishes for life after the stay"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    history = HistoricalRecords(excluded_fields=["updated_at"])

    def __str__(self):
        return f"{self.case_id}"


class ActionPlanReview(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="plan_reviews")
    review_on = models.DateField(_("review date"))
    held = models.BooleanField(_("held"), default=False)
    notes = EncryptedTextField(_("notes"), blank=True)

    class Meta:
        ordering = ["review_on"]

    def __str__(self):
        return f"{self.review_on}"


class PlannedActivity(models.Model):
    """A course, internship or other activity planned in the action plan."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(_("kind"), max_length=20, choices=ActivityKind.choices)
    title = EncryptedCharField(_("title"), max_length=200)
    provider = EncryptedCharField(_("provider"), max_length=200, blank=True)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ActivityStatus.choices, default=ActivityStatus.PLANNED
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                name="activity_ends_after_start",
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gte=F("starts_on")),
            )
        ]

    def __str__(self):
        return self.get_kind_display()  # the title is personal data


class CaseService(models.Model):
    """A service offered, referred, accompanied or received during the stay."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="services")
    service_type = models.CharField(_("service"), max_length=30, choices=ServiceType.choices)
    mode = models.CharField(_("how"), max_length=20, choices=ServiceMode.choices)
    provider = EncryptedCharField(_("provider"), max_length=200, blank=True)
    provided_on = models.DateField(_("date"))
    notes = EncryptedTextField(_("notes"), blank=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-provided_on", "-id"]
        indexes = [models.Index(fields=["service_type", "provided_on"])]

    def __str__(self):
        return self.get_service_type_display()


class ShelterStay(models.Model):
    """A stay in protected housing. Stays of one person never overlap (cases.services)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="stays")
    shelter = models.ForeignKey(
        "cmm.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="stays",
        verbose_name=_("shelter"),
        limit_choices_to={"kind": "shelter"},
    )
    housing_type = models.CharField(_("type of housing"), max_length=30, choices=HousingType.choices)
    housing_name = EncryptedCharField(_("name of the place"), max_length=200, blank=True)
    admitted_on = models.DateField(_("admitted on"))
    discharged_on = models.DateField(_("discharged on"), null=True, blank=True)
    discharge_reason = models.CharField(
        _("reason for discharge"), max_length=20, choices=DischargeReason.choices, blank=True
    )
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-admitted_on"]
        indexes = [models.Index(fields=["admitted_on"]), models.Index(fields=["discharged_on"])]
        constraints = [
            models.CheckConstraint(
                name="stay_discharged_after_admission",
                condition=Q(discharged_on__isnull=True) | Q(discharged_on__gte=F("admitted_on")),
            ),
            models.CheckConstraint(
                name="stay_discharge_reason_only_when_discharged",
                condition=Q(discharged_on__isnull=False) | Q(discharge_reason=""),
            ),
        ]

    def __str__(self):
        return f"{self.get_housing_type_display()} {self.admitted_on}"


class ClientCode(models.Model):
    """An anonymous client code (cases.client_codes): counts unique persons without knowing who they are.

    It can be linked to a case later; the facts it was made from are never stored.
    """

    code = models.CharField(_("client code"), max_length=20, unique=True)
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="client_codes"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    linked_at = models.DateTimeField(null=True, blank=True)
    linked_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    def __str__(self):
        return self.code


class CaseEvent(models.Model):
    """One line of the case timeline, written by the service that did the work (never identifying).

    `data` holds choice values and dates that the page turns into a sentence in the reader's language.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    occurred_on = models.DateField(_("date"))
    kind = models.CharField(_("what"), max_length=20, choices=EventKind.choices)
    data = models.JSONField(default=dict, blank=True)
    actor = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_on", "-recorded_at", "-id"]
        indexes = [models.Index(fields=["case", "occurred_on"])]

    def __str__(self):
        return self.get_kind_display()
