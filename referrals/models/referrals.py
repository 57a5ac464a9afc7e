"""A case referral: one organisation hands or shares one case with another, with the person's consent."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from cmm.encryption import EncryptedTextField
from referrals.choices import (
    OPEN_REFERRAL_STATUSES,
    ConsentScope,
    ReferralKind,
    ReferralReason,
    ReferralStatus,
)

User = settings.AUTH_USER_MODEL


class Referral(models.Model):
    """A referral of one case from its owner to another organisation.

    While it is accepted the receiver has access to that one case (granted and revoked by
    referrals.services through cmm.permissions). Free texts must not identify the person: the receiver
    reads the case itself once it has accepted.
    """

    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="referrals", verbose_name=_("case")
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=ReferralKind.choices, default=ReferralKind.SHARE
    )
    from_organisation = models.ForeignKey(
        "cmm.Organisation",
        on_delete=models.PROTECT,
        related_name="referrals_sent",
        verbose_name=_("from organisation"),
    )
    to_organisation = models.ForeignKey(
        "cmm.Organisation",
        on_delete=models.PROTECT,
        related_name="referrals_received",
        verbose_name=_("to organisation"),
    )
    reason = models.CharField(_("service requested"), max_length=30, choices=ReferralReason.choices)
    request_note = EncryptedTextField(
        _("what is asked for"),
        blank=True,
        help_text=_("No names or other identifying details: the receiver sees the case once it accepts."),
    )
    # The person's consent.
    consent_given = models.BooleanField(_("the person consents"), default=False)
    consent_on = models.DateField(_("consent given on"), null=True, blank=True)
    consent_scope = models.CharField(
        _("what may be shared"), max_length=30, choices=ConsentScope.choices, blank=True
    )
    consent_recorded_by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    # Without consent, only a coordinator may send, with a written reason.
    override_reason = EncryptedTextField(_("reason for sending without consent"), blank=True)
    overridden_by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("overridden by"),
    )

    status = models.CharField(
        _("status"), max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.PENDING
    )
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)
    sent_by = models.ForeignKey(
        User, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("sent by")
    )
    responded_at = models.DateTimeField(_("answered"), null=True, blank=True)
    responded_by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("answered by"),
    )
    response_note = EncryptedTextField(_("reason given with the answer"), blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    ended_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("ended by")
    )
    end_reason = EncryptedTextField(_("reason for ending"), blank=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        permissions = [("override_consent", "Can send a referral without the person's consent")]
        indexes = [
            models.Index(fields=["to_organisation", "status"]),
            models.Index(fields=["from_organisation", "status"]),
            models.Index(fields=["case", "status"]),
            models.Index(fields=["sent_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                name="referral_to_another_organisation", condition=~Q(from_organisation=F("to_organisation"))
            ),
            models.CheckConstraint(
                name="referral_consent_or_override",
                condition=Q(consent_given=True, consent_on__isnull=False) & ~Q(consent_scope="")
                | Q(consent_given=False) & ~Q(override_reason=""),
            ),
            models.UniqueConstraint(
                fields=["case", "to_organisation"],
                condition=Q(status__in=OPEN_REFERRAL_STATUSES),
                name="one_open_referral_per_case_and_receiver",
            ),
        ]

    def __str__(self):
        return f"{self.case_id} → {self.to_organisation_id} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_REFERRAL_STATUSES
