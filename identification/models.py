"""A presentation (forelæggelse) of a case for identification, its evidence, and the decisions on it."""

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cases.choices import ResidenceStatus
from cmm.encryption import EncryptedCharField, EncryptedTextField
from identification.choices import Authority, Finding, Outcome, PresentedBy, TaskKind, TaskStatus

User = settings.AUTH_USER_MODEL


class Presentation(models.Model):
    """A case presented for assessment. The residence status is copied from the case when presented and then
    kept, because it picks the competent authority at that time."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="presentations")
    presented_on = models.DateField(_("presented on"))
    presented_by = models.CharField(_("presented by"), max_length=20, choices=PresentedBy.choices)
    residence_status = models.CharField(
        _("residence status at presentation"), max_length=30, choices=ResidenceStatus.choices
    )
    authority = models.CharField(
        _("competent authority"),
        max_length=30,
        choices=Authority.choices,
        blank=True,
        help_text=_("Empty while the residence status is unknown."),
    )
    authority_organisation = models.ForeignKey(
        "cmm.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="presentations_to_decide",
        verbose_name=_("deciding organisation"),
    )
    # Age at presentation (identification figures count age at presentation), from the case.
    age_at_presentation = models.PositiveSmallIntegerField(_("age at presentation"), null=True, blank=True)
    unaccompanied_minor = models.BooleanField(_("unaccompanied minor"), default=False)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-presented_on", "-id"]
        verbose_name = _("presentation")
        verbose_name_plural = _("presentations")
        indexes = [
            models.Index(fields=["authority", "presented_on"]),
            models.Index(fields=["authority_organisation", "presented_on"]),
        ]

    def __str__(self):
        return f"{self.case_id} {self.presented_on}"


class PoliceAssessment(models.Model):
    presentation = models.ForeignKey(
        Presentation, on_delete=models.CASCADE, related_name="police_assessments"
    )
    assessed_on = models.DateField(_("assessed on"))
    finding = models.CharField(_("police assessment"), max_length=20, choices=Finding.choices)
    text = EncryptedTextField(_("the police's reasons"), blank=True)
    recorded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-assessed_on", "-id"]

    def __str__(self):
        return self.get_finding_display()


class IdentificationForm(models.Model):
    """The identification form a CMM or NGO social worker fills in: the indicators found in the interview."""

    presentation = models.ForeignKey(Presentation, on_delete=models.CASCADE, related_name="forms")
    interviewed_on = models.DateField(_("interview date"))
    indicators = models.JSONField(_("indicators found"), default=list)
    interpreter_used = models.BooleanField(_("interpreter used"), default=False)
    interpreter_language = models.CharField(_("interpreter language"), max_length=10, blank=True)
    narrative = EncryptedTextField(_("narrative"), blank=True)
    filled_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    organisation = models.ForeignKey("cmm.Organisation", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-interviewed_on", "-id"]

    def __str__(self):
        return f"{self.interviewed_on}"


def _private_storage():
    # FileField takes a storage or a callable, not a STORAGES alias; the callable also keeps the storage out
    # of the migrations.
    return storages["private"]


def _attachment_path(instance, filename):
    # A random name: the original file name may identify the person and is kept encrypted instead.
    import uuid

    return f"identification/{instance.presentation_id}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    """A document attached to a presentation, stored privately and served only after a permission check."""

    presentation = models.ForeignKey(Presentation, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=_attachment_path, storage=_private_storage)
    name = EncryptedTextField(_("file name"))
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self):
        return f"attachment {self.pk}"


class CourtVerdict(models.Model):
    """A court's ruling on whether the person was trafficked. A decision must follow it."""

    presentation = models.ForeignKey(Presentation, on_delete=models.CASCADE, related_name="verdicts")
    court = EncryptedCharField(_("court"), max_length=200)
    ruled_on = models.DateField(_("date of the verdict"))
    finding = models.CharField(
        _("finding"),
        max_length=20,
        choices=[
            (Finding.TRAFFICKED, Finding.TRAFFICKED.label),
            (Finding.NOT_TRAFFICKED, Finding.NOT_TRAFFICKED.label),
        ],
    )
    recorded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-ruled_on", "-id"]

    def __str__(self):
        return f"{self.get_finding_display()} {self.ruled_on}"  # the court's name is personal data


class DecisionQuerySet(models.QuerySet):
    def current(self):
        """Decisions not corrected by a later one."""
        return self.filter(superseded_by__isnull=True)


class Decision(models.Model):
    """The competent authority's decision. Never edited: a correction is a new decision that supersedes it."""

    presentation = models.ForeignKey(Presentation, on_delete=models.CASCADE, related_name="decisions")
    outcome = models.CharField(_("decision"), max_length=20, choices=Outcome.choices)
    decided_on = models.DateField(_("decision date"))
    authority = models.CharField(_("authority"), max_length=30, choices=Authority.choices)
    exploitation_types = models.JSONField(_("forms of exploitation established"), default=list, blank=True)
    reasons = EncryptedTextField(_("reasons"), blank=True)
    decided_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    organisation = models.ForeignKey("cmm.Organisation", on_delete=models.PROTECT, related_name="+")
    corrects = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
        verbose_name=_("corrects"),
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = DecisionQuerySet.as_manager()

    class Meta:
        ordering = ["-decided_on", "-recorded_at", "-id"]
        indexes = [models.Index(fields=["authority", "decided_on"])]

    def __str__(self):
        return self.get_outcome_display()


class IdentificationTask(models.Model):
    """Something that must happen after a person is identified, with a due date and a responsible
    organisation; shown on the dashboards and reminded when overdue."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="identification_tasks")
    presentation = models.ForeignKey(Presentation, on_delete=models.CASCADE, related_name="tasks")
    kind = models.CharField(_("task"), max_length=40, choices=TaskKind.choices)
    responsible_organisation = models.ForeignKey(
        "cmm.Organisation",
        on_delete=models.PROTECT,
        related_name="identification_tasks",
        verbose_name=_("responsible"),
    )
    due_on = models.DateField(_("due"))
    status = models.CharField(_("status"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    done_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    last_reminded_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["responsible_organisation", "status", "due_on"])]
        constraints = [
            models.UniqueConstraint(
                fields=["presentation", "kind"], condition=Q(status="open"), name="one_open_task_per_kind"
            ),
        ]

    def __str__(self):
        return self.get_kind_display()
