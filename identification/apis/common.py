"""Shared pieces of the identification API: role checks, the base of every endpoint under one presentation,
and the detail answer."""

from django.db.models import prefetch_related_objects
from rest_framework import generics
from rest_framework.exceptions import PermissionDenied

from cases.apis.common import require
from cases.personal_texts import acting_organisation_id
from cases.selectors import case_list_for_user
from cases.services import can_view_personal_details
from cmm.audit.services import evidence_read_record
from identification.apis.serializers import PresentationDetailSerializer
from identification.models import Presentation
from identification.selectors import documents_visible_to, presentation_get_for_user
from identification.services import decision_refusal

# What the detail shows of a presentation, loaded in one query each.
DETAIL_PREFETCH = [
    "decisions__decided_by",
    "decisions__organisation",
    "tasks__case",
    "tasks__done_by",
    "police_assessments",
    "forms__organisation",
    "attachments",
    "verdicts",
]


def visibility(*, user, presentation: Presentation) -> dict:
    """The serializer context that says what of the presentation `user` may see."""
    return {
        "personal_details_shown": can_view_personal_details(user=user, case=presentation.case),
        "organisation_id": acting_organisation_id(user),
        "documents_shown": documents_visible_to(user=user, presentation=presentation),
    }


def detail_data(*, user, presentation: Presentation) -> dict:
    """The presentation as the detail endpoint shows it to `user`."""
    prefetch_related_objects([presentation], *DETAIL_PREFETCH)
    context = {
        **visibility(user=user, presentation=presentation),
        "decision_refusal": decision_refusal(presentation=presentation, user=user),
    }
    shown = context["personal_details_shown"]
    evidence_read_record(user=user, presentation=presentation, shown=shown, purpose="api")
    return PresentationDetailSerializer(presentation, context=context).data


class PresentationApi(generics.GenericAPIView):
    """Base of every endpoint under one presentation: it comes through the selector (404 for "missing" and
    "not yours" alike), and a write then needs the role's permission (403)."""

    filter_backends = []

    def get_presentation(
        self, perm: str | None = None, message: str = "", *, case_perm: str | None = None
    ) -> Presentation:
        presentation = presentation_get_for_user(user=self.request.user, presentation_id=self.kwargs["pk"])
        if perm is not None:
            require(self.request.user, perm, message)
        # The presenter's evidence needs a case the caller works on, not one it only sees (as deciders do).
        workable = case_list_for_user(user=self.request.user, perm=case_perm) if case_perm else None
        if workable is not None and not workable.filter(pk=presentation.case_id).exists():
            raise PermissionDenied(message)
        return presentation
