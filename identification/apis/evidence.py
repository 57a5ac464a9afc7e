"""Evidence on a presentation: the police's assessment, the identification form, documents, a verdict."""

from django.db import models
from django.http import FileResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from cases.apis.case import NeverCachedMixin
from cases.apis.common import LONG, SHORT, NamedChoiceField, service_errors, validated
from cmm.input_rules import DayField
from identification.apis.common import PresentationApi, visibility
from identification.apis.serializers import (
    AttachmentSerializer,
    CourtVerdictSerializer,
    IdentificationFormSerializer,
    PoliceAssessmentSerializer,
)
from identification.choices import Finding
from identification.selectors import attachment_get_for_user, documents_visible_to
from identification.services import (
    attachment_add,
    attachment_open,
    court_verdict_record,
    identification_form_record,
    police_assessment_record,
)
from outreach.choices import Indicator

# An interview narrative runs to pages, not to the one screen of LONG.
NARRATIVE = 20_000
# A download is named after the attachment's id (as on the pages), never its original name, which may
# identify the person.
EXTENSIONS = {
    "application/pdf": ".pdf",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/heic": ".heic",
    "text/plain": ".txt",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
}


class CourtFinding(models.TextChoices):
    """What a court can rule (a court is never "unclear")."""

    TRAFFICKED = Finding.TRAFFICKED.value, Finding.TRAFFICKED.label
    NOT_TRAFFICKED = Finding.NOT_TRAFFICKED.value, Finding.NOT_TRAFFICKED.label


class PoliceAssessmentCreateSerializer(serializers.Serializer):
    assessed_on = DayField()
    finding = NamedChoiceField(Finding)
    text = serializers.CharField(max_length=LONG, allow_blank=True, required=False, default="")


class IdentificationFormCreateSerializer(serializers.Serializer):
    interviewed_on = DayField()
    indicators = serializers.ListField(
        child=NamedChoiceField(Indicator), max_length=len(Indicator.values), required=False, default=list
    )
    interpreter_used = serializers.BooleanField(required=False, default=False)
    interpreter_language = serializers.RegexField(
        r"^[a-z]{2,3}(-[a-z0-9]{2,6})?$",
        max_length=10,
        allow_blank=True,
        required=False,
        default="",
        error_messages={"invalid": _("Give a language code such as en, ro or pt-br.")},
    )
    narrative = serializers.CharField(max_length=NARRATIVE, allow_blank=True, required=False, default="")


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        max_length=255, help_text="PDF, JPEG, PNG, HEIC, Word (.docx) or plain text; at most 20 MB."
    )


class CourtVerdictCreateSerializer(serializers.Serializer):
    court = serializers.CharField(max_length=SHORT)
    ruled_on = DayField()
    finding = NamedChoiceField(CourtFinding)


class PoliceAssessmentsApi(NeverCachedMixin, PresentationApi):
    """Record the police's assessment that came with the presentation (trafficked, not, or unclear)."""

    @extend_schema(request=PoliceAssessmentCreateSerializer, responses={201: PoliceAssessmentSerializer})
    @sensitive_variables()
    def post(self, request, pk):
        presentation = self.get_presentation(
            "identification.add_policeassessment", _("Your role cannot record police assessments.")
        )
        data = validated(PoliceAssessmentCreateSerializer, request)
        with service_errors():
            assessment = police_assessment_record(presentation=presentation, by=request.user, **data)
        context = visibility(user=request.user, presentation=presentation)
        data = PoliceAssessmentSerializer(assessment, context=context).data
        return Response(data, status=status.HTTP_201_CREATED)


class IdentificationFormsApi(NeverCachedMixin, PresentationApi):
    @extend_schema(
        request=IdentificationFormCreateSerializer,
        responses={201: IdentificationFormSerializer},
        description="Record the identification form of a CMM or NGO social worker: the indicators found "
        "(the outreach indicator list), the interview date, the interpreter and the narrative.",
    )
    @sensitive_variables()
    def post(self, request, pk):
        presentation = self.get_presentation(
            "identification.add_identificationform",
            _("Your role cannot fill in identification forms."),
            case_perm="cases.change_case",
        )
        data = validated(IdentificationFormCreateSerializer, request)
        with service_errors():
            form = identification_form_record(presentation=presentation, by=request.user, **data)
        context = visibility(user=request.user, presentation=presentation)
        data = IdentificationFormSerializer(form, context=context).data
        return Response(data, status=status.HTTP_201_CREATED)


class AttachmentsApi(PresentationApi):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={201: AttachmentSerializer},
        description="Attach a document. It is stored privately under a random name and served only through "
        "the download endpoint; the original file name is kept encrypted.",
    )
    def post(self, request, pk):
        presentation = self.get_presentation(
            "identification.add_attachment",
            _("Your role cannot attach documents."),
            case_perm="cases.change_case",
        )
        data = validated(AttachmentUploadSerializer, request)
        with service_errors():
            attachment = attachment_add(
                presentation=presentation, by=request.user, uploaded_file=data["file"]
            )
        context = visibility(user=request.user, presentation=presentation)
        data = AttachmentSerializer(attachment, context=context).data
        return Response(data, status=status.HTTP_201_CREATED)


class AttachmentDownloadApi(NeverCachedMixin, PresentationApi):
    @extend_schema(
        responses={
            # Any media type: the document is served in the content type it was uploaded with.
            (200, "*/*"): OpenApiResponse(
                OpenApiTypes.BINARY,
                description="The document, in its own content type, under a neutral file name.",
            )
        },
        description="Download a document: for callers who may see the case's personal details and for the "
        "deciding organisation. Every download is audited.",
    )
    def get(self, request, pk, attachment_id):
        presentation = self.get_presentation()
        if not documents_visible_to(user=request.user, presentation=presentation):
            raise PermissionDenied(
                _("Only the case team and the deciding authority can open the documents of a presentation.")
            )
        attachment = attachment_get_for_user(
            user=request.user, presentation=presentation, attachment_id=attachment_id
        )
        return FileResponse(
            attachment_open(attachment=attachment, by=request.user),
            as_attachment=True,
            filename=f"document-{attachment.pk}{EXTENSIONS.get(attachment.content_type, '')}",
            content_type=attachment.content_type,
        )


class CourtVerdictsApi(PresentationApi):
    @extend_schema(
        request=CourtVerdictCreateSerializer,
        responses={201: CourtVerdictSerializer},
        description="Record a court's ruling on whether the person was trafficked; the decision must then "
        "follow it.",
    )
    def post(self, request, pk):
        presentation = self.get_presentation(
            "identification.add_courtverdict", _("Your role cannot record court verdicts.")
        )
        data = validated(CourtVerdictCreateSerializer, request)
        with service_errors():
            verdict = court_verdict_record(presentation=presentation, by=request.user, **data)
        context = visibility(user=request.user, presentation=presentation)
        return Response(CourtVerdictSerializer(verdict, context=context).data, status=status.HTTP_201_CREATED)
