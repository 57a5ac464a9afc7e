"""Case referrals, prepared-return plans and the referral groups (one module per concern)."""

from referrals.models.groups import GroupMeeting, GroupMember, GroupTopic, MeetingAction, ReferralGroup
from referrals.models.referrals import Referral
from referrals.models.returns import ReintegrationComponent, ReturnFollowUp, ReturnPlan, ReturnStatusChange

__all__ = [
    "GroupMeeting",
    "GroupMember",
    "GroupTopic",
    "MeetingAction",
    "Referral",
    "ReferralGroup",
    "ReintegrationComponent",
    "ReturnFollowUp",
    "ReturnPlan",
    "ReturnStatusChange",
]
