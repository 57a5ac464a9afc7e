"""REST endpoints of outreach activity: the same selectors, services and rules as the pages.

Each endpoint checks the caller's role first (403 when it lacks the permission, before any id is looked up),
then gets the record through the selector (404 for "missing" and "not yours" alike), checks the shape of the
input with a serializer, calls the service (whose refusals become 400 with field errors) and serializes the
answer. Ids of cases, raids, contacts and organisations in the input resolve through the selectors too, so an
id the caller may not see is a 400 on that field and says nothing more.
"""

from outreach.apis.activity import (
    ClinicConsultationDetailApi,
    ClinicConsultationListApi,
    HotlineCallDetailApi,
    HotlineCallListApi,
    MeetingSessionDetailApi,
    MeetingSessionListApi,
    PoliceRaidDetailApi,
    PoliceRaidListApi,
)
from outreach.apis.contacts import ContactDetailApi, ContactLinkApi, ContactListApi, ContactOpenCaseApi

__all__ = [
    "ClinicConsultationDetailApi",
    "ClinicConsultationListApi",
    "ContactDetailApi",
    "ContactLinkApi",
    "ContactListApi",
    "ContactOpenCaseApi",
    "HotlineCallDetailApi",
    "HotlineCallListApi",
    "MeetingSessionDetailApi",
    "MeetingSessionListApi",
    "PoliceRaidDetailApi",
    "PoliceRaidListApi",
]
