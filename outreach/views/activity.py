"""Pages of activity that is not a case: meeting-place opening days, health-clinic consultations, hotline
calls and police raids — a list with filters and a CSV export, a create form and a correction form for each.

Every page takes four steps: the record through outreach.selectors (404 for "missing" and "not yours" alike),
the form's shape, the rule-checking service, and a render or redirect. A role without the model permission
gets 403. Records belong to the organisation that recorded them; a police raid is also listed for the
organisations that were present, but only the recording organisation can change it.
"""

from __future__ import annotations

import csv
import datetime

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.http import HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.cache import never_cache

from cases.selectors import case_list_for_user
from cmm.audit.services import export_record
from cmm.forms import attach_service_errors
from cmm.permissions import has_role_permission
from outreach.exports import csv_delimiter
from outreach.filters import (
    ClinicConsultationFilter,
    HotlineCallFilter,
    MeetingSessionFilter,
    PoliceRaidFilter,
)
from outreach.forms.activity import (
    ClinicConsultationForm,
    HotlineCallForm,
    MeetingSessionForm,
    PoliceRaidForm,
)
from outreach.selectors import (
    clinic_consultation_get_for_user,
    clinic_consultation_list_for_user,
    contact_list_for_user,
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

PAGE_SIZE = 25
CSV_CHUNK = 2000
# Names offered as suggestions (a <datalist>) when typing a meeting place or clinic.
SUGGESTIONS = 50
# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# --- Helpers ------------------------------------------------------------------------------------------


def _require(request, perm: str) -> None:
    """403 unless the user's role in the organisation they act for carries `perm`."""
    if request.membership is None or not has_role_permission(request.user, perm):
        raise PermissionDenied(_("Your role does not give access to this page."))


def _query_without(request, *keys: str) -> str:
    query = request.GET.copy()
    for key in keys:
        query.pop(key, None)
    return query.urlencode()


def _suggestions(queryset: QuerySet, field: str) -> list[str]:
    return list(queryset.order_by(field).values_list(field, flat=True).distinct()[:SUGGESTIONS])


class _Echo:
    """A file-like object whose write() hands the line back, so csv.writer can feed a streaming response."""

    def write(self, value: str) -> str:
        return value


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat(timespec="minutes")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return f"'{value}"
    return str(value)


# --- Base views ---------------------------------------------------------------------------------------


class _ActivityListView(LoginRequiredMixin, View):
    """A filtered, paginated list of the records the user's organisation may see."""

    perm: str
    add_perm: str
    change_perm: str
    filter_class: type
    template_name: str

    def records(self, request) -> QuerySet:
        raise ImproperlyConfigured(f"{type(self).__name__} must override this method.")

    def get(self, request):
        _require(request, self.perm)
        filterset = self.filter_class(request.GET, queryset=self.records(request))
        valid = filterset.is_valid()
        rows = filterset.qs if valid else filterset.queryset.none()
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        query = _query_without(request, "page")
        return render(
            request,
            self.template_name,
            {
                "page": page,
                "filter": filterset,
                "filters_open": not valid or any(request.GET.get(name) for name in filterset.form.fields),
                "query_string": query,
                "export_query": query,
                "can_add": has_role_permission(request.user, self.add_perm),
                "can_change": has_role_permission(request.user, self.change_perm),
                "organisation_id": request.membership.organisation_id,
            },
        )


@method_decorator(never_cache, name="dispatch")
class _ActivityExportView(LoginRequiredMixin, View):
    """The list's rows (same selector, same filters) as a CSV file. Free-text notes are never exported."""

    perm: str
    filter_class: type
    kind: str
    header: tuple[str, ...]

    def records(self, request) -> QuerySet:
        raise ImproperlyConfigured(f"{type(self).__name__} must override this method.")

    def row(self, record) -> list:
        raise ImproperlyConfigured(f"{type(self).__name__} must override this method.")

    def get(self, request):
        _require(request, self.perm)
        filterset = self.filter_class(request.GET, queryset=self.records(request))
        if not filterset.is_valid():
            errors = "; ".join(str(e) for errs in filterset.form.errors.values() for e in errs)
            return HttpResponseBadRequest(errors, content_type="text/plain; charset=utf-8")
        records = filterset.qs.iterator(chunk_size=CSV_CHUNK)
        export_record(user=request.user, what=self.kind, fmt="csv", filters=filterset.form.cleaned_data)
        # Semicolons for a Danish reader (Danish Excel), commas otherwise, as every outreach CSV.
        writer = csv.writer(_Echo(), delimiter=csv_delimiter())

        def lines():
            # The byte-order mark makes spreadsheet programs read the file as UTF-8 (æ, ø, å).
            yield "\ufeff" + writer.writerow(self.header)
            for record in records:
                yield writer.writerow([_cell(value) for value in self.row(record)])

        prefix = request.membership.organisation.case_prefix
        filename = f"{self.kind}-{prefix}-{timezone.localdate().isoformat()}.csv"
        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class _RecordFormView(LoginRequiredMixin, View):
    """Create a record (no pk) or correct one (pk): selector, form, service, then redirect or a 400 page."""

    perm: str
    template_name: str
    list_url: str
    success_message: str

    def record(self, request, pk):
        """The record to correct, through its selector (Http404 if not the organisation's); None to create."""
        return None

    def make_form(self, request, record, data=None):
        raise ImproperlyConfigured(f"{type(self).__name__} must override this method.")

    def save(self, request, form, record) -> None:
        raise ImproperlyConfigured(f"{type(self).__name__} must override this method.")

    def extra_context(self, request, record) -> dict:
        return {}

    def render_form(self, request, form, record, status=200):
        context = {"form": form, "record": record, **self.extra_context(request, record)}
        return render(request, self.template_name, context, status=status)

    def get(self, request, pk=None):
        _require(request, self.perm)
        record = self.record(request, pk)
        return self.render_form(request, self.make_form(request, record), record)

    def post(self, request, pk=None):
        _require(request, self.perm)
        record = self.record(request, pk)
        form = self.make_form(request, record, request.POST)
        if form.is_valid():
            try:
                self.save(request, form, record)
            except ValidationError as exc:
                attach_service_errors(form, exc)
            else:
                messages.success(request, self.success_message)
                return redirect(self.list_url)
        return self.render_form(request, form, record, status=400)


# --- Hub ----------------------------------------------------------------------------------------------


class OutreachHomeView(LoginRequiredMixin, View):
    """Links to the activity lists the role may see, and to the import for coordinators."""

    LINKS = (
        ("hotline-create", "outreach.add_hotlinecall", gettext_lazy("Log a hotline call")),
        ("hotline-list", "outreach.view_hotlinecall", gettext_lazy("Hotline calls")),
        ("meeting-session-list", "outreach.view_meetingplacesession", gettext_lazy("Meeting place")),
        ("clinic-list", "outreach.view_clinicconsultation", gettext_lazy("Health-clinic consultations")),
        ("raid-list", "outreach.view_policeraid", gettext_lazy("Police raids")),
        ("contact-list", "outreach.view_contact", gettext_lazy("Outreach contacts")),
    )

    def get(self, request):
        links = [
            {"url": reverse(name), "label": label}
            for name, perm, label in self.LINKS
            if has_role_permission(request.user, perm)
        ]
        if request.membership is None or not links:
            raise PermissionDenied(_("Your role does not give access to this page."))
        can_import = has_role_permission(request.user, "outreach.import_activity")
        return render(request, "outreach/home.html", {"links": links, "can_import": can_import})


# --- Meeting place ------------------------------------------------------------------------------------


class MeetingSessionListView(_ActivityListView):
    perm = "outreach.view_meetingplacesession"
    add_perm = "outreach.add_meetingplacesession"
    change_perm = "outreach.change_meetingplacesession"
    filter_class = MeetingSessionFilter
    template_name = "outreach/meeting_list.html"

    def records(self, request):
        return meeting_session_list_for_user(user=request.user)


class MeetingSessionExportView(_ActivityExportView):
    perm = "outreach.view_meetingplacesession"
    filter_class = MeetingSessionFilter
    kind = "meeting-sessions"
    header = (
        "id",
        "date",
        "meeting_place",
        "opens_at",
        "closes_at",
        "visitors",
        "returning_visitors",
        "health_clinic_open",
    )

    def records(self, request):
        return meeting_session_list_for_user(user=request.user)

    def row(self, session):
        return [
            session.pk,
            session.date,
            session.place,
            session.opens_at,
            session.closes_at,
            session.visitors,
            session.returning_visitors,
            session.health_clinic_open,
        ]


class _MeetingSessionFormView(_RecordFormView):
    template_name = "outreach/meeting_form.html"
    list_url = "meeting-session-list"

    def make_form(self, request, record, data=None):
        places = _suggestions(meeting_session_list_for_user(user=request.user), "place")
        return MeetingSessionForm(data, session=record, places=places)

    def save(self, request, form, record):
        meeting_session_save(
            by=request.user,
            organisation=request.membership.organisation,
            session=record,
            **form.save_kwargs(),
        )


class MeetingSessionCreateView(_MeetingSessionFormView):
    perm = "outreach.add_meetingplacesession"
    success_message = gettext_lazy("The opening day was recorded.")


class MeetingSessionUpdateView(_MeetingSessionFormView):
    perm = "outreach.change_meetingplacesession"
    success_message = gettext_lazy("The opening day was saved.")

    def record(self, request, pk):
        return meeting_session_get_for_user(
            user=request.user, session_id=pk, perm="outreach.change_meetingplacesession"
        )


# --- Health clinics -----------------------------------------------------------------------------------


def _clinic_records(request) -> QuerySet:
    # An aggregate drops the model's default ordering: restate it.
    return (
        clinic_consultation_list_for_user(user=request.user)
        .annotate(linked_contacts=Count("contacts"))
        .order_by("-date", "-id")
    )


class ClinicConsultationListView(_ActivityListView):
    perm = "outreach.view_clinicconsultation"
    add_perm = "outreach.add_clinicconsultation"
    change_perm = "outreach.change_clinicconsultation"
    filter_class = ClinicConsultationFilter
    template_name = "outreach/clinic_list.html"

    def records(self, request):
        return _clinic_records(request)


class ClinicConsultationExportView(_ActivityExportView):
    perm = "outreach.view_clinicconsultation"
    filter_class = ClinicConsultationFilter
    kind = "clinic-consultations"
    header = ("id", "date", "clinic", "consultations", "linked_contacts")

    def records(self, request):
        return _clinic_records(request)

    def row(self, record):
        return [record.pk, record.date, record.clinic, record.consultations, record.linked_contacts]


class _ClinicConsultationFormView(_RecordFormView):
    template_name = "outreach/clinic_form.html"
    list_url = "clinic-list"

    def make_form(self, request, record, data=None, initial=None):
        default = record.date if record is not None else timezone.localdate()
        day = ClinicConsultationForm.date_of(data or initial, default)
        contacts = (
            contact_list_for_user(user=request.user)
            .filter(occurred_at__date=day)
            .select_related(None)
            .order_by("occurred_at", "pk")
        )
        extra = {"initial": initial} if initial is not None else {}
        form = ClinicConsultationForm(data, contacts=contacts, record=record, **extra)
        form.contacts_day = day
        return form

    def save(self, request, form, record):
        clinic_consultations_save(
            by=request.user,
            organisation=request.membership.organisation,
            record=record,
            **form.save_kwargs(),
        )

    def extra_context(self, request, record):
        return {"clinics": _suggestions(clinic_consultation_list_for_user(user=request.user), "clinic")}

    def post(self, request, pk=None):
        if "show_contacts" not in request.POST:
            return super().post(request, pk)
        # "Show the contacts of this date": the same form again, unchecked, with that day's contacts.
        _require(request, self.perm)
        record = self.record(request, pk)
        initial = {key: request.POST.get(key) for key in ("clinic", "date", "consultations")}
        initial["contacts"] = request.POST.getlist("contacts")
        return self.render_form(request, self.make_form(request, record, initial=initial), record)


class ClinicConsultationCreateView(_ClinicConsultationFormView):
    perm = "outreach.add_clinicconsultation"
    success_message = gettext_lazy("The consultations were recorded.")


class ClinicConsultationUpdateView(_ClinicConsultationFormView):
    perm = "outreach.change_clinicconsultation"
    success_message = gettext_lazy("The consultations were saved.")

    def record(self, request, pk):
        return clinic_consultation_get_for_user(
            user=request.user, record_id=pk, perm="outreach.change_clinicconsultation"
        )


# --- Hotline ------------------------------------------------------------------------------------------


class HotlineCallListView(_ActivityListView):
    perm = "outreach.view_hotlinecall"
    add_perm = "outreach.add_hotlinecall"
    change_perm = "outreach.change_hotlinecall"
    filter_class = HotlineCallFilter
    template_name = "outreach/hotline_list.html"

    def records(self, request):
        return hotline_call_list_for_user(user=request.user)


class HotlineCallExportView(_ActivityExportView):
    perm = "outreach.view_hotlinecall"
    filter_class = HotlineCallFilter
    kind = "hotline-calls"
    header = ("id", "received_at", "caller_category", "purpose", "wrong_number", "case", "police_raid")

    def records(self, request):
        return hotline_call_list_for_user(user=request.user)

    def row(self, call):
        return [
            call.pk,
            call.received_at,
            call.caller_category,
            call.purpose,
            call.wrong_number,
            call.case.number if call.case else None,
            call.police_raid_id,
        ]


class _HotlineCallFormView(_RecordFormView):
    template_name = "outreach/hotline_form.html"
    list_url = "hotline-list"

    def make_form(self, request, record, data=None):
        cases = case_list_for_user(user=request.user).prefetch_related(None).order_by("number")
        raids = police_raid_list_for_user(user=request.user).prefetch_related(None)
        return HotlineCallForm(data, cases=cases, raids=raids, call=record)

    def save(self, request, form, record):
        hotline_call_save(
            by=request.user,
            organisation=request.membership.organisation,
            call=record,
            **form.save_kwargs(),
        )


class HotlineCallCreateView(_HotlineCallFormView):
    perm = "outreach.add_hotlinecall"
    success_message = gettext_lazy("The call was logged.")


class HotlineCallUpdateView(_HotlineCallFormView):
    perm = "outreach.change_hotlinecall"
    success_message = gettext_lazy("The call was saved.")

    def record(self, request, pk):
        return hotline_call_get_for_user(user=request.user, call_id=pk, perm="outreach.change_hotlinecall")


# --- Police raids -------------------------------------------------------------------------------------


class PoliceRaidListView(_ActivityListView):
    perm = "outreach.view_policeraid"
    add_perm = "outreach.add_policeraid"
    change_perm = "outreach.change_policeraid"
    filter_class = PoliceRaidFilter
    template_name = "outreach/raid_list.html"

    def records(self, request):
        return police_raid_list_for_user(user=request.user)


class PoliceRaidExportView(_ActivityExportView):
    perm = "outreach.view_policeraid"
    filter_class = PoliceRaidFilter
    kind = "police-raids"
    header = (
        "id",
        "date",
        "police_district",
        "location_type",
        "city",
        "persons_met",
        "persons_with_indicators",
        "contacts_made",
        "recorded_by_organisation",
        "organisations_present",
    )

    def records(self, request):
        return police_raid_list_for_user(user=request.user)

    def row(self, raid):
        return [
            raid.pk,
            raid.date,
            raid.police_district,
            raid.location_type,
            raid.city,
            raid.persons_met,
            raid.persons_with_indicators,
            raid.contacts_made,
            raid.organisation.name,
            "; ".join(org.name for org in raid.organisations_present.all()),
        ]


class _PoliceRaidFormView(_RecordFormView):
    template_name = "outreach/raid_form.html"
    list_url = "raid-list"

    def make_form(self, request, record, data=None):
        return PoliceRaidForm(data, organisation=request.membership.organisation, raid=record)

    def save(self, request, form, record):
        police_raid_save(
            by=request.user,
            organisation=request.membership.organisation,
            raid=record,
            **form.save_kwargs(),
        )

    def extra_context(self, request, record):
        if record is None:
            return {}
        # What the viewer's own organisation linked to the raid; other organisations' links stay hidden.
        own = request.membership.organisation_id
        return {
            "linked_contacts": list(
                record.contacts.filter(organisation_id=own).select_related("case").order_by("occurred_at")
            ),
            "linked_calls": list(
                record.hotline_calls.filter(organisation_id=own)
                .select_related("case")
                .order_by("received_at")
            ),
        }


class PoliceRaidCreateView(_PoliceRaidFormView):
    perm = "outreach.add_policeraid"
    success_message = gettext_lazy("The police raid was recorded.")


class PoliceRaidUpdateView(_PoliceRaidFormView):
    perm = "outreach.change_policeraid"
    success_message = gettext_lazy("The police raid was saved.")

    def record(self, request, pk):
        return police_raid_get_for_user(user=request.user, raid_id=pk, perm="outreach.change_policeraid")
