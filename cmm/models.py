"""The platform's data: users, organisations, memberships with roles, the audit log and the e-mail outbox."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser, Group
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from cmm.encryption import EncryptedTextField


class User(AbstractUser):
    """A person who logs in. What they may do comes from their memberships, never from the user alone."""

    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="da",
        help_text=_("The language the app is shown in after login."),
    )

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")
        swappable = "AUTH_USER_MODEL"

    def __str__(self):
        return self.get_full_name() or self.username


class OrganisationKind(models.TextChoices):
    CMM = "cmm", _("CMM")
    NGO = "ngo", _("NGO")
    SHELTER = "shelter", _("Shelter")
    AUTHORITY = "authority", _("Authority")
    IOM = "iom", _("IOM")


class Designation(models.TextChoices):
    """Which organisation *is* the Immigration Service, and which *is* CMM: named by a platform admin, never
    guessed from the kind (another authority, e.g. the police, is of kind authority too)."""

    IMMIGRATION_SERVICE = "immigration_service", _("The Immigration Service")
    CMM = "cmm", _("CMM")


# The kind an organisation must be of to carry each designation.
DESIGNATION_KIND = {
    Designation.IMMIGRATION_SERVICE: OrganisationKind.AUTHORITY,
    Designation.CMM: OrganisationKind.CMM,
}


class Region(models.TextChoices):
    HOVEDSTADEN = "hovedstaden", _("Capital Region of Denmark")
    SJAELLAND = "sjaelland", _("Region Zealand")
    SYDDANMARK = "syddanmark", _("Region of Southern Denmark")
    MIDTJYLLAND = "midtjylland", _("Central Denmark Region")
    NORDJYLLAND = "nordjylland", _("North Denmark Region")
    NATIONAL = "national", _("Nationwide")


class Organisation(models.Model):
    """CMM or one of its partners. Each organisation sees its own work and what is shared with it."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices)
    region = models.CharField(_("region"), max_length=20, choices=Region.choices, default=Region.NATIONAL)
    # Prefix of the pseudonymous case numbers this organisation creates, e.g. CMM-2026-00042.
    case_prefix = models.CharField(
        _("case number prefix"),
        max_length=8,
        unique=True,
        help_text=_("2-8 capital letters, used in case numbers such as CMM-2026-00042."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    # Set by a platform admin only (Django admin for superusers, `manage.py designate_organisation`): the
    # organisation that decides for the Immigration Service, the one that is CMM. At most one of each.
    designation = models.CharField(
        _("designation"),
        max_length=20,
        choices=Designation.choices,
        blank=True,
        default="",
        help_text=_(
            "Whether this organisation is the Immigration Service or CMM, which decide on identification. "
            "Only a platform admin sets it."
        ),
    )
    # The group that holds the object permissions granted to the organisation (cases it owns or that were
    # referred to it). Users are not put in it: cmm.permissions reads it for the active membership only.
    group = models.OneToOneField(Group, on_delete=models.PROTECT, related_name="organisation", editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(case_prefix__regex=r"^[A-Z]{2,8}$"), name="organisation_case_prefix_format"
            ),
            models.UniqueConstraint(
                fields=["designation"],
                condition=~models.Q(designation=""),
                name="organisation_one_per_designation",
                violation_error_message=_(
                    "Another organisation has this designation: take it away from that organisation first."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(designation="")
                | models.Q(designation=Designation.IMMIGRATION_SERVICE, kind=OrganisationKind.AUTHORITY)
                | models.Q(designation=Designation.CMM, kind=OrganisationKind.CMM),
                name="organisation_designation_fits_kind",
                violation_error_message=_(
                    "The Immigration Service must be an authority, and CMM an organisation of kind CMM."
                ),
            ),
        ]

    def __str__(self):
        return self.name


class Role(models.TextChoices):
    OUTREACH_WORKER = "outreach_worker", _("Outreach social worker")
    CASEWORKER = "caseworker", _("Caseworker")
    COORDINATOR = "coordinator", _("CMM coordinator")
    AUTHORITY_LIAISON = "authority_liaison", _("Immigration Service liaison")
    ANALYST = "analyst", _("Analyst")
    ORG_ADMIN = "org_admin", _("Organisation admin")


class MembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True, organisation__is_active=True, user__is_active=True)


class Membership(models.Model):
    """A user's role in one organisation. A user may hold memberships in several organisations."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("organisation")
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["organisation__name", "role"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="membership_one_per_organisation"),
        ]
        indexes = [models.Index(fields=["organisation", "role"])]

    def __str__(self):
        return f"{self.user} · {self.organisation} · {self.get_role_display()}"


class AuditEventQuerySet(models.QuerySet):
    """Append-only: bulk updates and deletes are refused so that no code path rewrites history."""

    def update(self, **kwargs):
        raise PermissionError("Audit events cannot be changed.")

    def delete(self):
        raise PermissionError("Audit events cannot be deleted.")


class AuditAction(models.TextChoices):
    LOGIN = "login", _("Logged in")
    LOGIN_FAILED = "login_failed", _("Failed login")
    LOGOUT = "logout", _("Logged out")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    ORGANISATION_SELECTED = "organisation_selected", _("Organisation selected")
    ORGANISATION_CREATED = "organisation_created", _("Organisation created")
    MEMBERSHIP_ADDED = "membership_added", _("Membership added")
    MEMBERSHIP_CHANGED = "membership_changed", _("Membership changed")
    MEMBERSHIP_ENDED = "membership_ended", _("Membership ended")
    PERMISSION_GRANTED = "permission_granted", _("Access granted")
    PERMISSION_REVOKED = "permission_revoked", _("Access revoked")
    VIEWED = "viewed", _("Viewed")
    CREATED = "created", _("Created")
    CHANGED = "changed", _("Changed")
    DELETED = "deleted", _("Deleted")
    EXPORTED = "exported", _("Exported")
    ACCESS_REFUSED = "access_refused", _("Access refused")
    TWO_FACTOR_ENABLED = "two_factor_enabled", _("Two-factor authentication set up")
    TWO_FACTOR_RESET = "two_factor_reset", _("Two-factor authentication reset")


class AuditEvent(models.Model):
    """Who did what to which object and when. Written by services; never changed or deleted by the app.

    `detail` names what was shown or changed (field names, counts), never the identifying values themselves.
    """

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("actor"),
    )
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organisation"),
    )
    action = models.CharField(_("action"), max_length=40, choices=AuditAction.choices)
    target_type = models.ForeignKey(
        ContentType,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("object type"),
    )
    target_id = models.CharField(_("object id"), max_length=64, blank=True)
    # A pseudonymous label of the target (a case number, an organisation name), never a person's name.
    target_label = models.CharField(_("object"), max_length=200, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            models.Index(fields=["target_type", "target_id", "at"]),
            models.Index(fields=["actor", "at"]),
            models.Index(fields=["organisation", "at"]),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.target_label}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit events cannot be deleted.")


class EmailStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class OutboundEmail(models.Model):
    """The e-mail outbox. A row is written in the same transaction as the event it tells about, so nothing
    is lost while the broker is down; the send task claims a row before sending, so nothing goes twice.

    Bodies never carry identifying details: they name a case number at most and link to the app.
    """

    to = models.EmailField(_("recipient"))
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"))
    status = models.CharField(
        _("status"), max_length=10, choices=EmailStatus.choices, default=EmailStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self):
        return f"{self.subject} → {self.to} ({self.get_status_display()})"


class UserSession(models.Model):
    """A logged-in session of a user, so that all of a user's sessions can be ended on the server (when a
    membership ends or the password changes). Holds the session key only, never what the session holds."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    session_key = models.CharField(_("session key"), max_length=40, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("user session")
        verbose_name_plural = _("user sessions")

    def __str__(self):
        return f"{self.user_id} · {self.created_at:%Y-%m-%d %H:%M}"


class KeptSubmission(models.Model):
    """A form that was sent after its session had ended, kept until its author has logged in again
    (cmm.kept_forms). The form's fields are kept encrypted with the personal-details key, never in a URL;
    the row is deleted when the form is shown again, when someone else logs in, or when it expires."""

    id = models.CharField(primary_key=True, max_length=43, editable=False)  # secrets.token_urlsafe(32)
    # salted_hmac of the author's id: the row opens for that user only, and names nobody by itself.
    owner_hash = models.CharField(_("author (hashed)"), max_length=64)
    path = models.CharField(_("sent to"), max_length=400)
    page = models.CharField(_("shown again at"), max_length=400)
    payload = EncryptedTextField(_("form fields (encrypted)"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), db_index=True)

    class Meta:
        verbose_name = _("kept form")
        verbose_name_plural = _("kept forms")

    def __str__(self):
        return f"{self.path} · {self.created_at:%Y-%m-%d %H:%M}"
