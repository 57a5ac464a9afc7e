"""Prepared-return pages: a case's plans, the list of plans, one plan with its workflow, components,
follow-ups and the representative's involvement, and the printable summary for the meeting with IOM.

Each view asks for the role's permission first (403 with the reason), then gets the case or the plan through a
selector, so "missing" and "not yours" both answer 404. The rules are the services': a refused form is shown
again with status 400, the message next to its field, and nothing typed is lost. No page shows identifying
details: plans are known by the case number.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.cache import never_cache

from cases.personal_texts import personal_texts_for, personal_texts_visible
from cases.selectors import case_get_for_user
from cmm.forms import attach_service_errors
from cmm.permissions import has_role_permission
from cmm.two_factor.access import FreshSecondFactorRequiredMixin
from referrals.choices import PREPARING_RETURN_STATUSES, ReturnStatus
from referrals.forms.returns import (
    ComponentForm,
    FollowUpForm,
    RepresentativeForm,
    ReturnPlanFilterForm,
    ReturnPlanForm,
    TransitionForm,
)
from referrals.routing import return_responsible_body
from referrals.selectors.returns import (
    component_get_for_user,
    component_totals,
    follow_up_get_for_user,
    representatives_of_plan,
    return_plan_detail,
    return_plan_get_for_user,
    return_plan_overview_for_user,
    return_plans_of_case,
    running_period_of_case,
)
from referrals.services import return_follow_ups
from referrals.services import returns as services

PAGE_SIZE = 50
VIEW = "referrals.view_returnplan"
ADD = "referrals.add_returnplan"
CHANGE = "referrals.change_returnplan"
VIEW_REFUSED = gettext_lazy("Your role does not give access to return plans.")
CHANGE_REFUSED = gettext_lazy("Your role does not allow changing return plans.")


def _require(user, perm: str, reason) -> None:
    if not has_role_permission(user, perm):
        raise PermissionDenied(str(reason))


def _status_tone(status: str) -> str:
    if status in (ReturnStatus.DECLINED, ReturnStatus.CANCELLED):
        return "muted"
    if status == ReturnStatus.COMPLETED:
        return "ok"
    if status in (ReturnStatus.DEPARTED, ReturnStatus.FOLLOW_UP):
        return "neutral"
    return "warn"


def _annotate(plan) -> None:
    plan.tone = _status_tone(plan.status)


# --- A case's plans -----------------------------------------------------------------------------------


class CaseReturnsView(LoginRequiredMixin, View):
    """The case's return plans, the rule that picks the responsible body, and the form for a new plan when
    none is in progress."""

    template_name = "referrals/return_case.html"

    def get_case(self):
        _require(self.request.user, VIEW, VIEW_REFUSED)
        return case_get_for_user(user=self.request.user, case_id=self.kwargs["case_id"])

    def render_page(self, case, form=None, status=200):
        plans = list(return_plans_of_case(user=self.request.user, case=case))
        for plan in plans:
            _annotate(plan)
        route = return_responsible_body(case.residence_status)
        in_progress = next((p for p in plans if p.is_active), None)
        can_add = (
            in_progress is None
            and route.body is not None
            and case.is_open
            and has_role_permission(self.request.user, ADD)
        )
        if can_add and form is None:
            form = ReturnPlanForm(body=route.body)
        context = {
            "case": case,
            "plans": plans,
            "route": route,
            "in_progress": in_progress,
            # A refused form stays on the page with its errors, even when no new plan may be drafted now.
            "form": form,
            "can_add": can_add,
            "period": running_period_of_case(user=self.request.user, case=case),
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, case_id):
        return self.render_page(self.get_case())

    def post(self, request, case_id):
        _require(request.user, ADD, _("Your role does not allow planning returns."))
        _require(self.request.user, VIEW, VIEW_REFUSED)
        # Drafting a plan is work on the case: seeing it (as the deciding authority does) is not enough.
        case = case_get_for_user(user=request.user, case_id=case_id, perm="cases.change_case")
        route = return_responsible_body(case.residence_status)
        if route.body is None:
            messages.error(request, route.explanation)
            return self.render_page(case, status=400)
        form = ReturnPlanForm(request.POST, body=route.body)
        if form.is_valid():
            try:
                plan = services.return_plan_create(case=case, by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                attach_service_errors(form, exc)
            else:
                messages.success(request, _("The return plan was drafted."))
                return redirect("return-plan-detail", pk=plan.pk)
        return self.render_page(case, form, status=400)


# --- All plans ----------------------------------------------------------------------------------------


class ReturnPlanListView(LoginRequiredMixin, View):
    """Every plan the user may see, newest first, filtered by status, responsible body and destination."""

    def get(self, request):
        _require(request.user, VIEW, VIEW_REFUSED)
        filters = ReturnPlanFilterForm(request.GET)
        values = filters.values()
        plans = return_plan_overview_for_user(
            user=request.user, status=values["status"], body=values["body"], country=values["country"]
        )
        page = Paginator(plans, PAGE_SIZE).get_page(request.GET.get("page"))
        for plan in page:
            _annotate(plan)
        return render(
            request,
            "referrals/return_list.html",
            {
                "page": page,
                "filters": filters,
                "filtered": any(values.values()),
                "query_string": urlencode({k: v for k, v in values.items() if v}),
            },
        )


# --- One plan -----------------------------------------------------------------------------------------


class PlanMixin(LoginRequiredMixin):
    perm = VIEW
    refused = VIEW_REFUSED

    def get_plan(self):
        _require(self.request.user, self.perm, self.refused)
        return return_plan_get_for_user(user=self.request.user, plan_id=self.kwargs["pk"])


def _representative_shown(user, plan, *, purpose: str) -> bool:
    """Whether `user` may read the name of the plan's representative; the read is recorded."""
    return personal_texts_for(user=user, case=plan.case, rows=[plan.representative], purpose=purpose)


def plan_page(request, plan, *, transition_form=None, status=200):
    """Render the plan's page (also with a refused step, status 400)."""
    user = request.user
    return_plan_detail(plan=plan)
    _annotate(plan)
    case = plan.case
    can_change = has_role_permission(user, CHANGE)
    period = running_period_of_case(user=user, case=case)
    components = list(plan.components.all())
    context = {
        "plan": plan,
        "case": case,
        # The representative's name is a personal text of the case (cases.personal_texts).
        "can_view_details": _representative_shown(user, plan, purpose="page-return-plan"),
        "route": return_responsible_body(case.residence_status),
        "components": components,
        "totals": component_totals(plan=plan) if components else [],
        "follow_ups": list(plan.follow_ups.all()),
        "history": list(plan.status_changes.all()),
        "is_minor": services.is_minor(case),
        "can_change": can_change and plan.is_active,
        "can_record_follow_up": can_change and plan.status in services.AFTER_DEPARTURE,
        "next_steps": [(s, ReturnStatus(s).label) for s in services.next_statuses(plan.status)]
        if can_change
        else [],
        "transition_form": transition_form or TransitionForm(),
        "period": period,
        # A plan being prepared is a ground for extending the period (reflection.services.period_extend).
        "can_extend": period is not None
        and plan.status in PREPARING_RETURN_STATUSES
        and has_role_permission(user, "reflection.change_reflectionperiod"),
    }
    return render(request, "referrals/return_detail.html", context, status=status)


class ReturnPlanDetailView(PlanMixin, View):
    def get(self, request, pk):
        return plan_page(request, self.get_plan())


class ReturnPlanTransitionView(PlanMixin, View):
    """One step of the workflow; the buttons on the plan's page post here."""

    perm = CHANGE
    refused = CHANGE_REFUSED

    def get(self, request, pk):
        return redirect("return-plan-detail", pk=self.get_plan().pk)

    def post(self, request, pk):
        plan = self.get_plan()
        form = TransitionForm(request.POST)
        if form.is_valid():
            try:
                plan = services.return_plan_transition(plan=plan, by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                attach_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("The return plan in case %(number)s is now: %(status)s.")
                    % {"number": plan.case.number, "status": plan.get_status_display()},
                )
                return redirect("return-plan-detail", pk=plan.pk)
        plan = return_plan_get_for_user(user=request.user, plan_id=plan.pk)  # as it is, after a refusal
        return plan_page(request, plan, transition_form=form, status=400)


class PlanFormView(PlanMixin, View):
    """A form about one plan, saved through one service. Subclasses declare the form and the texts."""

    template_name = "referrals/return_form.html"
    perm = CHANGE
    refused = CHANGE_REFUSED
    title = ""
    intro = ""
    success_message = ""

    def make_form(self, plan, data=None):
        raise ImproperlyConfigured(f"{type(self).__name__} must provide make_form().")

    def save(self, plan, form):
        raise ImproperlyConfigured(f"{type(self).__name__} must provide save().")

    def extra_context(self, plan) -> dict:
        return {}

    def render_form(self, plan, form, status=200):
        context = {
            "plan": plan,
            "case": plan.case,
            "form": form,
            "title": self.title,
            "intro": self.intro,
            **self.extra_context(plan),
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, pk, **kwargs):
        plan = self.get_plan()
        return self.render_form(plan, self.make_form(plan))

    def post(self, request, pk, **kwargs):
        plan = self.get_plan()
        form = self.make_form(plan, request.POST)
        if form.is_valid():
            try:
                self.save(plan, form)
            except ValidationError as exc:
                attach_service_errors(form, exc, aliases=getattr(self, "aliases", None))
            else:
                messages.success(request, str(self.success_message))
                return redirect("return-plan-detail", pk=plan.pk)
        return self.render_form(plan, form, status=400)


class ReturnPlanUpdateView(PlanFormView):
    title = gettext_lazy("Change the return plan")
    intro = gettext_lazy(
        "The responsible body follows from the residence status. The plan can be changed until it is "
        "completed, declined or cancelled."
    )
    success_message = gettext_lazy("The return plan was saved.")

    def make_form(self, plan, data=None):
        departed = plan.status in services.AFTER_DEPARTURE
        return ReturnPlanForm(
            data, body=plan.responsible_body, departed=departed, initial=ReturnPlanForm.initial_from(plan)
        )

    def save(self, plan, form):
        services.return_plan_update(plan=plan, by=self.request.user, **form.cleaned_data)


class RepresentativeView(PlanFormView):
    title = gettext_lazy("The personal representative's involvement")
    intro = gettext_lazy(
        "A minor's return is planned with the personal representative, who may escort the child home. The "
        "plan cannot be sent to IOM before the representative's involvement is recorded."
    )
    success_message = gettext_lazy("The personal representative's involvement was recorded.")

    def make_form(self, plan, data=None):
        return RepresentativeForm(
            data,
            representatives=representatives_of_plan(plan=plan),
            names_shown=personal_texts_visible(user=self.request.user, case=plan.case),
            initial=RepresentativeForm.initial_from(plan),
        )

    def extra_context(self, plan) -> dict:
        return {"no_representative": not representatives_of_plan(plan=plan).exists()}

    def save(self, plan, form):
        services.return_plan_record_representative(plan=plan, by=self.request.user, **form.cleaned_data)


class ComponentCreateView(PlanFormView):
    title = gettext_lazy("Add a reintegration component")
    intro = gettext_lazy(
        "Support for the first three months after the return, with its budget. Schooling and teaching "
        "materials are for a minor's plan."
    )
    success_message = gettext_lazy("The reintegration component was added.")

    def make_form(self, plan, data=None):
        return ComponentForm(data)

    def save(self, plan, form):
        services.component_add(plan=plan, by=self.request.user, **form.cleaned_data)


class ComponentUpdateView(PlanFormView):
    title = gettext_lazy("Change a reintegration component")
    success_message = gettext_lazy("The reintegration component was saved.")

    def get_component(self):
        return component_get_for_user(
            user=self.request.user, plan_id=self.kwargs["pk"], component_id=self.kwargs["component_id"]
        )

    def make_form(self, plan, data=None):
        self.component = self.get_component()
        return ComponentForm(data, initial=ComponentForm.initial_from(self.component))

    def extra_context(self, plan) -> dict:
        return {"component": self.component}

    def save(self, plan, form):
        services.component_update(component=self.component, by=self.request.user, **form.cleaned_data)


class ComponentRemoveView(PlanMixin, View):
    perm = CHANGE
    refused = CHANGE_REFUSED

    def get_component(self):
        _require(self.request.user, self.perm, self.refused)
        return component_get_for_user(
            user=self.request.user, plan_id=self.kwargs["pk"], component_id=self.kwargs["component_id"]
        )

    def get(self, request, pk, component_id):
        component = self.get_component()
        return render(
            request,
            "referrals/return_component_remove.html",
            {"plan": component.plan, "case": component.plan.case, "component": component},
        )

    def post(self, request, pk, component_id):
        component = self.get_component()
        try:
            services.component_remove(component=component, by=request.user)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The reintegration component was removed."))
        return redirect("return-plan-detail", pk=pk)


class FollowUpRecordView(PlanFormView):
    title = gettext_lazy("Record a follow-up after the return")
    intro = gettext_lazy(
        "What the follow-up found about the person's situation. No names or contact details."
    )
    success_message = gettext_lazy("The follow-up was recorded.")

    def make_form(self, plan, data=None):
        self.follow_up = follow_up_get_for_user(
            user=self.request.user, plan_id=self.kwargs["pk"], follow_up_id=self.kwargs["follow_up_id"]
        )
        initial = {}
        if self.follow_up.done_on:
            initial = {"done_on": self.follow_up.done_on, "note": self.follow_up.note}
        return FollowUpForm(data, initial=initial)

    def extra_context(self, plan) -> dict:
        return {"follow_up": self.follow_up}

    def save(self, plan, form):
        return_follow_ups.follow_up_record(
            follow_up=self.follow_up, by=self.request.user, **form.cleaned_data
        )


# --- The printable summary ----------------------------------------------------------------------------


# The summary goes on paper to the meeting with IOM: never cache it.
@method_decorator(never_cache, name="dispatch")
class ReturnPlanSummaryView(FreshSecondFactorRequiredMixin, PlanMixin, View):
    """The plan for the meeting with IOM, A4-printable and marked confidential. It shows only what IOM needs:
    never the person's name, date of birth, documents, phone, addresses or shelter (the personal details are
    not read at all). Each showing is audited."""

    def get(self, request, pk):
        plan = return_plan_detail(plan=self.get_plan())
        services.return_plan_summary_viewed(plan=plan, by=request.user)
        components = list(plan.components.all())
        return render(
            request,
            "referrals/return_summary.html",
            {
                "plan": plan,
                "case": plan.case,
                "components": components,
                "totals": component_totals(plan=plan) if components else [],
                "follow_ups": list(plan.follow_ups.all()),
                "is_minor": services.is_minor(plan.case),
                "can_view_details": _representative_shown(request.user, plan, purpose="page-return-summary"),
                "printed_at": timezone.localtime(),
            },
        )
