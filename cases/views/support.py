"""Pages for support during the stay: services, housing, minors, the action plan and client codes.

Each view gets the case through the selector (view_case to read, change_case to write), so another
organisation's case and a missing one both answer 404. Sub-objects are looked up inside the authorised case.
Refused input is shown again with status 400 and nothing typed is lost.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables

from cases import services
from cases.client_codes import client_code_make
from cases.forms.support import (
    ActionPlanForm,
    ActivityForm,
    ClientCodeFactsForm,
    ClientCodeLinkForm,
    RepresentativeForm,
    ReviewForm,
    ServiceForm,
    StayForm,
    TracingForm,
)
from cases.personal_texts import PERSONAL_TEXTS, personal_texts_for, personal_texts_visible
from cases.selectors import (
    case_activities,
    case_client_codes,
    case_get_for_user,
    case_list_for_user,
    case_parent_tracings,
    case_plan_reviews,
    case_representatives,
    case_stays,
    case_warnings,
)
from cmm.forms import attach_service_errors

VIEW = "cases.view_case"
CHANGE = "cases.change_case"
FACT_FIELDS = ("mother_initial", "own_initial", "birth_year", "birth_country")


class CaseFormView(LoginRequiredMixin, View):
    """A page of one case. Subclasses call `get_case` with the permission the request needs."""

    def get_case(self, perm: str = CHANGE):
        return case_get_for_user(user=self.request.user, case_id=self.kwargs["pk"], perm=perm)

    def can_change(self, case) -> bool:
        return case_list_for_user(user=self.request.user, perm=CHANGE).filter(pk=case.pk).exists()

    def refused(self, form, exc: ValidationError) -> None:
        attach_service_errors(form, exc)


class CaseRowFormView(CaseFormView):
    """Add a row that belongs to a case (a service, a stay, an activity), or change one of its rows.

    Subclasses declare the form, the service that saves, and, for changing, the URL argument and selector of
    the row (looked up inside the authorised case, so another case's row is a 404).
    """

    form_class = None
    save = None  # the service: save(case=, by=, [<row_name>=row], **cleaned_data)
    row_name = None  # the keyword of the row for the form and the service ("stay"); None when adding
    row_url_kwarg = None
    row_selector = None
    success_message = ""
    success_url_name = "case-detail"

    def form(self, case, row, *args):
        """The form; changing a row without the right to read its personal texts leaves them out (kept)."""
        form = self.form_class(*args, **self.row_kwargs(row))
        if row is not None and not personal_texts_visible(user=self.request.user, case=case):
            for name in PERSONAL_TEXTS.get(row._meta.label, ()):
                form.fields.pop(name, None)
        return form

    def get_row(self, case):
        if self.row_url_kwarg is None:
            return None
        return get_object_or_404(type(self).row_selector(case=case), pk=self.kwargs[self.row_url_kwarg])

    def row_kwargs(self, row) -> dict:
        return {self.row_name: row} if row is not None else {}

    def render_form(self, case, row, form, status=200):
        if row is not None:  # the form shows the row's texts to who may read them: a recorded read
            personal_texts_for(user=self.request.user, case=case, rows=[row], purpose="page-form")
        context = {"case": case, "form": form, **({self.row_name: row} if self.row_name else {})}
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, **kwargs):
        case = self.get_case()
        row = self.get_row(case)
        return self.render_form(case, row, self.form(case, row))

    def post(self, request, **kwargs):
        case = self.get_case()
        row = self.get_row(case)
        form = self.form(case, row, request.POST)
        if form.is_valid():
            try:
                type(self).save(case=case, by=request.user, **self.row_kwargs(row), **form.cleaned_data)
            except ValidationError as exc:
                self.refused(form, exc)
            else:
                messages.success(request, self.success_message)
                return redirect(self.success_url_name, pk=case.pk)
            # The service set the refused values on the row: show the row as it is stored.
            row = self.get_row(case)
        return self.render_form(case, row, form, status=400)


# --- Services -----------------------------------------------------------------------------------------


class ServiceCreateView(CaseRowFormView):
    template_name = "cases/service_form.html"
    form_class = ServiceForm
    save = services.service_record
    success_message = _lazy("The service was recorded.")


# --- Housing ------------------------------------------------------------------------------------------


class StayCreateView(CaseRowFormView):
    template_name = "cases/stay_form.html"
    form_class = StayForm
    save = services.stay_save
    success_message = _lazy("The stay was recorded.")


class StayUpdateView(StayCreateView):
    """Correct a stay, or record its discharge."""

    row_name, row_url_kwarg, row_selector = "stay", "stay_id", case_stays
    success_message = _lazy("The stay was saved.")


# --- Minors -------------------------------------------------------------------------------------------


class CaseFormsPageView(CaseFormView):
    """A page of a case with several small forms, told apart by a hidden `action` field.

    Everyone who may see the case sees the page; the forms are for those who may change it. `actions` maps
    each action to its form class, the service that saves it and the message after saving.
    """

    actions: dict = {}
    success_url_name = ""
    # Actions whose form shows and rewrites personal texts: only for those who may read them.
    personal_actions: tuple[str, ...] = ()

    def get(self, request, pk):
        case = self.get_case(VIEW)
        return self.page(case, can_change=self.can_change(case))

    def post(self, request, pk):
        case = self.get_case()
        action = request.POST.get("action")
        if action not in self.actions:
            return self.page(case, can_change=True, status=400)
        if action in self.personal_actions and not personal_texts_visible(user=request.user, case=case):
            raise PermissionDenied(_("Only the case team can see the personal details."))
        form_class, save, message = self.actions[action]
        form = form_class(request.POST)
        if form.is_valid():
            try:
                save(case=case, by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                self.refused(form, exc)
            else:
                messages.success(request, message)
                return redirect(self.success_url_name, pk=case.pk)
        return self.page(case, can_change=True, status=400, bound={action: form})

    def context(self, case) -> dict:
        return {}

    def shown_rows(self, context: dict) -> list:
        """The rows whose personal texts the page shows (for the record of the read)."""
        return []

    def initial(self, action: str, context: dict) -> dict:
        return {}

    def page(self, case, *, can_change, status=200, bound=None):
        context = {"case": case, "can_change": can_change, **self.context(case)}
        context["can_view_details"] = personal_texts_for(
            user=self.request.user,
            case=case,
            rows=self.shown_rows(context),
            purpose=f"page-{self.success_url_name}",
        )
        if can_change:
            for action, (form_class, _save, _message) in self.actions.items():
                if action in self.personal_actions and not context["can_view_details"]:
                    continue
                form = (bound or {}).get(action) or form_class(initial=self.initial(action, context))
                context[f"{action}_form"] = form
        return render(self.request, self.template_name, context, status=status)


class MinorView(CaseFormsPageView):
    """The personal representative and the tracing of the parents of a minor."""

    template_name = "cases/minor.html"
    success_url_name = "case-minor"
    actions = {
        "representative": (
            RepresentativeForm,
            services.representative_appoint,
            _lazy("The personal representative was recorded."),
        ),
        "tracing": (TracingForm, services.parent_tracing_record, _lazy("The tracing step was recorded.")),
    }

    def context(self, case):
        return {
            "warnings": case_warnings(case=case),
            "representatives": list(case_representatives(case=case)),
            "tracings": list(case_parent_tracings(case=case)),
        }

    def shown_rows(self, context):
        return [*context["representatives"], *context["tracings"]]


# --- Action plan --------------------------------------------------------------------------------------


class ActionPlanView(CaseFormsPageView):
    """The action plan: goals and wishes, planned activities and review dates."""

    template_name = "cases/action_plan.html"
    success_url_name = "case-plan"
    actions = {
        "plan": (ActionPlanForm, services.action_plan_update, _lazy("The action plan was saved.")),
        "review": (ReviewForm, services.plan_review_add, _lazy("The review date was added.")),
    }
    personal_actions = ("plan",)

    def context(self, case):
        try:
            plan = case.action_plan
        except ObjectDoesNotExist:
            plan = None
        return {
            "plan": plan,
            "activities": list(case_activities(case=case)),
            "reviews": list(case_plan_reviews(case=case)),
        }

    def shown_rows(self, context):
        return [context["plan"], *context["activities"], *context["reviews"]]

    def initial(self, action, context):
        plan = context["plan"]
        if action == "plan" and plan is not None:
            return {"goals": plan.goals, "wishes_after_stay": plan.wishes_after_stay}
        return {}


class ActivityCreateView(CaseRowFormView):
    template_name = "cases/activity_form.html"
    form_class = ActivityForm
    save = services.activity_save
    success_message = _lazy("The activity was added to the action plan.")
    success_url_name = "case-plan"


class ActivityUpdateView(ActivityCreateView):
    row_name, row_url_kwarg, row_selector = "activity", "activity_id", case_activities
    success_message = _lazy("The activity was saved.")


# --- Anonymous client codes ---------------------------------------------------------------------------


@method_decorator(never_cache, name="dispatch")
@method_decorator(sensitive_post_parameters(*FACT_FIELDS), name="dispatch")
class ClientCodeView(CaseFormView):
    """Link an anonymous client code to the case: made from the four facts the person gives, or typed.

    The facts are used once to make the code and go nowhere else: not into the database, a log, a message
    or an error report (sensitive_post_parameters), and the page is not cached.
    """

    template_name = "cases/client_code.html"
    form_classes = {"facts": ClientCodeFactsForm, "code": ClientCodeLinkForm}

    def get(self, request, pk):
        case = self.get_case(VIEW)
        return self.page(case, can_change=self.can_change(case))

    @method_decorator(sensitive_variables())
    def post(self, request, pk):
        case = self.get_case()
        action = request.POST.get("action")
        if action not in self.form_classes:
            return self.page(case, can_change=True, status=400)
        form = self.form_classes[action](request.POST)
        if form.is_valid():
            try:
                if action == "facts":
                    code = client_code_make(**form.cleaned_data)
                else:
                    code = form.cleaned_data["code"]
                client_code = services.client_code_link(case=case, code=code, by=request.user)
            except ValidationError as exc:
                self.refused(form, exc)
            else:
                messages.success(
                    request,
                    _("The client code %(code)s is linked to this case.") % {"code": client_code.code},
                )
                return redirect("case-client-code", pk=case.pk)
        return self.page(case, can_change=True, status=400, **{f"{action}_form": form})

    def page(self, case, *, can_change, status=200, facts_form=None, code_form=None):
        context = {
            "case": case,
            "can_change": can_change,
            "client_codes": list(case_client_codes(case=case)),
        }
        if can_change:
            context["facts_form"] = facts_form or ClientCodeFactsForm()
            context["code_form"] = code_form or ClientCodeLinkForm()
        return render(self.request, self.template_name, context, status=status)
