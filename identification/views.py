"""Identification pages: presenting a case, its evidence, the decision, the work queue and the tasks.

Each view gets the case or the presentation through a selector, so "missing" and "not yours" both answer 404;
what the role may not do answers 403 with the reason. Who decides is never worked out here: the pages show
identification.rules and ask identification.services.decision_refusal, and the services refuse the rest.
Refused input is shown again with status 400 and nothing typed is lost.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views import View
from django.views.decorators.cache import never_cache

from cases.choices import ExploitationType
from cases.forms.case import language_name
from cases.personal_texts import MASK, acting_organisation_id, decision_reasons_visible
from cases.selectors import case_get_for_user, case_list_for_user
from cases.services import can_view_personal_details
from cmm.audit.services import evidence_read_record
from cmm.forms import attach_service_errors
from cmm.permissions import has_role_permission
from identification import services
from identification.choices import Authority, TaskStatus
from identification.forms import (
    AttachmentForm,
    CourtVerdictForm,
    DecisionForm,
    InterviewForm,
    PoliceAssessmentForm,
    PresentationForm,
    ResidenceStatusForm,
)
from identification.rules import competent_authority
from identification.selectors import (
    attachment_get_for_user,
    decisions_of_presentation,
    documents_visible_to,
    indicators_recorded_for_case,
    presentation_get_for_user,
    presentations_of_case,
    task_get_for_user,
    task_list_for_user,
    work_queue_for_user,
)
from outreach.choices import Indicator

PAGE_SIZE = 25
CHANGE_CASE = "cases.change_case"
TASK_FILTERS = {"open": TaskStatus.OPEN, "done": TaskStatus.DONE, "all": None}
# Downloads are named after the attachment's id, never its original name (which may identify the person).
EXTENSIONS = {
    "application/pdf": ".pdf",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/heic": ".heic",
    "text/plain": ".txt",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
}


# --- Helpers ------------------------------------------------------------------------------------------


def _require(user, perm: str, reason: str) -> None:
    if not has_role_permission(user, perm):
        raise PermissionDenied(reason)


def _labels(values, choices) -> list[str]:
    names = dict(choices)
    return [str(names.get(value, value)) for value in values or []]


def _with_corrections(decisions) -> list:
    """The decisions newest first, each knowing the decision that corrected it (None for the current one)."""
    decisions = list(decisions)
    corrected_by = {d.corrects_id: d for d in decisions if d.corrects_id}
    for decision in decisions:
        decision.corrected_by = corrected_by.get(decision.pk)
        decision.exploitation_labels = _labels(decision.exploitation_types, ExploitationType.choices)
    return decisions


def _personal_texts(user, *, details_visible: bool, decisions=(), verdicts=()) -> None:
    """Set what the reader is shown of the personal texts: the court's name and a decision's reasons
    (cases.personal_texts), as `court_shown` and `reasons_shown` (None when hidden)."""
    organisation_id = acting_organisation_id(user)
    for verdict in verdicts:
        verdict.court_shown = verdict.court if details_visible else MASK
    for decision in decisions:
        visible = decision_reasons_visible(
            decision, details_visible=details_visible, organisation_id=organisation_id
        )
        decision.reasons_shown = decision.reasons if visible else None


def _current(decisions: list):
    return next((d for d in decisions if d.corrected_by is None), None)


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


class PresentationMixin(LoginRequiredMixin):
    """A page of one presentation, looked up through the selector (404 for another organisation's)."""

    def get_presentation(self):
        return presentation_get_for_user(user=self.request.user, presentation_id=self.kwargs["pk"])


# --- A case's presentations ---------------------------------------------------------------------------


class CasePresentationsView(LoginRequiredMixin, View):
    def get(self, request, case_id):
        case = case_get_for_user(user=request.user, case_id=case_id)
        presentations = list(presentations_of_case(user=request.user, case=case))
        for presentation in presentations:
            presentation.rule = competent_authority(presentation.residence_status).explanation
            presentation.current = _current(_with_corrections(presentation.decisions.all()))
        return render(
            request,
            "identification/case_presentations.html",
            {
                "case": case,
                "presentations": presentations,
                "waiting": any(not p.decisions.all() for p in presentations),
                "can_present": has_role_permission(request.user, "identification.add_presentation"),
                "route": competent_authority(case.residence_status),
            },
        )


class PresentationCreateView(LoginRequiredMixin, View):
    template_name = "identification/presentation_form.html"

    def get_case(self):
        case = case_get_for_user(user=self.request.user, case_id=self.kwargs["case_id"])
        refusal = _("Your role does not allow presenting cases for identification.")
        _require(self.request.user, "identification.add_presentation", refusal)
        # Presenting is work on the case (cases.change_case): the deciding authority only sees it.
        if not case_list_for_user(user=self.request.user, perm=CHANGE_CASE).filter(pk=case.pk).exists():
            raise PermissionDenied(refusal)
        return case

    def render_form(self, case, form, status=200):
        route = competent_authority(case.residence_status)
        context = {
            "case": case,
            "form": form,
            "route": route,
            "authority_label": Authority(route.authority).label if route.authority else "",
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, case_id):
        case = self.get_case()
        return self.render_form(case, PresentationForm())

    def post(self, request, case_id):
        case = self.get_case()
        form = PresentationForm(request.POST)
        if form.is_valid():
            try:
                presentation = services.presentation_create(case=case, by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                attach_service_errors(form, exc)
            else:
                messages.success(request, _("The case was presented for identification."))
                return redirect("presentation-detail", pk=presentation.pk)
        return self.render_form(case, form, status=400)


# --- One presentation ---------------------------------------------------------------------------------


# The page may show the narrative and the attachments' names: never cache it.
@method_decorator(never_cache, name="dispatch")
class PresentationDetailView(PresentationMixin, View):
    def get(self, request, pk):
        presentation = self.get_presentation()
        user = request.user
        case = presentation.case
        can_view_details = can_view_personal_details(user=user, case=case)
        evidence_read_record(user=user, presentation=presentation, shown=can_view_details, purpose="page")
        decisions = _with_corrections(decisions_of_presentation(presentation=presentation))
        verdicts = list(presentation.verdicts.all())
        _personal_texts(user, details_visible=can_view_details, decisions=decisions, verdicts=verdicts)
        forms = list(presentation.forms.select_related("filled_by", "organisation"))
        for form in forms:
            form.indicator_labels = _labels(form.indicators, Indicator.choices)
            form.interpreter_language_name = language_name(form.interpreter_language)
        attachments = list(presentation.attachments.select_related("uploaded_by"))
        for number, attachment in enumerate(reversed(attachments), start=1):
            attachment.number = number
        can_change = has_role_permission(user, "identification.change_presentation")
        refusal = services.decision_refusal(presentation=presentation, user=user)
        return render(
            request,
            "identification/presentation_detail.html",
            {
                "presentation": presentation,
                "case": case,
                "rule": competent_authority(presentation.residence_status).explanation,
                "can_view_details": can_view_details,
                "can_download": documents_visible_to(user=user, presentation=presentation),
                "assessments": list(presentation.police_assessments.select_related("recorded_by")),
                "forms": forms,
                "attachments": attachments,
                "verdicts": verdicts,
                "decisions": decisions,
                "current": _current(decisions),
                "tasks": list(
                    presentation.tasks.filter(status=TaskStatus.OPEN).select_related(
                        "responsible_organisation"
                    )
                ),
                "today": timezone.localdate(),
                "refusal": refusal,
                "residence_form": ResidenceStatusForm()
                if can_change and not presentation.authority
                else None,
                "can": {
                    "police": has_role_permission(user, "identification.add_policeassessment"),
                    "form": has_role_permission(user, "identification.add_identificationform"),
                    "attachment": has_role_permission(user, "identification.add_attachment"),
                    "verdict": has_role_permission(user, "identification.add_courtverdict"),
                },
            },
        )


class PresentationFormView(PresentationMixin, View):
    """Add something to a presentation through one service (evidence, or the residence status).

    Subclasses declare the form, the service, the role permission it needs and the texts of the page.
    """

    template_name = "identification/evidence_form.html"
    form_class = None
    save = None  # the service: save(presentation=, by=, **service_kwargs(form))
    perm = ""
    # Set for the presenter's evidence: the case must be one the user works on, not only sees (as the
    # deciding authority does).
    case_perm = ""
    refused_reason = _lazy("Your role does not allow this.")
    title = ""
    intro = ""
    success_message = ""

    def get_presentation(self):
        presentation = super().get_presentation()
        _require(self.request.user, self.perm, self.refused_reason)
        workable = case_list_for_user(user=self.request.user, perm=self.case_perm) if self.case_perm else None
        if workable is not None and not workable.filter(pk=presentation.case_id).exists():
            raise PermissionDenied(self.refused_reason)
        return presentation

    def service_kwargs(self, form) -> dict:
        return form.cleaned_data

    def render_form(self, presentation, form, status=200, extra=None):
        context = {
            "presentation": presentation,
            "case": presentation.case,
            "form": form,
            "title": self.title,
            "intro": self.intro,
            **(extra or {}),
        }
        return render(self.request, self.template_name, context, status=status)

    def form_kwargs(self, presentation) -> dict:
        return {}

    def get(self, request, pk):
        presentation = self.get_presentation()
        return self.render_form(presentation, self.form_class(**self.form_kwargs(presentation)))

    def post(self, request, pk):
        presentation = self.get_presentation()
        form = self.form_class(request.POST, request.FILES, **self.form_kwargs(presentation))
        if form.is_valid():
            try:
                type(self).save(presentation=presentation, by=request.user, **self.service_kwargs(form))
            except ValidationError as exc:
                attach_service_errors(form, exc)
            else:
                messages.success(request, self.success_message)
                return redirect("presentation-detail", pk=presentation.pk)
        return self.render_form(presentation, form, status=400)


class ResidenceStatusView(PresentationFormView):
    form_class = ResidenceStatusForm
    save = services.presentation_set_residence_status
    perm = "identification.change_presentation"
    refused_reason = _lazy("Your role does not allow changing presentations.")
    title = _lazy("Residence status at presentation")
    intro = _lazy(
        "The residence status on the day of presentation picks the authority that decides. It can be "
        "changed until a decision is recorded."
    )
    success_message = _lazy("The residence status at presentation was saved.")


class PoliceAssessmentCreateView(PresentationFormView):
    form_class = PoliceAssessmentForm
    save = services.police_assessment_record
    perm = "identification.add_policeassessment"
    refused_reason = _lazy("Your role does not allow recording police assessments.")
    title = _lazy("Police assessment")
    intro = _lazy("The police's assessment of whether the person was trafficked, with their reasons.")
    success_message = _lazy("The police assessment was recorded.")


class IdentificationFormCreateView(PresentationFormView):
    form_class = InterviewForm
    save = services.identification_form_record
    perm = "identification.add_identificationform"
    case_perm = CHANGE_CASE
    refused_reason = _lazy("Your role does not allow filling in identification forms.")
    title = _lazy("Identification form")
    intro = _lazy("Filled in by a social worker of CMM or an NGO after the interview: the indicators found.")
    success_message = _lazy("The identification form was recorded.")

    def form_kwargs(self, presentation) -> dict:
        # Prefilled with the indicators already recorded for the case, marked as such (nothing typed twice).
        return {"recorded": indicators_recorded_for_case(case=presentation.case)}

    def render_form(self, presentation, form, status=200, extra=None):
        extra = {"prefilled": len(getattr(form, "recorded", {})), **(extra or {})}
        return super().render_form(presentation, form, status=status, extra=extra)


class AttachmentCreateView(PresentationFormView):
    form_class = AttachmentForm
    save = services.attachment_add
    perm = "identification.add_attachment"
    case_perm = CHANGE_CASE
    refused_reason = _lazy("Your role does not allow attaching documents.")
    title = _lazy("Attach a document")
    intro = _lazy(
        "The document is stored privately and can only be downloaded by the case team and the deciding "
        "authority. Its name is kept encrypted."
    )
    success_message = _lazy("The document was attached.")

    def service_kwargs(self, form) -> dict:
        return {"uploaded_file": form.cleaned_data["file"]}


class CourtVerdictCreateView(PresentationFormView):
    form_class = CourtVerdictForm
    save = services.court_verdict_record
    perm = "identification.add_courtverdict"
    refused_reason = _lazy("Your role does not allow recording court verdicts.")
    title = _lazy("Court verdict")
    intro = _lazy(
        "If a court has ruled on whether the person was trafficked, the decision must follow the verdict."
    )
    success_message = _lazy("The court verdict was recorded.")


@method_decorator(never_cache, name="dispatch")
class AttachmentDownloadView(PresentationMixin, View):
    def get(self, request, pk, attachment_id):
        presentation = self.get_presentation()
        if not documents_visible_to(user=request.user, presentation=presentation):
            raise PermissionDenied(
                _("Only the case team and the deciding authority can download these documents.")
            )
        attachment = attachment_get_for_user(
            user=request.user, presentation=presentation, attachment_id=attachment_id
        )
        response = FileResponse(
            services.attachment_open(attachment=attachment, by=request.user),
            as_attachment=True,
            filename=f"document-{attachment.pk}{EXTENSIONS.get(attachment.content_type, '')}",
            content_type=attachment.content_type,
        )
        response["Cache-Control"] = "no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response


# --- The decision -------------------------------------------------------------------------------------


class DecisionCreateView(PresentationMixin, View):
    """Record the decision, or correct the current one with a new decision (never an edit in place)."""

    template_name = "identification/decision_form.html"

    def get_presentation(self):
        presentation = super().get_presentation()
        refusal = services.decision_refusal(presentation=presentation, user=self.request.user)
        if refusal:
            raise PermissionDenied(refusal)
        return presentation

    def verdict(self, presentation):
        verdict = presentation.verdicts.first()
        if verdict is not None:
            visible = can_view_personal_details(user=self.request.user, case=presentation.case)
            _personal_texts(self.request.user, details_visible=visible, verdicts=[verdict])
        return verdict

    def render_form(self, presentation, current, form, status=200):
        context = {
            "presentation": presentation,
            "case": presentation.case,
            "current": current,
            "current_labels": _labels(current.exploitation_types, ExploitationType.choices)
            if current
            else [],
            "verdict": self.verdict(presentation),
            "rule": competent_authority(presentation.residence_status).explanation,
            "form": form,
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, pk):
        presentation = self.get_presentation()
        current = services.current_decision(presentation)
        if current is not None:
            types = current.exploitation_types
        else:
            types = [e.type for e in presentation.case.exploitations.all()]
        form = DecisionForm(initial={"exploitation_types": types})
        return self.render_form(presentation, current, form)

    def post(self, request, pk):
        presentation = self.get_presentation()
        current = services.current_decision(presentation)
        form = DecisionForm(request.POST)
        if form.is_valid():
            try:
                services.decision_record(
                    presentation=presentation, by=request.user, corrects=current, **form.cleaned_data
                )
            except PermissionDenied as exc:
                raise PermissionDenied(str(exc)) from exc
            except ValidationError as exc:
                attach_service_errors(form, exc)
            else:
                if current is None:
                    messages.success(request, _("The decision was recorded."))
                else:
                    messages.success(
                        request, _("The correction was recorded; the earlier decision stays in the history.")
                    )
                return redirect("presentation-detail", pk=presentation.pk)
        return self.render_form(presentation, current, form, status=400)


# --- Work queue and tasks -----------------------------------------------------------------------------


class WorkQueueView(LoginRequiredMixin, View):
    """Presentations waiting for the user's organisation's decision, oldest first."""

    def get(self, request):
        _require(
            request.user,
            "identification.add_decision",
            _("Only the deciding authorities have a queue of presentations to decide."),
        )
        page = Paginator(work_queue_for_user(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
        today = timezone.localdate()
        for presentation in page:
            presentation.days_waiting = (today - presentation.presented_on).days
        return render(request, "identification/work_queue.html", {"page": page})


class TaskListView(LoginRequiredMixin, View):
    """The tasks after identification that the user's organisation is responsible for."""

    def get(self, request):
        _require(
            request.user,
            "identification.view_identificationtask",
            _("Your role does not give access to the tasks after identification."),
        )
        shown = request.GET.get("status", "open")
        if shown not in TASK_FILTERS:
            shown = "open"
        tasks = task_list_for_user(user=request.user, status=TASK_FILTERS[shown])
        page = Paginator(tasks, PAGE_SIZE).get_page(request.GET.get("page"))
        today = timezone.localdate()
        for task in page:
            task.overdue = task.status == TaskStatus.OPEN and task.due_on < today
        return render(
            request,
            "identification/task_list.html",
            {
                "page": page,
                "shown": shown,
                "filters": [("open", _("Open")), ("done", _("Done")), ("all", _("All"))],
                "query_string": f"status={shown}",
                "can_complete": has_role_permission(request.user, "identification.change_identificationtask"),
            },
        )


class TaskCompleteView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        task = task_get_for_user(user=request.user, task_id=pk)
        _require(
            request.user,
            "identification.change_identificationtask",
            _("Your role does not allow completing tasks."),
        )
        try:
            services.task_complete(task=task, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The task was marked as done."))
        return redirect(_safe_next(request, default=reverse("identification-tasks")))
