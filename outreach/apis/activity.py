"""Meeting-place opening days, health-clinic consultations, hotline calls and police raids."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.apis.common import NamedChoiceField, service_errors, validated
from cmm.input_rules import DayField, MomentField
from outreach.apis.common import (
    MAX_COUNT,
    LinkedCaseMixin,
    OrganisationsPresentField,
    OutreachListApi,
    OwnContactsField,
    VisibleCaseField,
    VisibleRaidField,
    acting_organisation,
    require,
    visible_case_ids,
)
from outreach.choices import CallerCategory, CallPurpose, PoliceDistrict, Venue
from outreach.filters import (
    ClinicConsultationFilter,
    HotlineCallFilter,
    MeetingSessionFilter,
    PoliceRaidFilter,
)
from outreach.models import ClinicConsultation, HotlineCall, MeetingPlaceSession, PoliceRaid
from outreach.selectors import (
    clinic_consultation_get_for_user,
    clinic_consultation_list_for_user,
    hotline_call_get_for_user,
    hotline_call_list_for_user,
    meeting_session_get_for_user,
    meeting_session_list_for_user,
    police_raid_get_for_user,
    police_raid_list_for_user,
)
from outreach.services import (
    clinic_consultations_save,
    hotline_call_save,
    meeting_session_save,
    police_raid_save,
)


def count(**kwargs):
    return serializers.IntegerField(min_value=0, max_value=MAX_COUNT, **kwargs)


def recorded_by():
    return serializers.CharField(
        source="recorded_by.username", read_only=True, allow_null=True, help_text="Username."
    )


# --- Meeting-place sessions -----------------------------------------------------------------------------


class MeetingSessionSerializer(serializers.ModelSerializer):
    recorded_by = recorded_by()

    class Meta:
        model = MeetingPlaceSession
        fields = [
            "id",
            "place",
            "date",
            "opens_at",
            "closes_at",
            "visitors",
            "returning_visitors",
            "health_clinic_open",
            "recorded_by",
        ]
        read_only_fields = fields


class MeetingSessionWriteSerializer(serializers.Serializer):
    place = serializers.CharField(max_length=200)
    date = DayField()
    opens_at = serializers.TimeField(allow_null=True, required=False)
    closes_at = serializers.TimeField(allow_null=True, required=False)
    visitors = count()
    returning_visitors = count(help_text="Of the visitors, how many had been before.")
    health_clinic_open = serializers.BooleanField(required=False)


class MeetingSessionListApi(OutreachListApi):
    """Opening days of the caller's organisation's meeting places; POST records one."""

    model = MeetingPlaceSession
    list_for_user = staticmethod(meeting_session_list_for_user)
    serializer_class = MeetingSessionSerializer
    filterset_class = MeetingSessionFilter

    @extend_schema(request=MeetingSessionWriteSerializer, responses={201: MeetingSessionSerializer})
    def post(self, request):
        require(request.user, "outreach.add_meetingplacesession")
        data = validated(MeetingSessionWriteSerializer, request)
        with service_errors():
            session = meeting_session_save(
                by=request.user, organisation=acting_organisation(request.user), **data
            )
        return Response(MeetingSessionSerializer(session).data, status=status.HTTP_201_CREATED)


class MeetingSessionDetailApi(APIView):
    """One opening day; PATCH corrects it."""

    @extend_schema(responses=MeetingSessionSerializer)
    def get(self, request, pk):
        require(request.user, "outreach.view_meetingplacesession")
        session = meeting_session_get_for_user(user=request.user, session_id=pk)
        return Response(MeetingSessionSerializer(session).data)

    @extend_schema(request=MeetingSessionWriteSerializer, responses=MeetingSessionSerializer)
    def patch(self, request, pk):
        perm = "outreach.change_meetingplacesession"
        require(request.user, perm)
        session = meeting_session_get_for_user(user=request.user, session_id=pk, perm=perm)
        data = validated(MeetingSessionWriteSerializer, request, partial=True)
        with service_errors():
            session = meeting_session_save(
                by=request.user, organisation=session.organisation, session=session, **data
            )
        return Response(MeetingSessionSerializer(session).data)


# --- Health-clinic consultations ------------------------------------------------------------------------


class ClinicConsultationSerializer(serializers.ModelSerializer):
    contacts = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True, help_text="Linked contacts' ids."
    )
    recorded_by = recorded_by()

    class Meta:
        model = ClinicConsultation
        fields = ["id", "clinic", "date", "consultations", "contacts", "recorded_by"]
        read_only_fields = fields


class ClinicConsultationWriteSerializer(serializers.Serializer):
    clinic = serializers.CharField(max_length=200)
    date = DayField()
    consultations = count()
    contacts = OwnContactsField(
        max_length=MAX_COUNT,
        required=False,
        help_text="Ids of your organisation's contacts seen at the clinic.",
    )


def clinic_consultation_data(record: ClinicConsultation) -> dict:
    return ClinicConsultationSerializer(record).data


class ClinicConsultationListApi(OutreachListApi):
    """Consultations per clinic and day of the caller's organisation; POST records a day."""

    model = ClinicConsultation
    serializer_class = ClinicConsultationSerializer
    filterset_class = ClinicConsultationFilter

    @staticmethod
    def list_for_user(*, user):
        return clinic_consultation_list_for_user(user=user).prefetch_related("contacts")

    @extend_schema(request=ClinicConsultationWriteSerializer, responses={201: ClinicConsultationSerializer})
    def post(self, request):
        require(request.user, "outreach.add_clinicconsultation")
        data = validated(ClinicConsultationWriteSerializer, request)
        with service_errors():
            record = clinic_consultations_save(
                by=request.user, organisation=acting_organisation(request.user), **data
            )
        return Response(clinic_consultation_data(record), status=status.HTTP_201_CREATED)


class ClinicConsultationDetailApi(APIView):
    """One clinic's day; PATCH corrects it (the linked contacts stay unless `contacts` is sent)."""

    @extend_schema(responses=ClinicConsultationSerializer)
    def get(self, request, pk):
        require(request.user, "outreach.view_clinicconsultation")
        record = clinic_consultation_get_for_user(user=request.user, record_id=pk)
        return Response(clinic_consultation_data(record))

    @extend_schema(request=ClinicConsultationWriteSerializer, responses=ClinicConsultationSerializer)
    def patch(self, request, pk):
        perm = "outreach.change_clinicconsultation"
        require(request.user, perm)
        record = clinic_consultation_get_for_user(user=request.user, record_id=pk, perm=perm)
        data = validated(ClinicConsultationWriteSerializer, request, partial=True)
        # The service replaces the linked contacts whenever it is given values, so it always gets the full
        # record: what was sent over what is stored.
        values = {
            "clinic": record.clinic,
            "date": record.date,
            "consultations": record.consultations,
            "contacts": list(record.contacts.all()),
            **data,
        }
        with service_errors():
            record = clinic_consultations_save(
                by=request.user, organisation=record.organisation, record=record, **values
            )
        return Response(clinic_consultation_data(record))


# --- Hotline calls --------------------------------------------------------------------------------------


class HotlineCallSerializer(LinkedCaseMixin, serializers.ModelSerializer):
    """A hotline call; `case` is shown only when the caller may see that case."""

    caller_category = NamedChoiceField(CallerCategory, read_only=True)
    caller_category_label = serializers.CharField(source="get_caller_category_display", read_only=True)
    purpose = NamedChoiceField(CallPurpose, read_only=True)
    purpose_label = serializers.CharField(source="get_purpose_display", read_only=True)
    police_raid = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    recorded_by = recorded_by()

    class Meta:
        model = HotlineCall
        fields = [
            "id",
            "received_at",
            "caller_category",
            "caller_category_label",
            "purpose",
            "purpose_label",
            "wrong_number",
            "case",
            "police_raid",
            "note",
            "recorded_by",
        ]
        read_only_fields = fields


class HotlineCallWriteSerializer(serializers.Serializer):
    received_at = MomentField()
    caller_category = NamedChoiceField(CallerCategory)
    purpose = NamedChoiceField(CallPurpose)
    wrong_number = serializers.BooleanField(required=False, help_text="Logged, but left out of statistics.")
    case = VisibleCaseField(allow_null=True, required=False, help_text="Id of a case your organisation sees.")
    police_raid = VisibleRaidField(
        allow_null=True,
        required=False,
        help_text="Id of a raid your organisation recorded or was present at.",
    )
    note = serializers.CharField(max_length=500, allow_blank=True, required=False)


def hotline_call_data(request, call: HotlineCall) -> dict:
    context = {"request": request, "visible_cases": visible_case_ids(request.user, [call])}
    return HotlineCallSerializer(call, context=context).data


class HotlineCallListApi(OutreachListApi):
    """The caller's organisation's hotline calls, newest first; POST logs one."""

    model = HotlineCall
    list_for_user = staticmethod(hotline_call_list_for_user)
    serializer_class = HotlineCallSerializer
    filterset_class = HotlineCallFilter

    def represent(self, rows, *, many=False):
        context = {
            **self.get_serializer_context(),
            "visible_cases": visible_case_ids(self.request.user, rows),
        }
        return HotlineCallSerializer(rows, many=many, context=context).data

    @extend_schema(request=HotlineCallWriteSerializer, responses={201: HotlineCallSerializer})
    def post(self, request):
        require(request.user, "outreach.add_hotlinecall")
        data = validated(HotlineCallWriteSerializer, request)
        with service_errors():
            call = hotline_call_save(by=request.user, organisation=acting_organisation(request.user), **data)
        return Response(hotline_call_data(request, call), status=status.HTTP_201_CREATED)


class HotlineCallDetailApi(APIView):
    """One hotline call; PATCH corrects it."""

    @extend_schema(responses=HotlineCallSerializer)
    def get(self, request, pk):
        require(request.user, "outreach.view_hotlinecall")
        return Response(hotline_call_data(request, hotline_call_get_for_user(user=request.user, call_id=pk)))

    @extend_schema(request=HotlineCallWriteSerializer, responses=HotlineCallSerializer)
    def patch(self, request, pk):
        perm = "outreach.change_hotlinecall"
        require(request.user, perm)
        call = hotline_call_get_for_user(user=request.user, call_id=pk, perm=perm)
        data = validated(HotlineCallWriteSerializer, request, partial=True)
        with service_errors():
            call = hotline_call_save(by=request.user, organisation=call.organisation, call=call, **data)
        return Response(hotline_call_data(request, call))


# --- Police raids ---------------------------------------------------------------------------------------


class PoliceRaidSerializer(serializers.ModelSerializer):
    organisation = serializers.PrimaryKeyRelatedField(read_only=True, help_text="The recording organisation.")
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    police_district = NamedChoiceField(PoliceDistrict, read_only=True)
    police_district_label = serializers.CharField(source="get_police_district_display", read_only=True)
    location_type = NamedChoiceField(Venue, read_only=True)
    location_type_label = serializers.CharField(source="get_location_type_display", read_only=True)
    organisations_present = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    recorded_by = serializers.SerializerMethodField(
        help_text="Username; only on raids your organisation recorded (the others see the organisation)."
    )

    class Meta:
        model = PoliceRaid
        fields = [
            "id",
            "organisation",
            "organisation_name",
            "date",
            "police_district",
            "police_district_label",
            "location_type",
            "location_type_label",
            "city",
            "organisations_present",
            "persons_met",
            "persons_with_indicators",
            "contacts_made",
            "note",
            "recorded_by",
        ]
        read_only_fields = fields

    def get_recorded_by(self, raid) -> str | None:
        own = raid.organisation_id == acting_organisation(self.context["request"].user).pk
        return raid.recorded_by.username if own and raid.recorded_by else None


def police_raid_data(request, raid: PoliceRaid) -> dict:
    return PoliceRaidSerializer(raid, context={"request": request}).data


class PoliceRaidWriteSerializer(serializers.Serializer):
    date = DayField()
    police_district = NamedChoiceField(PoliceDistrict)
    location_type = NamedChoiceField(Venue)
    city = serializers.CharField(max_length=100, allow_blank=True, required=False)
    organisations_present = OrganisationsPresentField(
        max_length=100, required=False, help_text="Ids of the other organisations at the raid."
    )
    persons_met = count()
    persons_with_indicators = count(help_text="Of the persons met, how many showed indicators.")
    contacts_made = count(required=False)
    note = serializers.CharField(max_length=1000, allow_blank=True, required=False)


class PoliceRaidListApi(OutreachListApi):
    """Police raids the caller's organisation recorded or was present at; POST records one."""

    model = PoliceRaid
    list_for_user = staticmethod(police_raid_list_for_user)
    serializer_class = PoliceRaidSerializer
    filterset_class = PoliceRaidFilter

    @extend_schema(request=PoliceRaidWriteSerializer, responses={201: PoliceRaidSerializer})
    def post(self, request):
        require(request.user, "outreach.add_policeraid")
        data = validated(PoliceRaidWriteSerializer, request)
        with service_errors():
            raid = police_raid_save(by=request.user, organisation=acting_organisation(request.user), **data)
        return Response(police_raid_data(request, raid), status=status.HTTP_201_CREATED)


class PoliceRaidDetailApi(APIView):
    """One police raid; PATCH corrects it (the recording organisation only; others present get 404)."""

    @extend_schema(responses=PoliceRaidSerializer)
    def get(self, request, pk):
        require(request.user, "outreach.view_policeraid")
        return Response(police_raid_data(request, police_raid_get_for_user(user=request.user, raid_id=pk)))

    @extend_schema(request=PoliceRaidWriteSerializer, responses=PoliceRaidSerializer)
    def patch(self, request, pk):
        perm = "outreach.change_policeraid"
        require(request.user, perm)
        raid = police_raid_get_for_user(user=request.user, raid_id=pk, perm=perm)
        data = validated(PoliceRaidWriteSerializer, request, partial=True, raid=raid)
        with service_errors():
            raid = police_raid_save(by=request.user, organisation=raid.organisation, raid=raid, **data)
        return Response(police_raid_data(request, raid))
