"""REST endpoints of the case file: the same selectors, services and rules as the pages.

Each endpoint is four steps: get the case through `case_get_for_user` (404 for "missing" and "not yours"
alike), check the shape of the input with a serializer, call the service (whose refusals become 400 with
field errors or 403), and serialize the answer. Sub-objects come from the authorised case's related
managers, so the id of another case's row is a 404 too. Only ids ever appear in URLs.
"""

from cases.apis.case import (
    CaseApi,
    CaseCloseApi,
    CaseDeleteApi,
    CaseDetailApi,
    CaseHistoryApi,
    CaseListApi,
    CaseReopenApi,
    CaseTeamApi,
    CaseTeamMemberApi,
    CaseTimelineApi,
    PersonalDetailsApi,
)
from cases.apis.support import (
    CaseActionPlanApi,
    CaseActivitiesApi,
    CaseActivityApi,
    CaseClientCodesApi,
    CaseParentTracingsApi,
    CasePlanReviewsApi,
    CaseRepresentativesApi,
    CaseServicesApi,
    CaseStayApi,
    CaseStaysApi,
)

__all__ = [
    "CaseActionPlanApi",
    "CaseActivitiesApi",
    "CaseActivityApi",
    "CaseApi",
    "CaseClientCodesApi",
    "CaseCloseApi",
    "CaseDeleteApi",
    "CaseDetailApi",
    "CaseHistoryApi",
    "CaseListApi",
    "CaseParentTracingsApi",
    "CasePlanReviewsApi",
    "CaseReopenApi",
    "CaseRepresentativesApi",
    "CaseServicesApi",
    "CaseStayApi",
    "CaseStaysApi",
    "CaseTeamApi",
    "CaseTeamMemberApi",
    "CaseTimelineApi",
    "PersonalDetailsApi",
]
