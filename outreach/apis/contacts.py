"""Outreach contacts: log, list, correct, and link an anonymous contact to a case."""

from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.apis.case import CaseDetailSerializer, CaseOpenSerializer, control_means_field
from cases.apis.common import (
    NamedChoiceField,
    NationalityField,
    language_codes,
    service_errors,
    validated,
)
from cases.choices import AgeBand, Gender
from cmm.input_rules import MomentField
from cmm.models import Region
from cmm.permissions import active_membership, has_role_permission
from outreach.apis.common import (
    LinkedCaseMixin,
    OutreachListApi,
    VisibleCaseField,
    VisibleRaidField,
    acting_organisation,
    require,
    visible_case_ids,
)
from outreach.choices import Indicator, OutreachService, Venue
from outreach.filters import ContactFilter
from outreach.models import MAX_GROUP, SUBMISSION_ID_MAX, Contact, submission_id_validator
from outreach.selectors import contact_get_for_user, contact_list_for_user
from outreach.services import (
    case_open_from_contact,
    case_prefill_from_contact,
    contact_link_case,
    contact_log_once,
    contact_update,
)

VIEW, ADD, CHANGE = "outreach.view_contact", "outreach.add_contact", "outreach.change_contact"


class ContactSerializer(LinkedCaseMixin, serializers.ModelSerializer):
    """An outreach contact; `case` is shown only when the caller may see that case."""

    venue = NamedChoiceField(Venue, read_only=True)
    venue_label = serializers.CharField(source="get_venue_display", read_only=True)
    region = serializers.ChoiceField(choices=Region.choices, allow_blank=True, read_only=True)
    gender = serializers.ChoiceField(choices=Gender.choices, read_only=True)
    nationality = NationalityField(read_only=True)
    age_band = serializers.ChoiceField(choices=AgeBand.choices, read_only=True)
    indicators = serializers.ListField(child=NamedChoiceField(Indicator), read_only=True)
    services_offered = serializers.ListField(child=NamedChoiceField(OutreachService), read_only=True)
    police_raid = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    worker = serializers.CharField(
        source="worker.username", read_only=True, allow_null=True, help_text="Username."
    )

    class Meta:
        model = Contact
        fields = [
            "id",
            "occurred_at",
            "venue",
            "venue_label",
            "city",
            "region",
            "case",
            "client_code",
            "gender",
            "nationality",
            "age_band",
            "group_size",
            "first_time_met",
            "indicators",
            "has_indicators",
            "services_offered",
            "language",
            "note",
            "police_raid",
            "worker",
            "submission_id",
        ]
        read_only_fields = fields
        extra_kwargs = {"submission_id": {"help_text": "The id the contact was logged with, if any."}}


class ContactWriteSerializer(serializers.Serializer):
    """The shape of a contact; the service checks the rules (no future times, groups without one person…)."""

    occurred_at = MomentField(required=False, help_text="Defaults to now when logging.")
    venue = NamedChoiceField(Venue)
    city = serializers.CharField(max_length=100, allow_blank=True, required=False)
    region = serializers.ChoiceField(choices=Region.choices, allow_blank=True, required=False)
    case = VisibleCaseField(allow_null=True, required=False, help_text="Id of a case your organisation sees.")
    client_code = serializers.CharField(
        max_length=20, allow_blank=True, required=False, help_text="Anonymous client code, e.g. 4K7QX-M2PA9."
    )
    gender = serializers.ChoiceField(choices=Gender.choices, required=False)
    nationality = NationalityField(required=False)
    age_band = serializers.ChoiceField(choices=AgeBand.choices, required=False)
    group_size = serializers.IntegerField(min_value=1, max_value=MAX_GROUP, required=False)
    first_time_met = serializers.BooleanField(required=False)
    indicators = serializers.ListField(
        child=NamedChoiceField(Indicator), max_length=len(Indicator.values), required=False
    )
    services_offered = serializers.ListField(
        child=NamedChoiceField(OutreachService), max_length=len(OutreachService.values), required=False
    )
    language = serializers.RegexField(
        r"^[a-z]{2,3}(-[a-z0-9]{2,6})?$",
        max_length=10,
        allow_blank=True,
        required=False,
        error_messages={"invalid": _("Give a language code such as en, ro or pt-br.")},
    )
    note = serializers.CharField(max_length=500, allow_blank=True, required=False)
    police_raid = VisibleRaidField(allow_null=True, required=False)


class ContactLogSerializer(ContactWriteSerializer):
    """A new contact: its shape, and the id that makes logging it idempotent."""

    submission_id = serializers.CharField(
        max_length=SUBMISSION_ID_MAX,
        required=False,
        allow_null=True,
        validators=[submission_id_validator],
        help_text="An id the client makes once per contact (a UUID, or 16-64 letters, digits, '-' or '_') "
        "and sends again with every retry of it: the contact is logged once. A repeat by the same worker for "
        "the same organisation answers 200 with the contact logged first (whatever else the repeat says); "
        "an id used by anyone else is refused (400). Without it, every POST logs a new contact.",
    )


class ContactLinkSerializer(serializers.Serializer):
    case = VisibleCaseField(help_text="Id of a case your organisation sees.")


class ContactFilterBackend(DjangoFilterBackend):
    """The pages' ContactFilter, told the caller's organisation (whose members `worker` may name)."""

    def get_filterset_kwargs(self, request, queryset, view):
        membership = active_membership(request.user)
        return {
            **super().get_filterset_kwargs(request, queryset, view),
            "organisation": membership.organisation if membership else None,
        }


def contact_data(request, contact: Contact) -> dict:
    context = {"request": request, "visible_cases": visible_case_ids(request.user, [contact])}
    return ContactSerializer(contact, context=context).data


class ContactListApi(OutreachListApi):
    """The caller's organisation's outreach contacts, newest first; POST logs one."""

    model = Contact
    list_for_user = staticmethod(contact_list_for_user)
    serializer_class = ContactSerializer
    filter_backends = [ContactFilterBackend]
    filterset_class = ContactFilter

    def represent(self, rows, *, many=False):
        context = {
            **self.get_serializer_context(),
            "visible_cases": visible_case_ids(self.request.user, rows),
        }
        return ContactSerializer(rows, many=many, context=context).data

    @extend_schema(
        parameters=[
            OpenApiParameter("worker", int, description="Id of a member of the caller's organisation.")
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=ContactLogSerializer,
        responses={
            201: ContactSerializer,
            200: OpenApiResponse(
                ContactSerializer,
                description="The `submission_id` was already used by the caller: the contact logged then.",
            ),
        },
        description="Log a contact for the caller's organisation; one with a case shows on its timeline. "
        "Send a `submission_id` made by the client to make this idempotent: a retry with the same id (after "
        "a lost answer, a double tap, from an offline queue) logs nothing new and answers 200 with the "
        "contact logged first. The id is unique across all organisations.",
    )
    def post(self, request):
        require(request.user, ADD)
        data = validated(ContactLogSerializer, request)
        with service_errors():
            contact, created = contact_log_once(
                by=request.user, organisation=acting_organisation(request.user), **data
            )
        return Response(
            contact_data(request, contact), status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


class ContactDetailApi(APIView):
    """One contact of the caller's organisation; PATCH corrects it (send only what changes)."""

    @extend_schema(responses=ContactSerializer)
    def get(self, request, pk):
        require(request.user, VIEW)
        return Response(contact_data(request, contact_get_for_user(user=request.user, contact_id=pk)))

    @extend_schema(request=ContactWriteSerializer, responses=ContactSerializer)
    def patch(self, request, pk):
        require(request.user, CHANGE)
        contact = contact_get_for_user(user=request.user, contact_id=pk, perm=CHANGE)
        data = validated(ContactWriteSerializer, request, partial=True, contact=contact)
        with service_errors():
            contact = contact_update(contact=contact, by=request.user, **data)
        return Response(contact_data(request, contact))


class ContactLinkApi(APIView):
    """Link an anonymous contact to a case by hand; it then shows on the case's timeline."""

    @extend_schema(request=ContactLinkSerializer, responses=ContactSerializer)
    def post(self, request, pk):
        require(request.user, CHANGE)
        contact = contact_get_for_user(user=request.user, contact_id=pk, perm=CHANGE)
        data = validated(ContactLinkSerializer, request)
        with service_errors(group_size="case"):  # a group contact cannot be linked to one case
            contact = contact_link_case(contact=contact, case=data["case"], by=request.user)
        return Response(contact_data(request, contact))


class CaseFromContactSerializer(CaseOpenSerializer):
    """The case facts, as for POST /api/cases/; what is left out is taken from the contact (gender,
    nationality, language, the indicators as means of control)."""

    gender = serializers.ChoiceField(
        choices=Gender.choices, required=False, help_text="The contact's gender when left out."
    )
    nationality = NationalityField(required=False, help_text="The contact's nationality when left out.")
    languages = language_codes(required=False, help_text="The contact's language when left out.")
    control_means = control_means_field(
        required=False, help_text="The indicators observed on the contact when left out."
    )


class ContactOpenCaseApi(APIView):
    """Open a case for the person met on a contact (roles that may open cases, a contact the caller may see):
    the contact's client code is linked to the case and the contact shows on its timeline."""

    @extend_schema(
        request=CaseFromContactSerializer,
        responses={201: CaseDetailSerializer},
        description="Open a case from an outreach contact of the caller's organisation. Facts left out of "
        "the body are taken from the contact. 404 for a contact the caller cannot see; 400 if the contact is "
        "already linked to a case or is a group contact.",
    )
    @sensitive_variables()
    def post(self, request, pk):
        if not has_role_permission(request.user, "cases.add_case"):
            raise PermissionDenied(_("Your role cannot open cases."))
        contact = contact_get_for_user(user=request.user, contact_id=pk)
        organisation = active_membership(request.user).organisation
        data = dict(validated(CaseFromContactSerializer, request, organisation=organisation))
        for name, value in case_prefill_from_contact(contact).items():
            data.setdefault(name, value)
        data.setdefault("gender", Gender.UNKNOWN)
        personal = {field: value for field, value in data.pop("personal", {}).items() if value}
        age_field = "date_of_birth" if data.get("date_of_birth") else "estimated_age"
        with service_errors(age_at_opening=age_field):
            case = case_open_from_contact(
                contact=contact, by=request.user, organisation=organisation, personal=personal or None, **data
            )
        return Response(CaseDetailSerializer(case).data, status=status.HTTP_201_CREATED)
