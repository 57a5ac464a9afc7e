"""Reads of outreach activity: a record is visible to the organisation that recorded it (a police raid also
to the organisations that were present). Statistics across organisations go through the reports app."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from cmm.permissions import permitted
from outreach.models import ClinicConsultation, Contact, HotlineCall, MeetingPlaceSession, PoliceRaid

RAID_OWNERS = ("organisation", "organisations_present")


def contact_list_for_user(*, user, perm: str = "outreach.view_contact") -> QuerySet[Contact]:
    return permitted(
        user, perm, Contact.objects.all(), owner_field="organisation", object_grants=False
    ).select_related("worker", "case", "organisation", "police_raid")


def contact_get_for_user(*, user, contact_id: int, perm: str = "outreach.view_contact") -> Contact:
    return get_object_or_404(contact_list_for_user(user=user, perm=perm), pk=contact_id)


def meeting_session_list_for_user(
    *, user, perm: str = "outreach.view_meetingplacesession"
) -> QuerySet[MeetingPlaceSession]:
    return permitted(
        user, perm, MeetingPlaceSession.objects.all(), owner_field="organisation", object_grants=False
    ).select_related("organisation", "recorded_by")


def meeting_session_get_for_user(
    *, user, session_id: int, perm: str = "outreach.view_meetingplacesession"
) -> MeetingPlaceSession:
    return get_object_or_404(meeting_session_list_for_user(user=user, perm=perm), pk=session_id)


def clinic_consultation_list_for_user(
    *, user, perm: str = "outreach.view_clinicconsultation"
) -> QuerySet[ClinicConsultation]:
    return permitted(
        user, perm, ClinicConsultation.objects.all(), owner_field="organisation", object_grants=False
    ).select_related("organisation", "recorded_by")


def clinic_consultation_get_for_user(
    *, user, record_id: int, perm: str = "outreach.view_clinicconsultation"
) -> ClinicConsultation:
    return get_object_or_404(clinic_consultation_list_for_user(user=user, perm=perm), pk=record_id)


def hotline_call_list_for_user(*, user, perm: str = "outreach.view_hotlinecall") -> QuerySet[HotlineCall]:
    return permitted(
        user, perm, HotlineCall.objects.all(), owner_field="organisation", object_grants=False
    ).select_related("organisation", "recorded_by", "case", "police_raid")


def hotline_call_get_for_user(*, user, call_id: int, perm: str = "outreach.view_hotlinecall") -> HotlineCall:
    return get_object_or_404(hotline_call_list_for_user(user=user, perm=perm), pk=call_id)


def police_raid_list_for_user(*, user, perm: str = "outreach.view_policeraid") -> QuerySet[PoliceRaid]:
    return (
        permitted(user, perm, PoliceRaid.objects.all(), owner_field=RAID_OWNERS, object_grants=False)
        .select_related("organisation", "recorded_by")
        .prefetch_related("organisations_present")
    )


def police_raid_get_for_user(*, user, raid_id: int, perm: str = "outreach.view_policeraid") -> PoliceRaid:
    """A raid the user's organisation recorded or was present at. Only the recorder may change it."""
    if perm == "outreach.change_policeraid":
        queryset = permitted(
            user, perm, PoliceRaid.objects.all(), owner_field="organisation", object_grants=False
        )
        return get_object_or_404(queryset, pk=raid_id)
    return get_object_or_404(police_raid_list_for_user(user=user, perm=perm), pk=raid_id)
