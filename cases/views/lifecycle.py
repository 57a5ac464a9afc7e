"""The GDPR erasure page of a case: what will go (counts), a typed confirmation, and the erasure itself."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.cache import never_cache

from cases.forms.lifecycle import CaseEraseForm
from cases.lifecycle import case_erase, case_erase_preview, case_get_for_erasure
from cases.selectors import case_list_for_user
from cmm.forms import attach_service_errors

# How the counts of an erasure (cases.lifecycle.Removal) read on the page.
REMOVAL_LABELS = {
    "case_closed": gettext_lazy("The open case is closed"),
    "personal_details": gettext_lazy("Personal details"),
    "history_rows": gettext_lazy("Earlier versions in the history"),
    "representatives": gettext_lazy("Personal representatives' names"),
    "free_texts": gettext_lazy("Records with notes or other free text"),
    "attachments": gettext_lazy("Attachments"),
    "report_files": gettext_lazy("Status report files"),
    "permissions": gettext_lazy("Access grants"),
    "team_members": gettext_lazy("Case team members"),
    "referrals_ended": gettext_lazy("Open referrals ended"),
    "client_codes_unlinked": gettext_lazy("Client codes unlinked"),
}


@method_decorator(never_cache, name="dispatch")
class CaseEraseView(LoginRequiredMixin, View):
    """CMM coordinators only: 404 for a case the user cannot see, 403 for a user who may not erase."""

    template_name = "cases/case_erase.html"

    def get(self, request, pk):
        case = case_get_for_erasure(user=request.user, case_id=pk)
        return self._render(request, case, CaseEraseForm())

    def post(self, request, pk):
        case = case_get_for_erasure(user=request.user, case_id=pk)
        form = CaseEraseForm(request.POST)
        if form.is_valid():
            try:
                case_erase(case=case, by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                attach_service_errors(form, exc)
            else:
                messages.success(
                    request, _("The personal data of case %(number)s was erased.") % {"number": case.number}
                )
                # A coordinator who saw the case through a share no longer does: back to the list then.
                if case_list_for_user(user=request.user).filter(pk=case.pk).exists():
                    return redirect("case-detail", pk=case.pk)
                return redirect("case-list")
        return self._render(request, case, form, status=400)

    def _render(self, request, case, form, status=200):
        # What the erasure is about to remove, counted (never values).
        counts = case_erase_preview(case=case).counts
        preview = [(REMOVAL_LABELS.get(key, key), counts[key]) for key in REMOVAL_LABELS if key in counts]
        return render(
            request, self.template_name, {"case": case, "form": form, "preview": preview}, status=status
        )
