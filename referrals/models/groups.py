"""The national referral mechanism: six regional referral groups feeding one national group."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from referrals.choices import GroupKind, GroupRegion, MemberSector, TopicStatus

User = settings.AUTH_USER_MODEL


class ReferralGroup(models.Model):
    """A regional referral group (created by a data migration) or the national one it feeds."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=GroupKind.choices)
    region = models.CharField(_("region"), max_length=20, choices=GroupRegion.choices, blank=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="regional_groups",
        verbose_name=_("feeds"),
    )
    organisations = models.ManyToManyField(
        "cmm.Organisation", through="GroupMember", related_name="referral_groups", blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("referral group")
        verbose_name_plural = _("referral groups")
        permissions = [("manage_referralgroup", "Can run referral groups: members, meetings, minutes")]
        constraints = [
            models.UniqueConstraint(fields=["region"], condition=~Q(region=""), name="one_group_per_region"),
            models.CheckConstraint(
                name="group_region_only_for_regional",
                condition=Q(kind=GroupKind.REGIONAL) & ~Q(region="") | Q(kind=GroupKind.NATIONAL, region=""),
            ),
        ]

    def __str__(self):
        return self.name


class GroupMember(models.Model):
    """A member organisation and its representative (a user of the app, or just a name)."""

    group = models.ForeignKey(ReferralGroup, on_delete=models.CASCADE, related_name="members")
    organisation = models.ForeignKey(
        "cmm.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organisation"),
    )
    organisation_name = models.CharField(_("organisation (if not in the app)"), max_length=200, blank=True)
    user = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("representative"),
    )
    name = models.CharField(_("representative's name (if not a user)"), max_length=200, blank=True)
    sector = models.CharField(_("sector"), max_length=20, choices=MemberSector.choices)
    is_active = models.BooleanField(_("active"), default=True)
    joined_on = models.DateField(_("joined on"), null=True, blank=True)

    class Meta:
        ordering = ["group", "sector", "id"]
        verbose_name = _("group member")
        verbose_name_plural = _("group members")
        indexes = [
            models.Index(fields=["organisation", "is_active"]),
            models.Index(fields=["user", "is_active"]),
        ]
        constraints = [
            models.CheckConstraint(
                name="member_names_an_organisation",
                condition=Q(organisation__isnull=False) | ~Q(organisation_name=""),
            ),
        ]

    def __str__(self):
        return self.name or (str(self.user) if self.user_id else self.organisation_name)


class GroupMeeting(models.Model):
    """A meeting of a referral group. Minutes never name a case (referrals.minutes refuses case numbers)."""

    group = models.ForeignKey(ReferralGroup, on_delete=models.CASCADE, related_name="meetings")
    starts_at = models.DateTimeField(_("date and time"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    agenda = models.TextField(_("agenda"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    attendees = models.ManyToManyField(GroupMember, related_name="meetings_attended", blank=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        indexes = [models.Index(fields=["group", "starts_at"])]

    def __str__(self):
        return f"{self.group_id} {self.starts_at:%Y-%m-%d}"


class MeetingAction(models.Model):
    """A follow-up action agreed at a meeting, with an owner and a due date (reminded like deadlines)."""

    meeting = models.ForeignKey(GroupMeeting, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField(_("action"))
    owner = models.ForeignKey(
        GroupMember,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="actions",
        verbose_name=_("owner"),
    )
    due_on = models.DateField(_("due"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("follow-up action")
        verbose_name_plural = _("follow-up actions")
        indexes = [models.Index(fields=["done_on", "due_on"])]

    def __str__(self):
        return f"{self.meeting_id} {self.due_on}"


class GroupTopic(models.Model):
    """A topic raised in a group; a regional group can escalate it to the national group."""

    group = models.ForeignKey(ReferralGroup, on_delete=models.CASCADE, related_name="topics")
    title = models.CharField(_("topic"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    meeting = models.ForeignKey(
        GroupMeeting,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="topics",
        verbose_name=_("raised at meeting"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=TopicStatus.choices, default=TopicStatus.OPEN
    )
    escalated_from = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="escalated_to",
        verbose_name=_("escalated from"),
    )
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        indexes = [models.Index(fields=["group", "status"])]

    def __str__(self):
        return self.title
