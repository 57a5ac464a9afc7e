"""POST /api/cases/<id>/erase/: the GDPR erasure of a person's data, for CMM coordinators."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response

from cases.apis.common import service_errors, validated
from cases.lifecycle import case_erase, case_get_for_erasure


class CaseEraseSerializer(serializers.Serializer):
    confirm_number = serializers.CharField(
        max_length=30, help_text=_("The case number, typed again to confirm.")
    )
    reason = serializers.CharField(
        max_length=500, help_text=_("A reference to the person's request; no identifying details.")
    )


class CaseErasedSerializer(serializers.Serializer):
    number = serializers.CharField()
    counts = serializers.DictField(
        child=serializers.IntegerField(), help_text=_("What was removed, counted.")
    )


class CaseEraseApi(generics.GenericAPIView):
    """Erase the person's data of one case (404 if the case is not visible, 403 unless a CMM coordinator)."""

    serializer_class = CaseEraseSerializer
    filter_backends = []

    @extend_schema(request=CaseEraseSerializer, responses={200: CaseErasedSerializer})
    def post(self, request, pk):
        with service_errors():
            case = case_get_for_erasure(user=request.user, case_id=pk)
        data = validated(CaseEraseSerializer, request)
        with service_errors():
            removal = case_erase(case=case, by=request.user, **data)
        return Response(CaseErasedSerializer({"number": removal.number, "counts": removal.counts}).data)
