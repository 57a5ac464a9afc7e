"""REST endpoints of identification under /api/identification/: the same selectors, services and rules as
the pages.

A presentation comes through `presentation_get_for_user` (404 for "missing" and "not yours" alike); a write
then needs the role's permission (403), its input is checked for shape by a serializer, and the service's
refusals become 400 with field errors or 403 with the reason. Only ids appear in URLs.
"""

from identification.apis.decisions import DecisionsApi, TaskDoneApi, TaskListApi
from identification.apis.evidence import (
    AttachmentDownloadApi,
    AttachmentsApi,
    CourtVerdictsApi,
    IdentificationFormsApi,
    PoliceAssessmentsApi,
)
from identification.apis.presentations import (
    PresentationDetailApi,
    PresentationListApi,
    PresentationResidenceStatusApi,
    WorkQueueApi,
)

__all__ = [
    "AttachmentDownloadApi",
    "AttachmentsApi",
    "CourtVerdictsApi",
    "DecisionsApi",
    "IdentificationFormsApi",
    "PoliceAssessmentsApi",
    "PresentationDetailApi",
    "PresentationListApi",
    "PresentationResidenceStatusApi",
    "TaskDoneApi",
    "TaskListApi",
    "WorkQueueApi",
]
