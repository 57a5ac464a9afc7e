"""The case file's pages: list, open, facts, close/reopen, delete, personal details, team, timeline, history.

Each view gets the case through cases.selectors (404 for "missing" and for "not yours" alike), checks the
form's shape, calls a service and renders. Identifying details never go into URLs, messages or logs; the
pages that show them are never cached.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.decorators import method_decorator
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django_countries import countries
from django_countries.fields import CountryField

from cases.filters import CaseFilter
from cases.forms.case import (
    CaseCloseForm,
    CaseDeleteForm,
    CaseForm,
    PersonalDetailsForm,
    TeamAddForm,
    TeamRemoveForm,
    language_name,
)
from cases.models import ActionPlan, Case, PersonalDetails
from cases.personal_texts import personal_texts_read_record
from cases.selectors import (
    MASK,
    case_activities,
    case_client_codes,
    case_get_for_user,
    case_history,
    case_list_for_user,
    case_parent_tracings,
    case_representatives,
    case_services,
    case_stays,
    case_team,
    case_timeline,
    case_warnings,
)
from cases.services import (
    can_view_personal_details,
    case_close,
    case_open,
    case_reopen,
    case_soft_delete,
    case_team_add,
    case_team_remove,
    case_update,
    personal_details_update,
    personal_details_view,
)
from cmm.agenda import Urgency, case_alerts_for_user, urgency_of
from cmm.forms import attach_service_errors
from cmm.permissions import has_role_permission, user_can
from cmm.selectors import member_choices_for_organisation

PAGE_SIZE = 25
HISTORY_PAGE_SIZE = 50
SORTABLE = ("number", "opened_on", "status", "next_deadline")
# What the case filter's form holds besides the number search; any of them set opens the filter panel.
FILTER_KEYS = (
    "status",
    "residence_status",
    "nationality",
    "exploitation",
    "contact_person",
    "minors",
    "mine",
    "due_within",
)


# --- Helpers ------------------------------------------------------------------------------------------


def _case(request, pk: int, *, need: str | None = None) -> Case:
    """Return the case if the user may see it (else Http404); 403 if they may see but not do `need`."""
    case = case_get_for_user(user=request.user, case_id=pk)
    if need is not None and not user_can(request.user, need, case, owner_field="organisation"):
        if need == "cases.delete_case":
            raise PermissionDenied(_("Your role does not allow deleting cases."))
        raise PermissionDenied(_("Your role does not allow changing this case."))
    return case


def _active_members(organisation):
    return list(member_choices_for_organisation(organisation=organisation))


def _query_without(request, *keys: str) -> str:
    query = request.GET.copy()
    for key in keys:
        query.pop(key, None)
    return query.urlencode()


def _sort_links(request) -> dict[str, dict]:
    """Column-header links that sort by a column, and reverse the order when it is already the sort."""
    current = request.GET.get("ordering", "")
    links = {}
    for key in SORTABLE:
        query = request.GET.copy()
        query.pop("page", None)
        query["ordering"] = f"-{key}" if current == key else key
        direction = "ascending" if current == key else "descending" if current == f"-{key}" else ""
        links[key] = {"url": f"?{query.urlencode()}", "direction": direction}
    return links


def _flags(request, case: Case) -> dict:
    user = request.user
    return {
        "can_change": user_can(user, "cases.change_case", case, owner_field="organisation"),
        "can_delete": user_can(user, "cases.delete_case", case, owner_field="organisation"),
        "can_view_details": can_view_personal_details(user=user, case=case),
    }


def _user_label(user) -> str:
    return user.get_full_name() or user.username


def _display(model: type[models.Model], name: str, value, users: dict[int, object]) -> str:
    """A history value as the reader should see it: choice labels, country and language names, dates."""
    if value in (None, "", []):
        return "—"
    if value == MASK:
        return MASK
    if name == "languages" and isinstance(value, list):
        return ", ".join(language_name(code) for code in value)
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return str(value)
    if isinstance(field, CountryField):
        return countries.name(str(value)) or str(value)
    if isinstance(field, models.ForeignKey):
        if isinstance(value, models.Model):
            return _user_label(value) if hasattr(value, "username") else str(value)
        user = users.get(value)
        return _user_label(user) if user else _("user no. %(id)s") % {"id": value}
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime.datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return str(value)


def _field_label(model: type[models.Model], name: str) -> str:
    if name == "exploitations":
        return _("Forms of exploitation")
    if name == "control_means":
        return _("Means of control")
    try:
        return capfirst(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


# --- List and create ----------------------------------------------------------------------------------


class CaseListView(LoginRequiredMixin, View):
    def get(self, request):
        if not has_role_permission(request.user, "cases.view_case"):
            raise PermissionDenied(_("Your role does not give access to case files."))
        membership = request.membership
        filterset = CaseFilter(
            request.GET,
            queryset=case_list_for_user(user=request.user),
            user=request.user,
            organisation=membership.organisation if membership else None,
        )
        cases = filterset.qs if filterset.is_valid() else filterset.queryset.none()
        page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
        today = timezone.localdate()
        page.object_list = list(page.object_list)
        for case in page.object_list:
            # The next deadline's days left and urgency (overdue, within 3, 7, 14 days), shown as text too.
            deadline = getattr(case, "next_deadline", None)
            case.deadline_days = (deadline - today).days if deadline else None
            case.deadline_urgency = urgency_of(case.deadline_days) if deadline else ""
            case.deadline_label = Urgency(case.deadline_urgency).label if deadline else ""
        return render(
            request,
            "cases/case_list.html",
            {
                "page": page,
                "filter": filterset,
                "filters_open": any(request.GET.get(key) for key in (*FILTER_KEYS, "ordering"))
                or not filterset.is_valid(),
                "query_string": _query_without(request, "page"),
                "sort": _sort_links(request),
                "can_add": has_role_permission(request.user, "cases.add_case"),
            },
        )


def _require_add(request) -> None:
    if not has_role_permission(request.user, "cases.add_case") or request.membership is None:
        raise PermissionDenied(_("Your role does not allow opening cases."))


# The create page may echo a typed name or phone number back on an error: never cache it.
@method_decorator(never_cache, name="dispatch")
class CaseCreateView(LoginRequiredMixin, View):
    template_name = "cases/case_form.html"

    def get(self, request):
        _require_add(request)
        form = CaseForm(members=_active_members(request.membership.organisation))
        return render(request, self.template_name, {"form": form})

    def post(self, request):
        _require_add(request)
        organisation = request.membership.organisation
        form = CaseForm(request.POST, members=_active_members(organisation))
        if form.is_valid():
            try:
                case = case_open(by=request.user, organisation=organisation, **form.open_kwargs())
            except ValidationError as exc:
                attach_service_errors(form, exc, {"age_at_opening": "estimated_age"})
            else:
                messages.success(request, _("Case %(number)s was opened.") % {"number": case.number})
                return redirect("case-detail", pk=case.pk)
        return render(request, self.template_name, {"form": form}, status=400)


# --- One case -----------------------------------------------------------------------------------------


# The personal texts the case page shows (templates/cases/_support_sections.html), to the case team only.
DETAIL_PAGE_TEXTS = [
    "caseservice.provider",
    "personalrepresentative.name",
    "personalrepresentative.organisation_name",
    "actionplan.goals",
]


class CaseDetailView(LoginRequiredMixin, View):
    def get(self, request, pk):
        case = _case(request, pk)
        try:
            plan = case.action_plan
        except ActionPlan.DoesNotExist:
            plan = None
        representatives = list(case_representatives(case=case))
        services = list(case_services(case=case)[:10])
        flags = _flags(request, case)
        if flags["can_view_details"]:
            # The page shows the services' providers, the current representative and the plan's goals.
            current = next((r for r in representatives if r.ended_on is None), None)
            personal_texts_read_record(
                user=request.user,
                case=case,
                rows=[*services, current, plan],
                purpose="page-case",
                only=DETAIL_PAGE_TEXTS,
            )
        return render(
            request,
            "cases/case_detail.html",
            {
                "case": case,
                "warnings": case_warnings(case=case),
                # The alert strip above the tabs (the case's warnings among them): cmm.agenda's selectors.
                "case_alerts": case_alerts_for_user(user=request.user, case=case),
                "languages": [language_name(code) for code in case.languages or []],
                "age_now": case.age_on(timezone.localdate()),
                "services": services,
                "stays": list(case_stays(case=case)),
                "activities": list(case_activities(case=case)),
                "representatives": representatives,
                "tracings": list(case_parent_tracings(case=case)),
                "plan": plan,
                "client_codes": list(case_client_codes(case=case)),
                **flags,
            },
        )


class CaseUpdateView(LoginRequiredMixin, View):
    template_name = "cases/case_form.html"

    def get(self, request, pk):
        case = _case(request, pk, need="cases.change_case")
        form = CaseForm(members=_active_members(case.organisation), case=case)
        return render(request, self.template_name, {"form": form, "case": case})

    def post(self, request, pk):
        case = _case(request, pk, need="cases.change_case")
        form = CaseForm(request.POST, members=_active_members(case.organisation), case=case)
        if form.is_valid():
            try:
                case_update(case=case, by=request.user, **form.update_kwargs())
            except ValidationError as exc:
                attach_service_errors(
                    form, exc, {"age_at_opening": "estimated_age", "exploitations": "exploitation_types"}
                )
            else:
                messages.success(request, _("The case facts were saved."))
                return redirect("case-detail", pk=case.pk)
        return render(request, self.template_name, {"form": form, "case": case}, status=400)


class CaseCloseView(LoginRequiredMixin, View):
    template_name = "cases/case_close.html"

    def get(self, request, pk):
        case = _case(request, pk, need="cases.change_case")
        return render(request, self.template_name, {"case": case, "form": CaseCloseForm()})

    def post(self, request, pk):
        case = _case(request, pk, need="cases.change_case")
        form = CaseCloseForm(request.POST)
        if form.is_valid():
            try:
                case_close(case=case, by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                attach_service_errors(form, exc)
            else:
                messages.success(request, _("Case %(number)s was closed.") % {"number": case.number})
                return redirect("case-detail", pk=case.pk)
        return render(request, self.template_name, {"case": case, "form": form}, status=400)


class CaseReopenView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        case = _case(request, pk, need="cases.change_case")
        case_reopen(case=case, by=request.user)
        messages.success(request, _("Case %(number)s was reopened.") % {"number": case.number})
        return redirect("case-detail", pk=case.pk)


class CaseDeleteView(LoginRequiredMixin, View):
    template_name = "cases/case_delete.html"

    def get(self, request, pk):
        case = _case(request, pk, need="cases.delete_case")
        return render(request, self.template_name, {"case": case, "form": CaseDeleteForm()})

    def post(self, request, pk):
        case = _case(request, pk, need="cases.delete_case")
        form = CaseDeleteForm(request.POST)
        if form.is_valid():
            try:
                case_soft_delete(case=case, by=request.user, reason=form.cleaned_data["reason"])
            except ValidationError as exc:
                attach_service_errors(form, exc)
            else:
                messages.success(request, _("Case %(number)s was deleted.") % {"number": case.number})
                return redirect("case-list")
        return render(request, self.template_name, {"case": case, "form": form}, status=400)


# --- Personal details ---------------------------------------------------------------------------------


@method_decorator(never_cache, name="dispatch")
class PersonalDetailsView(LoginRequiredMixin, View):
    def get(self, request, pk):
        case = _case(request, pk)
        details = personal_details_view(case=case, by=request.user)  # audited; PermissionDenied -> 403
        rows = [
            (
                _field_label(PersonalDetails, name),
                _display(PersonalDetails, name, getattr(details, name) if details else None, {}),
            )
            for name in PersonalDetails.FIELDS
        ]
        return render(
            request,
            "cases/personal_details.html",
            {
                "case": case,
                "rows": rows,
                "has_details": details is not None,
                "can_change_details": user_can(request.user, "cases.change_personal_details", case),
            },
        )


def _require_change_details(request, case: Case) -> None:
    if not user_can(request.user, "cases.change_personal_details", case):
        raise PermissionDenied(_("Only the case team can change the personal details."))


@method_decorator(never_cache, name="dispatch")
class PersonalDetailsUpdateView(LoginRequiredMixin, View):
    template_name = "cases/personal_details_form.html"

    def get(self, request, pk):
        case = _case(request, pk)
        _require_change_details(request, case)
        details = personal_details_view(case=case, by=request.user, purpose="edit")
        initial = {name: getattr(details, name) for name in PersonalDetails.FIELDS} if details else {}
        form = PersonalDetailsForm(initial=initial)
        return render(request, self.template_name, {"case": case, "form": form})

    def post(self, request, pk):
        case = _case(request, pk)
        _require_change_details(request, case)
        form = PersonalDetailsForm(request.POST)
        if form.is_valid():
            try:
                personal_details_update(case=case, by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                attach_service_errors(form, exc)
            else:
                messages.success(request, _("The personal details were saved."))
                return redirect("case-personal", pk=case.pk)
        return render(request, self.template_name, {"case": case, "form": form}, status=400)


# --- Team, timeline, history --------------------------------------------------------------------------


class CaseTeamView(LoginRequiredMixin, View):
    template_name = "cases/case_team.html"

    def get(self, request, pk):
        case = _case(request, pk)
        return self._render(request, case)

    def post(self, request, pk):
        case = _case(request, pk, need="cases.change_case")
        if request.POST.get("action") == "remove":
            team = list(case_team(case=case))
            form = TeamRemoveForm(request.POST, team_users=[member.user for member in team])
            if form.is_valid():
                try:
                    case_team_remove(case=case, user=form.cleaned_data["user"], by=request.user)
                except ValidationError as exc:
                    attach_service_errors(form, exc)
                else:
                    messages.success(request, _("The member was taken off the case team."))
                    return redirect("case-team", pk=case.pk)
            return self._render(request, case, remove_form=form, status=400)
        form = self._add_form(case, team_ids=None, data=request.POST)
        if form.is_valid():
            try:
                case_team_add(case=case, user=form.cleaned_data["user"], by=request.user)
            except ValidationError as exc:
                attach_service_errors(form, exc)
            else:
                messages.success(request, _("The member was added to the case team."))
                return redirect("case-team", pk=case.pk)
        return self._render(request, case, add_form=form, status=400)

    @staticmethod
    def _add_form(case, *, team_ids, data=None):
        if team_ids is None:
            team_ids = {member.user_id for member in case_team(case=case)}
        members = [m for m in _active_members(case.organisation) if m.user_id not in team_ids]
        return TeamAddForm(data, members=members)

    def _render(self, request, case, *, add_form=None, remove_form=None, status=200):
        team = list(case_team(case=case))
        can_change = user_can(request.user, "cases.change_case", case, owner_field="organisation")
        if can_change and add_form is None:
            add_form = self._add_form(case, team_ids={member.user_id for member in team})
        return render(
            request,
            self.template_name,
            {
                "case": case,
                "team": team,
                "can_change": can_change,
                "add_form": add_form,
                "remove_form": remove_form,
            },
            status=status,
        )


class CaseTimelineView(LoginRequiredMixin, View):
    def get(self, request, pk):
        case = _case(request, pk)
        page = Paginator(case_timeline(case=case), PAGE_SIZE).get_page(request.GET.get("page"))
        return render(
            request,
            "cases/case_timeline.html",
            {"case": case, "page": page, "query_string": _query_without(request, "page")},
        )


# History may show identifying values to the team: never cache it.
@method_decorator(never_cache, name="dispatch")
class CaseHistoryView(LoginRequiredMixin, View):
    def get(self, request, pk):
        case = _case(request, pk)
        show_identifying = can_view_personal_details(user=request.user, case=case)
        if show_identifying:
            # Seeing old personal values is a read of the personal details: record it like one.
            personal_details_view(case=case, by=request.user, purpose="history")
        changes = case_history(case=case, show_identifying=show_identifying)
        users = {member.user_id: member.user for member in case_team(case=case)}
        if case.contact_person is not None:
            users[case.contact_person_id] = case.contact_person
        page = Paginator(changes, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
        rows = []
        for change in page:
            model = Case if change.what == "case" else PersonalDetails
            rows.append(
                {
                    "at": change.at,
                    "user": change.user,
                    "what": _("Case facts") if change.what == "case" else _("Personal details"),
                    "field": _field_label(model, change.field),
                    "old": _display(model, change.field, change.old, users),
                    "new": _display(model, change.field, change.new, users),
                }
            )
        return render(
            request,
            "cases/case_history.html",
            {
                "case": case,
                "page": page,
                "rows": rows,
                "masked": not show_identifying,
                "query_string": _query_without(request, "page"),
            },
        )
