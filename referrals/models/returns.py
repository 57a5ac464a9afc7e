"""A prepared return and its reintegration plan (DESIGN.md §2 "Prepared return and reintegration")."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from cmm.encryption import EncryptedCharField, EncryptedTextField
from referrals.choices import (
    ACTIVE_RETURN_STATUSES,
    PREPARING_RETURN_STATUSES,
    ComponentKind,
    ComponentStatus,
    Currency,
    EscortKind,
    FollowUpMilestone,
    ReturnBody,
    ReturnChannel,
    ReturnStatus,
    TravelDocumentStatus,
)

User = settings.AUTH_USER_MODEL


class ReturnPlan(models.Model):
    """The plan of one person's prepared return. The responsible body is derived from the residence status
    (referrals.routing); the status moves only along the workflow in referrals.services.returns (no skips)."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="return_plans", verbose_name=_("case")
    )
    responsible_body = models.CharField(_("responsible"), max_length=30, choices=ReturnBody.choices)
    channel = models.CharField(_("channel"), max_length=20, choices=ReturnChannel.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=ReturnStatus.choices, default=ReturnStatus.DRAFT
    )
    iom_reference = EncryptedCharField(_("IOM reference"), max_length=60, blank=True)
    destination_country = CountryField(_("destination country"))
    destination_city = EncryptedCharField(_("destination city"), max_length=120, blank=True)
    planned_departure_on = models.DateField(_("planned departure"), null=True, blank=True)
    actual_departure_on = models.DateField(_("actual departure"), null=True, blank=True)
    travel_documents = models.CharField(
        _("travel documents"),
        max_length=20,
        choices=TravelDocumentStatus.choices,
        default=TravelDocumentStatus.TO_OBTAIN,
    )
    escort = models.CharField(_("escort"), max_length=30, choices=EscortKind.choices, default=EscortKind.NONE)
    escort_name = EncryptedCharField(
        _("escort's name or role"),
        max_length=200,
        blank=True,
        help_text=_("A professional's name or role, never the person's family."),
    )
    receiving_organisation = EncryptedCharField(
        _("receiving organisation in the home country"), max_length=200, blank=True
    )
    # A minor's plan is made with the personal representative; it cannot be sent before this is recorded.
    representative = models.ForeignKey(
        "cases.PersonalRepresentative",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("personal representative involved"),
    )
    representative_involved_on = models.DateField(_("representative involved on"), null=True, blank=True)
    representative_involvement = EncryptedTextField(_("how the representative took part"), blank=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("return plan")
        verbose_name_plural = _("return plans")
        indexes = [
            models.Index(fields=["status", "actual_departure_on"]),
            models.Index(fields=["destination_country"]),
            models.Index(fields=["channel", "actual_departure_on"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(status__in=ACTIVE_RETURN_STATUSES),
                name="one_return_plan_in_progress_per_case",
            ),
            models.CheckConstraint(
                name="return_departed_has_date",
                condition=Q(
                    status__in=[ReturnStatus.DEPARTED, ReturnStatus.FOLLOW_UP, ReturnStatus.COMPLETED],
                    actual_departure_on__isnull=False,
                )
                | ~Q(status__in=[ReturnStatus.DEPARTED, ReturnStatus.FOLLOW_UP, ReturnStatus.COMPLETED]),
            ),
        ]

    def __str__(self):
        return f"{self.case_id} → {self.destination_country} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_RETURN_STATUSES

    @property
    def is_preparing(self) -> bool:
        """Before departure: a ground for extending the reflection period."""
        return self.status in PREPARING_RETURN_STATUSES


class ReturnStatusChange(models.Model):
    """One step of a plan's workflow, with its date: the plan's dated history."""

    plan = models.ForeignKey(ReturnPlan, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(_("from"), max_length=20, choices=ReturnStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=ReturnStatus.choices)
    changed_on = models.DateField(_("date"))
    note = EncryptedTextField(_("note"), blank=True)
    changed_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["changed_on", "recorded_at", "id"]
        indexes = [models.Index(fields=["to_status", "changed_on"])]

    def __str__(self):
        return f"{self.from_status} → {self.to_status}"


class ReintegrationComponent(models.Model):
    """One part of the reintegration support for the first three months, with its budget."""

    plan = models.ForeignKey(ReturnPlan, on_delete=models.CASCADE, related_name="components")
    kind = models.CharField(_("component"), max_length=20, choices=ComponentKind.choices)
    budget_amount = models.DecimalField(
        _("budget"), max_digits=10, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, default=Currency.DKK)
    status = models.CharField(
        _("status"), max_length=20, choices=ComponentStatus.choices, default=ComponentStatus.PLANNED
    )
    notes = EncryptedTextField(_("notes"), blank=True)

    class Meta:
        ordering = ["plan", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "kind"], name="one_component_of_a_kind_per_plan"),
            models.CheckConstraint(name="component_budget_not_negative", condition=Q(budget_amount__gte=0)),
        ]

    def __str__(self):
        return self.get_kind_display()


class ReturnFollowUp(models.Model):
    """The follow-up one and three months after departure; its due date is reminded once."""

    plan = models.ForeignKey(ReturnPlan, on_delete=models.CASCADE, related_name="follow_ups")
    milestone = models.CharField(_("follow-up"), max_length=20, choices=FollowUpMilestone.choices)
    due_on = models.DateField(_("due"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    note = EncryptedTextField(_("follow-up note"), blank=True)
    recorded_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["done_on", "due_on"])]
        constraints = [
            models.UniqueConstraint(fields=["plan", "milestone"], name="one_follow_up_per_milestone"),
        ]

    def __str__(self):
        return f"{self.plan_id} {self.milestone}"
