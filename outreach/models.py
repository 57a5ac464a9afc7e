"""Activity that is not a case: outreach contacts, meeting-place opening days, health-clinic consultations,
hotline calls and police raids. Each row belongs to the organisation that recorded it."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from cases.choices import AgeBand, Gender
from cmm.models import Region
from outreach.choices import CallerCategory, CallPurpose, PoliceDistrict, Venue

User = settings.AUTH_USER_MODEL
MAX_GROUP = 50
# A submission id is made by the client, never by the server's counter: a random, opaque token of 16-64
# letters, digits, "-" or "_" (a UUID, 32 hex digits). Short ones are refused: they could be guessed.
SUBMISSION_ID_MAX = 64
submission_id_validator = RegexValidator(
    rf"^[A-Za-z0-9_-]{{16,{SUBMISSION_ID_MAX}}}\Z",
    _("A submission id is 16 to 64 letters, digits, '-' or '_', such as a UUID."),
    code="invalid",
)


class PoliceRaid(models.Model):
    """A police raid an organisation was called in to, with what was met there."""

    organisation = models.ForeignKey(
        "cmm.Organisation",
        on_delete=models.PROTECT,
        related_name="police_raids",
        verbose_name=_("organisation"),
    )
    date = models.DateField(_("date"))
    police_district = models.CharField(_("police district"), max_length=30, choices=PoliceDistrict.choices)
    location_type = models.CharField(_("type of place"), max_length=30, choices=Venue.choices)
    city = models.CharField(_("city"), max_length=100, blank=True)
    organisations_present = models.ManyToManyField(
        "cmm.Organisation", blank=True, related_name="+", verbose_name=_("organisations present")
    )
    persons_met = models.PositiveIntegerField(_("persons met"), validators=[MaxValueValidator(10000)])
    persons_with_indicators = models.PositiveIntegerField(
        _("persons with indicators of trafficking"), validators=[MaxValueValidator(10000)]
    )
    contacts_made = models.PositiveIntegerField(
        _("contacts made"), default=0, validators=[MaxValueValidator(10000)]
    )
    note = models.TextField(_("note"), blank=True, max_length=1000)
    recorded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("police raid")
        verbose_name_plural = _("police raids")
        indexes = [
            models.Index(fields=["organisation", "date"]),
            models.Index(fields=["police_district", "date"]),
        ]
        constraints = [
            models.CheckConstraint(
                name="raid_indicators_within_persons_met",
                condition=Q(persons_with_indicators__lte=F("persons_met")),
            ),
        ]

    def __str__(self):
        return f"{self.date} {self.get_police_district_display()}"


class Contact(models.Model):
    """One outreach contact: a person (or a group met together, counted per person) at a venue.

    The person is a case the worker may see, an anonymous client code, or only gender, nationality and age
    band. The note is short and must not name anyone.
    """

    organisation = models.ForeignKey(
        "cmm.Organisation", on_delete=models.PROTECT, related_name="contacts", verbose_name=_("organisation")
    )
    worker = models.ForeignKey(
        User, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("worker")
    )
    occurred_at = models.DateTimeField(_("date and time"))
    venue = models.CharField(_("venue"), max_length=30, choices=Venue.choices)
    city = models.CharField(_("city"), max_length=100, blank=True)
    region = models.CharField(_("region"), max_length=20, choices=Region.choices, blank=True)
    case = models.ForeignKey(
        "cases.Case",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contacts",
        verbose_name=_("case"),
    )
    client_code = models.CharField(_("client code"), max_length=20, blank=True, db_index=True)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, default=Gender.UNKNOWN)
    nationality = CountryField(_("nationality"), blank=True)
    age_band = models.CharField(
        _("age band"), max_length=10, choices=AgeBand.choices, default=AgeBand.UNKNOWN
    )
    group_size = models.PositiveSmallIntegerField(
        _("people met together"), default=1, validators=[MinValueValidator(1), MaxValueValidator(MAX_GROUP)]
    )
    first_time_met = models.BooleanField(_("first time met"), default=False)
    indicators = models.JSONField(_("indicators of trafficking observed"), default=list, blank=True)
    # Kept in step with `indicators` by the service, so that statistics can count in the database.
    has_indicators = models.BooleanField(_("indicators observed"), default=False)
    services_offered = models.JSONField(_("services offered"), default=list, blank=True)
    language = models.CharField(_("language used"), max_length=10, blank=True)
    note = models.CharField(_("short note"), max_length=500, blank=True)
    police_raid = models.ForeignKey(
        PoliceRaid,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contacts",
        verbose_name=_("police raid"),
    )
    # The id of the submission that logged the contact (the quick form's hidden token, the API's
    # `submission_id`, the id an offline phone makes for what it sends later), unique across all
    # organisations and claimed in the transaction that inserts the row: a form sent twice, two requests
    # racing, an outbox replayed after a lost answer all log one contact (outreach.services.contact_log_once).
    # Unique globally, not per organisation: the id names one submission from one device, so a replay made
    # after the worker switched organisation must not log a second contact elsewhere, and a random id is
    # never shared by chance. NULL (not "") for contacts logged without one (imports, older rows): NULLs are
    # distinct under the constraint, empty strings would collide.
    submission_id = models.CharField(  # noqa: DJ001
        _("submission id"),
        max_length=SUBMISSION_ID_MAX,
        null=True,
        blank=True,
        editable=False,
        validators=[submission_id_validator],
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("outreach contact")
        verbose_name_plural = _("outreach contacts")
        permissions = [("import_activity", "Can import historical activity records")]
        indexes = [
            models.Index(fields=["organisation", "occurred_at"]),
            models.Index(fields=["venue", "occurred_at"]),
            models.Index(fields=["worker", "occurred_at"]),
            models.Index(fields=["case", "occurred_at"]),
            # Statistics for all organisations select a period across every organisation.
            models.Index(fields=["occurred_at"], name="contact_occurred_at_idx"),
            # "New persons": the organisation's first contact with a client code (reports.statistics).
            models.Index(
                fields=["organisation", "client_code", "occurred_at"],
                condition=Q(case__isnull=True),
                name="contact_code_first_idx",
            ),
        ]
        constraints = [
            # NULLs are distinct: contacts without a submission id are not constrained.
            models.UniqueConstraint(fields=["submission_id"], name="contact_submission_id_unique"),
        ]

    def __str__(self):
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.get_venue_display()}"


class MeetingPlaceSession(models.Model):
    """One opening day of a drop-in meeting place."""

    organisation = models.ForeignKey(
        "cmm.Organisation",
        on_delete=models.PROTECT,
        related_name="meeting_sessions",
        verbose_name=_("organisation"),
    )
    place = models.CharField(_("meeting place"), max_length=200)
    date = models.DateField(_("date"))
    opens_at = models.TimeField(_("opens"), null=True, blank=True)
    closes_at = models.TimeField(_("closes"), null=True, blank=True)
    visitors = models.PositiveIntegerField(_("visitors"), validators=[MaxValueValidator(10000)])
    returning_visitors = models.PositiveIntegerField(
        _("of whom returning"), validators=[MaxValueValidator(10000)]
    )
    health_clinic_open = models.BooleanField(_("health clinic open"), default=False)
    recorded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("meeting-place session")
        verbose_name_plural = _("meeting-place sessions")
        indexes = [models.Index(fields=["organisation", "date"])]
        constraints = [
            models.CheckConstraint(
                name="session_returning_within_visitors", condition=Q(returning_visitors__lte=F("visitors"))
            ),
            models.UniqueConstraint(
                fields=["organisation", "place", "date"], name="session_one_per_place_and_day"
            ),
        ]

    def __str__(self):
        return f"{self.place} {self.date}"


class ClinicConsultation(models.Model):
    """The number of consultations of a health clinic on one day."""

    organisation = models.ForeignKey(
        "cmm.Organisation",
        on_delete=models.PROTECT,
        related_name="clinic_consultations",
        verbose_name=_("organisation"),
    )
    clinic = models.CharField(_("clinic"), max_length=200)
    date = models.DateField(_("date"))
    consultations = models.PositiveIntegerField(_("consultations"), validators=[MaxValueValidator(10000)])
    contacts = models.ManyToManyField(
        Contact, blank=True, related_name="+", verbose_name=_("linked contacts")
    )
    recorded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("health-clinic consultations")
        verbose_name_plural = _("health-clinic consultations")
        indexes = [models.Index(fields=["organisation", "date"])]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "clinic", "date"], name="clinic_one_row_per_day"),
        ]

    def __str__(self):
        return f"{self.clinic} {self.date}"


class HotlineCall(models.Model):
    """A call to the hotline (open 08-18 every day). Wrong numbers are logged but not counted."""

    organisation = models.ForeignKey(
        "cmm.Organisation",
        on_delete=models.PROTECT,
        related_name="hotline_calls",
        verbose_name=_("organisation"),
    )
    received_at = models.DateTimeField(_("time of the call"))
    caller_category = models.CharField(_("caller"), max_length=20, choices=CallerCategory.choices)
    purpose = models.CharField(_("purpose"), max_length=20, choices=CallPurpose.choices)
    wrong_number = models.BooleanField(_("wrong number"), default=False)
    case = models.ForeignKey(
        "cases.Case",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="hotline_calls",
        verbose_name=_("case"),
    )
    police_raid = models.ForeignKey(
        PoliceRaid,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="hotline_calls",
        verbose_name=_("police raid"),
    )
    note = models.CharField(_("short note"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("hotline call")
        verbose_name_plural = _("hotline calls")
        indexes = [
            models.Index(fields=["organisation", "received_at"]),
            models.Index(fields=["received_at"], name="hotlinecall_received_at_idx"),
        ]

    def __str__(self):
        return f"{self.received_at:%Y-%m-%d %H:%M}"
