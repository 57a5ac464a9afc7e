"""Reflection periods, their extensions and postponements, and the reminders sent about their deadlines."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from reflection.choices import ExtensionGround, PeriodKind, PeriodOutcome
from reflection.dates import MAX_DAYS

User = settings.AUTH_USER_MODEL


class ReflectionPeriod(models.Model):
    """A case's reflection period. `ends_on` is kept by the services (reflection.dates) and is empty while the
    period is postponed; `total_days` is the length granted so far, extensions included (at most 100, and so
    are the days counted to the deadline: reflection.dates.refuse_beyond_limit)."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="reflection_periods")
    kind = models.CharField(_("kind"), max_length=20, choices=PeriodKind.choices)
    starts_on = models.DateField(_("start"))
    initial_days = models.PositiveSmallIntegerField(
        _("initial length (days)"), default=30, validators=[MinValueValidator(1), MaxValueValidator(MAX_DAYS)]
    )
    short_reason = models.TextField(_("special reason for a shorter period"), blank=True)
    total_days = models.PositiveSmallIntegerField(
        _("length (days)"), validators=[MinValueValidator(1), MaxValueValidator(MAX_DAYS)]
    )
    ends_on = models.DateField(_("deadline"), null=True, blank=True)
    decision = models.ForeignKey(
        "identification.Decision",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("identification decision"),
    )
    outcome = models.CharField(_("outcome"), max_length=30, choices=PeriodOutcome.choices, blank=True)
    outcome_on = models.DateField(_("outcome date"), null=True, blank=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["ends_on", "id"]
        verbose_name = _("reflection period")
        verbose_name_plural = _("reflection periods")
        indexes = [models.Index(fields=["outcome", "ends_on"]), models.Index(fields=["starts_on"])]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(outcome=""), name="one_running_period_per_case"
            ),
            models.CheckConstraint(name="period_at_most_100_days", condition=Q(total_days__lte=MAX_DAYS)),
            models.CheckConstraint(
                name="period_outcome_has_date",
                condition=Q(outcome="", outcome_on__isnull=True)
                | (~Q(outcome="") & Q(outcome_on__isnull=False)),
            ),
        ]

    def __str__(self):
        return f"{self.case_id} {self.starts_on}"

    @property
    def is_running(self) -> bool:
        return not self.outcome


class Extension(models.Model):
    period = models.ForeignKey(ReflectionPeriod, on_delete=models.CASCADE, related_name="extensions")
    new_total_days = models.PositiveSmallIntegerField(
        _("new total length (days)"), validators=[MinValueValidator(2), MaxValueValidator(MAX_DAYS)]
    )
    ground = models.CharField(_("ground"), max_length=20, choices=ExtensionGround.choices)
    ground_text = models.TextField(_("explanation"), blank=True)
    decided_on = models.DateField(_("decision date"))
    recorded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["decided_on", "id"]

    def __str__(self):
        return f"{self.new_total_days}"


class Postponement(models.Model):
    """While the authorities examine conditions in the home country no end date runs."""

    period = models.ForeignKey(ReflectionPeriod, on_delete=models.CASCADE, related_name="postponements")
    from_date = models.DateField(_("postponed from"))
    reason = models.TextField(_("reason"))
    lifted_on = models.DateField(_("lifted on"), null=True, blank=True)
    # A new deadline decided when the postponement is lifted; otherwise the remaining days continue.
    new_ends_on = models.DateField(_("new deadline decided at the lift"), null=True, blank=True)
    # The length granted when the new deadline was decided: a later extension adds its extra days to it.
    total_days_at_lift = models.PositiveSmallIntegerField(null=True, blank=True)
    recorded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["from_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["period"],
                condition=Q(lifted_on__isnull=True),
                name="one_open_postponement_per_period",
            ),
        ]

    def __str__(self):
        return f"{self.from_date}"


class Notification(models.Model):
    """One reminder to one person about one milestone of one deadline: written once (the unique constraints),
    in the app at once and by e-mail through the outbox. Never identifying: it names the case number.

    The deadline is a reflection period's, a return plan's follow-up (with its case), or a referral-group
    follow-up action (no case); exactly one of the three is set. A period's reminder records the deadline it
    was about (`deadline`), which is part of its key: when the deadline moves, the milestones before the new
    one are reminded again, once each, and the e-mails still waiting about the old one are dropped (they are
    found through `outbound_email`).
    """

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    period = models.ForeignKey(
        ReflectionPeriod, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    return_follow_up = models.ForeignKey(
        "referrals.ReturnFollowUp",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    group_action = models.ForeignKey(
        "referrals.MeetingAction",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    milestone = models.CharField(max_length=40)
    days_left = models.SmallIntegerField()
    # The period's deadline this reminder is about (empty for the other kinds).
    deadline = models.DateField(null=True, blank=True)
    # The e-mail of this reminder in the outbox, if the recipient has an address.
    outbound_email = models.ForeignKey(
        "cmm.OutboundEmail", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "deadline", "milestone", "recipient"],
                name="one_reminder_per_deadline_milestone",
            ),
            models.UniqueConstraint(
                fields=["return_follow_up", "milestone", "recipient"],
                condition=Q(return_follow_up__isnull=False),
                name="one_reminder_per_follow_up_milestone",
            ),
            models.UniqueConstraint(
                fields=["group_action", "milestone", "recipient"],
                condition=Q(group_action__isnull=False),
                name="one_reminder_per_action_milestone",
            ),
            models.CheckConstraint(
                name="notification_about_exactly_one_deadline",
                condition=Q(period__isnull=False, return_follow_up__isnull=True, group_action__isnull=True)
                | Q(period__isnull=True, return_follow_up__isnull=False, group_action__isnull=True)
                | Q(period__isnull=True, return_follow_up__isnull=True, group_action__isnull=False),
            ),
            models.CheckConstraint(
                name="period_reminder_names_its_deadline",
                condition=Q(period__isnull=True) | Q(deadline__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.milestone} {self.case_id}"


class CalendarToken(models.Model):
    """The secret of a user's calendar feed of deadlines; revoked by replacing it."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="calendar_token")
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"calendar of {self.user_id}"
